//! `email_outbox`: queued and delivered emails, and the record of their delivery.

use sea_orm::entity::prelude::*;

/// One email. `status` moves queued → sending → sent, or back to queued with a later
/// `next_attempt_at` after a failed attempt, or to failed when attempts run out.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "email_outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub recipient: String,
    /// Which message this is (`smtp_test`, `verify_email`, …), for the delivery record.
    pub template: String,
    pub subject: String,
    /// The plain-text body, without secrets.
    pub body_text: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub last_error: Option<String>,
    /// The SMTP server's answer to the accepted message (usually names its queue id).
    pub provider_message_id: Option<String>,
    pub sent_at: Option<DateTimeUtc>,
    /// The account a link in this email is for.
    pub user_id: Option<i64>,
    /// When set, the worker mints a fresh single-use token of this purpose at send time and puts
    /// its link where the body says `{link}`; the stored body never holds the token.
    pub link_purpose: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
