//! The proxy keeps prices and provider routes in memory; this one-row table carries a version
//! that every change to them bumps, so each replica sees at the start of every request whether
//! its copy is still current (one indexed read instead of reloading the catalogue).

use crate::sql::{drop_table, run};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(
            manager,
            &[r#"CREATE TABLE proxy_catalog (
                    id INTEGER NOT NULL CONSTRAINT pk_proxy_catalog PRIMARY KEY,
                    version {bigint} NOT NULL,
                    created_at {timestamp} NOT NULL,
                    updated_at {timestamp} NOT NULL,
                    CONSTRAINT ck_proxy_catalog_one_row CHECK (id = 1),
                    CONSTRAINT ck_proxy_catalog_version CHECK (version >= 0)
                )"#],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, "proxy_catalog").await
    }
}
