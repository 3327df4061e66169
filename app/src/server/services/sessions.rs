//! Sign-in sessions: issuing, checking and revoking them.
//!
//! The browser keeps a 256-bit random token; the database keeps its SHA-256, so neither a
//! database copy nor a log line can be replayed as a session. Every privilege change (sign-in,
//! completing two-factor) issues a new session rather than upgrading the old one.

use super::secrets::{random_token, sha256_hex};
use super::ServiceError;
use crate::server::config::SessionSettings;
use chrono::{DateTime, Duration, Utc};
use entity::sessions::{self, Column};
use sea_orm::sea_query::Expr;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

/// `last_seen_at` is written at most this often per session, so reading pages does not turn
/// every request into a database write.
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// A session token as the browser holds it. Never logged: `Debug` hides it.
pub struct SessionToken(String);

impl SessionToken {
    /// The value to put in the cookie.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken([redacted])")
    }
}

/// Where and how the session was opened (device and login metadata).
pub struct NewSession {
    pub user_id: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The sign-in checked the password (and second factor), which counts as a fresh
    /// confirmation for step-up; a sign-in link does not.
    pub password_confirmed: bool,
}

/// A freshly issued session.
#[derive(Debug)]
pub struct IssuedSession {
    pub id: i64,
    pub token: SessionToken,
    pub expires_at: DateTime<Utc>,
}

/// A session that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActiveSession {
    pub id: i64,
    pub user_id: i64,
    pub reauthenticated_at: Option<DateTime<Utc>>,
}

/// A session as its owner sees it in the list of devices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionView {
    pub id: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

fn hash(token: &str) -> String {
    sha256_hex(token)
}

fn new_token() -> SessionToken {
    SessionToken(random_token())
}

/// Opens a session for a user who has just proved who they are.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    new: NewSession,
    settings: &SessionSettings,
    now: DateTime<Utc>,
) -> Result<IssuedSession, ServiceError> {
    let token = new_token();
    let expires_at = now + Duration::hours(i64::from(settings.absolute_timeout_hours));
    let inserted = sessions::Entity::insert(sessions::ActiveModel {
        id: NotSet,
        token_hash: Set(hash(token.expose())),
        user_id: Set(new.user_id),
        ip: Set(new.ip),
        user_agent: Set(new.user_agent),
        last_seen_at: Set(now),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
        reauthenticated_at: Set(new.password_confirmed.then_some(now)),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(db)
    .await?;
    Ok(IssuedSession {
        id: inserted.last_insert_id,
        token,
        expires_at,
    })
}

/// The live session a cookie token belongs to, if any, recording the activity. Revoked,
/// expired and idle sessions are all simply "no session".
pub async fn authenticate<C: ConnectionTrait>(
    db: &C,
    token: &str,
    settings: &SessionSettings,
    now: DateTime<Utc>,
) -> Result<Option<ActiveSession>, ServiceError> {
    if token.is_empty() || token.len() > 128 {
        return Ok(None);
    }
    let Some(session) = sessions::Entity::find()
        .filter(Column::TokenHash.eq(hash(token)))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let idle_limit = Duration::minutes(i64::from(settings.idle_timeout_minutes));
    if session.revoked_at.is_some()
        || session.expires_at <= now
        || session.last_seen_at + idle_limit <= now
    {
        return Ok(None);
    }
    if now - session.last_seen_at >= TOUCH_EVERY {
        sessions::Entity::update_many()
            .col_expr(Column::LastSeenAt, Expr::value(now))
            .col_expr(Column::UpdatedAt, Expr::value(now))
            .filter(Column::Id.eq(session.id))
            .exec(db)
            .await?;
    }
    Ok(Some(ActiveSession {
        id: session.id,
        user_id: session.user_id,
        reauthenticated_at: session.reauthenticated_at,
    }))
}

/// When the session last confirmed the password, if it is a live session of `user_id`.
pub async fn reauthenticated_at<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    session_id: i64,
) -> Result<Option<DateTime<Utc>>, ServiceError> {
    Ok(sessions::Entity::find_by_id(session_id)
        .filter(Column::UserId.eq(user_id))
        .filter(Column::RevokedAt.is_null())
        .one(db)
        .await?
        .and_then(|session| session.reauthenticated_at))
}

/// Records that the session just confirmed the password (step-up).
pub async fn mark_reauthenticated<C: ConnectionTrait>(
    db: &C,
    session_id: i64,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    sessions::Entity::update_many()
        .col_expr(Column::ReauthenticatedAt, Expr::value(Some(now)))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(session_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Ends one of the user's sessions (sign-out, or "revoke this device"). Another user's session
/// id is treated as not found.
pub async fn revoke<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    session_id: i64,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let result = sessions::Entity::update_many()
        .col_expr(Column::RevokedAt, Expr::value(Some(now)))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(session_id))
        .filter(Column::UserId.eq(user_id))
        .filter(Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(ServiceError::NotFound);
    }
    Ok(())
}

/// Ends every session of the user except `keep` (the current one), e.g. after a password
/// reset. Returns how many were ended.
pub async fn revoke_all_except<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    keep: Option<i64>,
    now: DateTime<Utc>,
) -> Result<u64, ServiceError> {
    let mut update = sessions::Entity::update_many()
        .col_expr(Column::RevokedAt, Expr::value(Some(now)))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::UserId.eq(user_id))
        .filter(Column::RevokedAt.is_null());
    if let Some(keep) = keep {
        update = update.filter(Column::Id.ne(keep));
    }
    Ok(update.exec(db).await?.rows_affected)
}

/// The user's live sessions, most recently used first.
pub async fn list_active<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    settings: &SessionSettings,
    now: DateTime<Utc>,
) -> Result<Vec<SessionView>, ServiceError> {
    let idle_limit = Duration::minutes(i64::from(settings.idle_timeout_minutes));
    let rows = sessions::Entity::find()
        .filter(Column::UserId.eq(user_id))
        .filter(Column::RevokedAt.is_null())
        .filter(Column::ExpiresAt.gt(now))
        .filter(Column::LastSeenAt.gt(now - idle_limit))
        .order_by_desc(Column::LastSeenAt)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| SessionView {
            id: row.id,
            ip: row.ip,
            user_agent: row.user_agent,
            created_at: row.created_at,
            last_seen_at: row.last_seen_at,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_stored_only_as_a_hash() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a.expose(), b.expose());
        assert_eq!(a.expose().len(), 43, "256 bits, base64url");
        let stored = hash(a.expose());
        assert_eq!(stored.len(), 64);
        assert!(!stored.contains(a.expose()));
        assert_eq!(format!("{a:?}"), "SessionToken([redacted])");
    }
}
