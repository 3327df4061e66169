//! The email outbox: queue an email, and the delivery worker's steps (claim a due email, record
//! the outcome). Delivery is at least once: an email whose sender died mid-send is retried.

use super::account_tokens::{self, TokenPurpose};
use super::ServiceError;
use chrono::{DateTime, Duration, Utc};
use entity::email_outbox::{self, Column};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

/// First retry delay; each further attempt doubles it, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::seconds(30);
const MAX_BACKOFF: Duration = Duration::hours(1);
/// An email claimed longer ago than this is presumed lost with its worker and is retried.
pub const STALE_CLAIM: Duration = Duration::minutes(10);

/// Where an email stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmailStatus {
    Queued,
    Sending,
    Sent,
    Failed,
}

impl EmailStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EmailStatus::Queued => "queued",
            EmailStatus::Sending => "sending",
            EmailStatus::Sent => "sent",
            EmailStatus::Failed => "failed",
        }
    }
}

/// Where a body wants its single-use link; replaced at send time.
pub const LINK_MARKER: &str = "{link}";

/// An email to queue. The body must not contain secrets: it stays in the outbox as the record
/// of what was sent. An email carrying a link names the link's purpose and account, and puts
/// [`LINK_MARKER`] where the link goes; the token is minted only when the email is sent.
pub struct NewEmail {
    pub recipient: String,
    pub template: &'static str,
    pub subject: String,
    pub body_text: String,
    pub link: Option<(i64, TokenPurpose)>,
}

/// Queues an email for the delivery worker and returns its id.
pub async fn enqueue<C: ConnectionTrait>(db: &C, email: NewEmail) -> Result<i64, ServiceError> {
    if email.recipient.parse::<lettre::Address>().is_err() {
        return Err(ServiceError::Invalid(format!(
            "{:?} is not an email address",
            email.recipient
        )));
    }
    let now = Utc::now();
    let inserted = email_outbox::Entity::insert(email_outbox::ActiveModel {
        id: NotSet,
        recipient: Set(email.recipient),
        template: Set(email.template.to_owned()),
        subject: Set(email.subject),
        body_text: Set(email.body_text),
        status: Set(EmailStatus::Queued.as_str().to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_error: Set(None),
        provider_message_id: Set(None),
        sent_at: Set(None),
        user_id: Set(email.link.map(|(user_id, _)| user_id)),
        link_purpose: Set(email.link.map(|(_, purpose)| purpose.as_str().to_owned())),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(db)
    .await?;
    Ok(inserted.last_insert_id)
}

/// Which rows a worker may take at `now`: queued and due, or claimed so long ago that their
/// worker must have died.
fn claimable(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(
            Condition::all()
                .add(Column::Status.eq(EmailStatus::Queued.as_str()))
                .add(Column::NextAttemptAt.lte(now)),
        )
        .add(
            Condition::all()
                .add(Column::Status.eq(EmailStatus::Sending.as_str()))
                .add(Column::UpdatedAt.lte(now - STALE_CLAIM)),
        )
}

/// Claims the most overdue email, if any, counting the attempt. The claim is one conditional
/// update, so two workers (two replicas on PostgreSQL) never take the same email.
pub async fn claim_due<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<Option<email_outbox::Model>, ServiceError> {
    for _ in 0..3 {
        let Some(candidate) = email_outbox::Entity::find()
            .filter(claimable(now))
            .order_by_asc(Column::NextAttemptAt)
            .order_by_asc(Column::Id)
            .one(db)
            .await?
        else {
            return Ok(None);
        };
        let claimed = email_outbox::Entity::update_many()
            .col_expr(Column::Status, Expr::value(EmailStatus::Sending.as_str()))
            .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
            .col_expr(Column::UpdatedAt, Expr::value(now))
            .filter(Column::Id.eq(candidate.id))
            .filter(claimable(now))
            .exec(db)
            .await?;
        if claimed.rows_affected == 1 {
            return Ok(email_outbox::Entity::find_by_id(candidate.id)
                .one(db)
                .await?);
        }
        // Another worker took it first; look again.
    }
    Ok(None)
}

/// Records a delivered email.
pub async fn mark_sent<C: ConnectionTrait>(
    db: &C,
    id: i64,
    provider_message_id: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    email_outbox::Entity::update_many()
        .col_expr(Column::Status, Expr::value(EmailStatus::Sent.as_str()))
        .col_expr(Column::ProviderMessageId, Expr::value(provider_message_id))
        .col_expr(Column::SentAt, Expr::value(Some(now)))
        .col_expr(Column::LastError, Expr::value(None::<String>))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Records a failed attempt: back to the queue with a later due time, or failed for good once
/// `max_attempts` are used. Returns the new status.
pub async fn mark_attempt_failed<C: ConnectionTrait>(
    db: &C,
    email: &email_outbox::Model,
    error: &str,
    max_attempts: u32,
    now: DateTime<Utc>,
) -> Result<EmailStatus, ServiceError> {
    let attempts = u32::try_from(email.attempts).unwrap_or(u32::MAX);
    let status = if attempts >= max_attempts {
        EmailStatus::Failed
    } else {
        EmailStatus::Queued
    };
    let message: String = error.chars().take(500).collect();
    email_outbox::Entity::update_many()
        .col_expr(Column::Status, Expr::value(status.as_str()))
        .col_expr(Column::NextAttemptAt, Expr::value(now + backoff(attempts)))
        .col_expr(Column::LastError, Expr::value(Some(message)))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(email.id))
        .exec(db)
        .await?;
    Ok(status)
}

/// The body to send: the stored body with a freshly minted single-use link in place of
/// [`LINK_MARKER`]. Every attempt mints its own token (the previous attempt's may never have
/// arrived); unused ones simply expire.
pub async fn body_for_delivery<C: ConnectionTrait>(
    db: &C,
    email: &email_outbox::Model,
    base_url: &str,
    now: DateTime<Utc>,
) -> Result<String, ServiceError> {
    let (Some(user_id), Some(purpose)) = (
        email.user_id,
        email.link_purpose.as_deref().and_then(TokenPurpose::parse),
    ) else {
        return Ok(email.body_text.clone());
    };
    let new_email = (purpose == TokenPurpose::ChangeEmail).then(|| email.recipient.clone());
    let token = account_tokens::issue(db, user_id, purpose, new_email, now).await?;
    Ok(email
        .body_text
        .replace(LINK_MARKER, &token.link(base_url, purpose)))
}

/// The body as written to the log when no SMTP server is configured: links are withheld, since
/// a log is no place for a credential.
pub fn body_for_log(email: &email_outbox::Model) -> String {
    email.body_text.replace(
        LINK_MARKER,
        "[link withheld from the log: configure email.smtp_url to send it]",
    )
}

/// Delay before the next attempt after `attempts` failed ones: 30 s, 1 min, 2 min, … up to 1 h.
pub fn backoff(attempts: u32) -> Duration {
    let doublings = Ord::min(attempts.saturating_sub(1), 16);
    Ord::min(FIRST_BACKOFF * 2_i32.pow(doublings), MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_thirty_seconds_up_to_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(4), Duration::seconds(240));
        assert_eq!(backoff(8), Duration::hours(1));
        assert_eq!(backoff(u32::MAX), Duration::hours(1));
    }
}
