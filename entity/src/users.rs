//! `users`: customers, support staff and admins of the dashboard.

use sea_orm::entity::prelude::*;

/// One account. Email and username are unique case-insensitively (expression indexes on
/// `lower(...)`); `role` is one of `customer`, `support`, `admin` (check constraint).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub email: String,
    pub username: String,
    pub name: String,
    /// PHC string (argon2id). Never serialised: this type derives no `Serialize`.
    pub password_hash: String,
    pub role: String,
    pub email_verified_at: Option<DateTimeUtc>,
    /// Set while an admin has suspended the account: no session or API token works.
    pub suspended_at: Option<DateTimeUtc>,
    /// Contact details the customer maintains on their profile.
    pub country: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    /// The TOTP secret, encrypted with a key derived from `security.secret_key`; set while
    /// two-step verification is on.
    pub totp_secret_enc: Option<String>,
    /// A secret shown for enrolment, not yet confirmed by a code (encrypted the same way).
    pub totp_pending_enc: Option<String>,
    pub totp_enabled_at: Option<DateTimeUtc>,
    /// The last accepted TOTP time step: a code is accepted only for a later step.
    pub totp_last_step: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
