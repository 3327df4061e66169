//! Fixed-window rate limits kept in the database, so every replica counts against the same
//! budget. One atomic upsert per hit: no read-modify-write race between requests or replicas.

use super::ServiceError;
use chrono::{DateTime, Duration, DurationRound, Utc};
use entity::rate_limit_counters::{self, Column};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

/// A budget: at most `max_hits` per `window`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub max_hits: i64,
    pub window: Duration,
}

/// The verdict on one hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Allowed {
        remaining: i64,
    },
    /// Over budget until the window ends; `retry_after` is what to send in `Retry-After`.
    Limited {
        retry_after: Duration,
    },
}

/// Counts one hit of `subject` in `scope` and says whether it is within `limit`. Hits over the
/// budget are counted too, so hammering does not reset anything.
pub async fn hit<C: ConnectionTrait>(
    db: &C,
    scope: &str,
    subject: &str,
    limit: Limit,
    now: DateTime<Utc>,
) -> Result<Decision, ServiceError> {
    let window_start = now
        .duration_trunc(limit.window)
        .map_err(|e| ServiceError::Internal(format!("rate-limit window: {e}")))?;
    let hits = rate_limit_counters::Entity::insert(rate_limit_counters::ActiveModel {
        id: NotSet,
        scope: Set(scope.to_owned()),
        subject: Set(subject.to_owned()),
        window_start: Set(window_start),
        hits: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([Column::Scope, Column::Subject, Column::WindowStart])
            .value(
                Column::Hits,
                Expr::col((rate_limit_counters::Entity, Column::Hits)).add(1),
            )
            .value(Column::UpdatedAt, Expr::value(now))
            .to_owned(),
    )
    // RETURNING gives this request's own count even when others hit the same window at once.
    .exec_with_returning(db)
    .await?
    .hits;
    if hits <= limit.max_hits {
        Ok(Decision::Allowed {
            remaining: limit.max_hits - hits,
        })
    } else {
        Ok(Decision::Limited {
            retry_after: window_start + limit.window - now,
        })
    }
}

/// Deletes counters of windows that ended before `cutoff` (run periodically).
pub async fn prune<C: ConnectionTrait>(db: &C, cutoff: DateTime<Utc>) -> Result<u64, ServiceError> {
    Ok(rate_limit_counters::Entity::delete_many()
        .filter(Column::WindowStart.lt(cutoff))
        .exec(db)
        .await?
        .rows_affected)
}
