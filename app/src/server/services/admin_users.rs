//! Staff management of accounts: finding them, suspending and reinstating them, and changing
//! their role. Every change is audited with the acting staff member.

use super::accounts::Client;
use super::audit::{self, EventKind, NewEvent};
use super::{sessions, ServiceError};
use crate::auth::{Role, Viewer};
use chrono::{DateTime, Utc};
use entity::users::{self, Column};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;

/// Most accounts on one page of the list.
pub const PAGE_SIZE: u64 = 50;

/// Accounts whose email, username or name contains `search` (case-insensitively), by id, the
/// page after `after_id`. Returns one more than the page when more exist.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    search: &str,
    after_id: Option<i64>,
) -> Result<Vec<users::Model>, ServiceError> {
    let mut query = users::Entity::find();
    let search = search.trim();
    if !search.is_empty() {
        if search.chars().count() > 100 {
            return Err(ServiceError::Invalid(
                "the search must be at most 100 characters".to_owned(),
            ));
        }
        let pattern = format!("%{}%", escape_like(&search.to_lowercase()));
        let matches = |column: Column| {
            Expr::expr(Func::lower(Expr::col(column)))
                .like(sea_orm::sea_query::LikeExpr::new(pattern.clone()).escape('\\'))
        };
        query = query.filter(
            Condition::any()
                .add(matches(Column::Email))
                .add(matches(Column::Username))
                .add(matches(Column::Name)),
        );
    }
    if let Some(after) = after_id {
        query = query.filter(Column::Id.gt(after));
    }
    Ok(query
        .order_by_asc(Column::Id)
        .limit(PAGE_SIZE + 1)
        .all(db)
        .await?)
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

pub async fn get<C: ConnectionTrait>(db: &C, user_id: i64) -> Result<users::Model, ServiceError> {
    users::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

fn staff_event(kind: EventKind, user_id: i64, actor: &Viewer, client: &Client) -> NewEvent {
    NewEvent {
        kind,
        user_id: Some(user_id),
        actor_id: Some(actor.user_id),
        ip: client.ip.clone(),
        user_agent: client.user_agent.clone(),
        detail: json!({}),
    }
}

/// Suspends or reinstates an account. Suspending ends its sessions at once; its requests are
/// refused from the next one on (the session check reads the flag every time).
pub async fn set_suspended(
    db: &DatabaseConnection,
    actor: &Viewer,
    user_id: i64,
    suspended: bool,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    if user_id == actor.user_id {
        return Err(ServiceError::Invalid(
            "you cannot suspend your own account".to_owned(),
        ));
    }
    let txn = crate::server::services::begin_write(db).await?;
    let target = get(&*txn, user_id).await?;
    if suspended == target.suspended_at.is_some() {
        return Ok(());
    }
    users::Entity::update_many()
        .col_expr(Column::SuspendedAt, Expr::value(suspended.then_some(now)))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(user_id))
        .exec(&*txn)
        .await?;
    let mut detail = json!({});
    if suspended {
        let ended = sessions::revoke_all_except(&*txn, user_id, None, now).await?;
        detail = json!({ "sessions_ended": ended });
    }
    let kind = if suspended {
        EventKind::AccountSuspended
    } else {
        EventKind::AccountUnsuspended
    };
    let mut event = staff_event(kind, user_id, actor, client);
    event.detail = detail;
    audit::record(&*txn, event).await?;
    // The proxy remembers tokens with their owner's standing until this version moves.
    super::proxy::catalog::bump(&*txn, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Changes an account's role. The last admin cannot be demoted, so the deployment always has
/// someone who can manage it.
pub async fn set_role(
    db: &DatabaseConnection,
    actor: &Viewer,
    user_id: i64,
    role: Role,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let txn = crate::server::services::begin_write(db).await?;
    let target = get(&*txn, user_id).await?;
    if target.role == role.as_str() {
        return Ok(());
    }
    if target.role == Role::Admin.as_str() {
        let admins = users::Entity::find()
            .filter(Column::Role.eq(Role::Admin.as_str()))
            .count(&*txn)
            .await?;
        if admins <= 1 {
            return Err(ServiceError::Invalid(
                "this is the only admin; make someone else admin first".to_owned(),
            ));
        }
    }
    users::Entity::update_many()
        .col_expr(Column::Role, Expr::value(role.as_str()))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(user_id))
        .exec(&*txn)
        .await?;
    // New privileges start from a fresh sign-in.
    sessions::revoke_all_except(&*txn, user_id, None, now).await?;
    let mut event = staff_event(EventKind::RoleChanged, user_id, actor, client);
    event.detail = json!({ "from": target.role, "to": role.as_str() });
    audit::record(&*txn, event).await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_in_searches_are_literal() {
        assert_eq!(escape_like("50%_off\\"), "50\\%\\_off\\\\");
    }
}
