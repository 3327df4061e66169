//! Periodic housekeeping: voiding holds whose requests died (so their money, and the spend
//! they held against their token's limits, is available again) and deleting rate-limit counters of windows long past. Safe on several replicas at
//! once: every step is a conditional update or delete.

use app::server::services::proxy::billing;
use app::server::services::{ledger, rate_limit};
use chrono::{Duration, Utc};
use sea_orm::DatabaseConnection;
use tokio::sync::watch;

/// How often housekeeping runs.
const EVERY: std::time::Duration = std::time::Duration::from_secs(60);
/// Rate-limit windows are at most an hour long; a day-old counter is history.
const COUNTERS_KEPT: Duration = Duration::days(1);

/// Runs housekeeping every minute until `stopping` turns true.
pub async fn run(db: DatabaseConnection, mut stopping: watch::Receiver<bool>) {
    loop {
        run_once(&db).await;
        tokio::select! {
            () = tokio::time::sleep(EVERY) => {}
            _ = stopping.wait_for(|stop| *stop) => return,
        }
    }
}

/// One pass; failures are logged and retried on the next pass.
pub async fn run_once(db: &DatabaseConnection) {
    let now = Utc::now();
    match ledger::sweep_expired(db, now).await {
        Ok(0) => {}
        Ok(voided) => tracing::warn!(voided, "voided expired holds"),
        Err(error) => tracing::warn!(%error, "sweeping expired holds failed"),
    }
    match billing::release_orphaned_spend(db, now).await {
        Ok(0) => {}
        Ok(released) => tracing::warn!(released, "released the spend-limit share of ended holds"),
        Err(error) => tracing::warn!(%error, "releasing spend of ended holds failed"),
    }
    if let Err(error) = rate_limit::prune(db, now - COUNTERS_KEPT).await {
        tracing::warn!(%error, "pruning rate-limit counters failed");
    }
}
