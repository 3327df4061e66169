//! The security audit log: recording events and reading them back, newest first, a page at a
//! time (keyset pagination on the id, so pages stay stable while events keep arriving).

use super::ServiceError;
use chrono::{DateTime, Utc};
use entity::security_events::{self, Column};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// Most events returned by one read.
pub const MAX_PAGE: u64 = 200;

/// What happened. Stored as its snake_case name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    AccountCreated,
    EmailVerified,
    LoginSucceeded,
    LoginFailed,
    Logout,
    SessionRevoked,
    PasswordChanged,
    EmailChanged,
    TwoFactorEnabled,
    TwoFactorDisabled,
    RecoveryCodesRegenerated,
    RoleChanged,
    AccountSuspended,
    AccountUnsuspended,
    AdminAction,
}

impl EventKind {
    pub const ALL: [EventKind; 15] = [
        EventKind::AccountCreated,
        EventKind::EmailVerified,
        EventKind::LoginSucceeded,
        EventKind::LoginFailed,
        EventKind::Logout,
        EventKind::SessionRevoked,
        EventKind::PasswordChanged,
        EventKind::EmailChanged,
        EventKind::TwoFactorEnabled,
        EventKind::TwoFactorDisabled,
        EventKind::RecoveryCodesRegenerated,
        EventKind::RoleChanged,
        EventKind::AccountSuspended,
        EventKind::AccountUnsuspended,
        EventKind::AdminAction,
    ];

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == value)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::AccountCreated => "account_created",
            EventKind::EmailVerified => "email_verified",
            EventKind::LoginSucceeded => "login_succeeded",
            EventKind::LoginFailed => "login_failed",
            EventKind::Logout => "logout",
            EventKind::SessionRevoked => "session_revoked",
            EventKind::PasswordChanged => "password_changed",
            EventKind::EmailChanged => "email_changed",
            EventKind::TwoFactorEnabled => "two_factor_enabled",
            EventKind::TwoFactorDisabled => "two_factor_disabled",
            EventKind::RecoveryCodesRegenerated => "recovery_codes_regenerated",
            EventKind::RoleChanged => "role_changed",
            EventKind::AccountSuspended => "account_suspended",
            EventKind::AccountUnsuspended => "account_unsuspended",
            EventKind::AdminAction => "admin_action",
        }
    }
}

/// An event to record.
pub struct NewEvent {
    pub kind: EventKind,
    pub user_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// Event-specific facts (`{"role": "admin"}`); must not contain secrets.
    pub detail: serde_json::Value,
}

/// Which events to read.
#[derive(Clone, Debug, Default)]
pub struct EventFilter {
    pub user_id: Option<i64>,
    pub kind: Option<EventKind>,
    pub since: Option<DateTime<Utc>>,
    /// Events with an id below this one (the last id of the previous page).
    pub before_id: Option<i64>,
}

/// Records an event.
pub async fn record<C: ConnectionTrait>(db: &C, event: NewEvent) -> Result<i64, ServiceError> {
    let now = Utc::now();
    let inserted = security_events::Entity::insert(security_events::ActiveModel {
        id: NotSet,
        kind: Set(event.kind.as_str().to_owned()),
        user_id: Set(event.user_id),
        actor_id: Set(event.actor_id),
        ip: Set(event.ip),
        user_agent: Set(event.user_agent),
        detail: Set(event.detail.to_string()),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(db)
    .await?;
    Ok(inserted.last_insert_id)
}

/// Records an administrator's action: who did it, on whose account (if anyone's), and what
/// (`detail` names the action and its figures, never a secret).
pub async fn admin_action<C: ConnectionTrait>(
    db: &C,
    actor_id: i64,
    user_id: Option<i64>,
    detail: serde_json::Value,
) -> Result<i64, ServiceError> {
    record(
        db,
        NewEvent {
            kind: EventKind::AdminAction,
            user_id,
            actor_id: Some(actor_id),
            ip: None,
            user_agent: None,
            detail,
        },
    )
    .await
}

/// Events matching `filter`, newest first, at most `limit` (capped at [`MAX_PAGE`]).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &EventFilter,
    limit: u64,
) -> Result<Vec<security_events::Model>, ServiceError> {
    let mut query = security_events::Entity::find();
    if let Some(user_id) = filter.user_id {
        query = query.filter(Column::UserId.eq(user_id));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(Column::Kind.eq(kind.as_str()));
    }
    if let Some(since) = filter.since {
        query = query.filter(Column::CreatedAt.gte(since));
    }
    if let Some(before) = filter.before_id {
        query = query.filter(Column::Id.lt(before));
    }
    Ok(query
        .order_by_desc(Column::Id)
        .limit(limit.clamp(1, MAX_PAGE))
        .all(db)
        .await?)
}
