//! Fixed-window request counters shared by every server replica (sign-in, sign-up, reset and
//! link requests are throttled per account and per IP through them).

use crate::sql::{drop_table, run};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(
            manager,
            &[
                r#"CREATE TABLE rate_limit_counters (
                    id {identity} CONSTRAINT pk_rate_limit_counters PRIMARY KEY{autoincrement},
                    scope TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    window_start {timestamp} NOT NULL,
                    hits {bigint} NOT NULL,
                    created_at {timestamp} NOT NULL,
                    updated_at {timestamp} NOT NULL,
                    CONSTRAINT uq_rate_limit_counters_window UNIQUE (scope, subject, window_start),
                    CONSTRAINT ck_rate_limit_counters_hits CHECK (hits >= 0)
                )"#,
                "CREATE INDEX ix_rate_limit_counters_window_start ON rate_limit_counters (window_start)",
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, "rate_limit_counters").await
    }
}
