//! Fixed-window rate limits kept in the database, so every replica counts against the same
//! budget. One atomic upsert per hit: no read-modify-write race between requests or replicas.
//! [`SyncedLimiter`] trades that exactness across replicas for one write per second instead of
//! one per hit, where the hit rate is high (the proxy).

use super::ServiceError;
use chrono::{DateTime, Duration, DurationRound, Utc};
use entity::rate_limit_counters::{self, Column};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

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
    let window_start = window_of(limit, now)?;
    let hits = add(db, scope, subject, window_start, 1, now).await?;
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

fn window_of(limit: Limit, now: DateTime<Utc>) -> Result<DateTime<Utc>, ServiceError> {
    now.duration_trunc(limit.window)
        .map_err(|e| ServiceError::Internal(format!("rate-limit window: {e}")))
}

/// Adds `count` hits to a window's counter and returns its new total.
async fn add<C: ConnectionTrait>(
    db: &C,
    scope: &str,
    subject: &str,
    window_start: DateTime<Utc>,
    count: i64,
    now: DateTime<Utc>,
) -> Result<i64, ServiceError> {
    Ok(
        rate_limit_counters::Entity::insert(rate_limit_counters::ActiveModel {
            id: NotSet,
            scope: Set(scope.to_owned()),
            subject: Set(subject.to_owned()),
            window_start: Set(window_start),
            hits: Set(count),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([Column::Scope, Column::Subject, Column::WindowStart])
                .value(
                    Column::Hits,
                    Expr::col((rate_limit_counters::Entity, Column::Hits)).add(count),
                )
                .value(Column::UpdatedAt, Expr::value(now))
                .to_owned(),
        )
        // RETURNING gives the total including this addition even when others add at once.
        .exec_with_returning(db)
        .await?
        .hits,
    )
}

/// A budget counted in this process and shared with other replicas through the same database
/// counters, written at most once per `sync_every` per subject instead of once per hit.
///
/// Within one process the budget is exact. Across replicas each knows the others' hits as of
/// its last synchronisation, so together they may pass the budget by at most what the others
/// admitted within one `sync_every` — the price of not writing on every request (the proxy's
/// per-token request rate is its use).
pub struct SyncedLimiter {
    scope: &'static str,
    limit: Limit,
    sync_every: std::time::Duration,
    subjects: Mutex<Tallies>,
}

/// Every subject's tally, and the size at which windows that ended are next swept out (it
/// grows with the live subjects, so a sweep that frees little is not repeated on every hit).
struct Tallies {
    by_subject: HashMap<String, Tally>,
    sweep_at: usize,
}

/// One subject's window as this process knows it.
#[derive(Debug)]
struct Tally {
    window_start: DateTime<Utc>,
    /// The database's total at the last synchronisation (this process's synced hits included).
    known: i64,
    /// Hits admitted here since then.
    unsynced: i64,
    synced_at: Option<std::time::Instant>,
    syncing: bool,
}

impl Tally {
    fn new(window_start: DateTime<Utc>) -> Self {
        Self {
            window_start,
            known: 0,
            unsynced: 0,
            synced_at: None,
            syncing: false,
        }
    }
}

/// Subjects remembered before windows that ended are first swept out of memory.
const MAX_REMEMBERED_SUBJECTS: usize = 10_000;

impl SyncedLimiter {
    pub fn new(scope: &'static str, limit: Limit, sync_every: std::time::Duration) -> Self {
        Self {
            scope,
            limit,
            sync_every,
            subjects: Mutex::new(Tallies {
                by_subject: HashMap::new(),
                sweep_at: MAX_REMEMBERED_SUBJECTS,
            }),
        }
    }

    fn tallies(&self) -> std::sync::MutexGuard<'_, Tallies> {
        self.subjects.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts one hit of `subject` if it is within the budget as far as this process knows.
    pub async fn hit<C: ConnectionTrait>(
        &self,
        db: &C,
        subject: &str,
        now: DateTime<Utc>,
    ) -> Result<Decision, ServiceError> {
        let window_start = window_of(self.limit, now)?;
        let remaining = |tally: &Tally| self.limit.max_hits - tally.known - tally.unsynced;
        let count = {
            let mut tallies = self.tallies();
            if tallies.by_subject.len() >= tallies.sweep_at {
                tallies
                    .by_subject
                    .retain(|_, tally| tally.window_start == window_start);
                tallies.sweep_at =
                    std::cmp::max(2 * tallies.by_subject.len(), MAX_REMEMBERED_SUBJECTS);
            }
            if !tallies.by_subject.contains_key(subject) {
                tallies
                    .by_subject
                    .insert(subject.to_owned(), Tally::new(window_start));
            }
            let Some(tally) = tallies.by_subject.get_mut(subject) else {
                return Err(ServiceError::Internal(
                    "rate-limit tally vanished".to_owned(),
                ));
            };
            if tally.window_start != window_start {
                *tally = Tally::new(window_start);
            }
            if tally.known + tally.unsynced >= self.limit.max_hits {
                return Ok(Decision::Limited {
                    retry_after: window_start + self.limit.window - now,
                });
            }
            tally.unsynced += 1;
            let due = tally
                .synced_at
                .is_none_or(|at| at.elapsed() >= self.sync_every);
            if !due || tally.syncing {
                return Ok(Decision::Allowed {
                    remaining: remaining(tally),
                });
            }
            tally.syncing = true;
            tally.unsynced
        };
        let total = add(db, self.scope, subject, window_start, count, now).await;
        let mut tallies = self.tallies();
        let Some(tally) = tallies
            .by_subject
            .get_mut(subject)
            .filter(|tally| tally.window_start == window_start)
        else {
            return total.map(|_| Decision::Allowed { remaining: 0 });
        };
        tally.syncing = false;
        let total = total?;
        tally.known = total;
        tally.unsynced -= count;
        tally.synced_at = Some(std::time::Instant::now());
        Ok(Decision::Allowed {
            remaining: std::cmp::max(remaining(tally), 0),
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
