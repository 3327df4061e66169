//! The public price list, with history: a new price is a new row with a later `effective_from`.

use crate::sql::{drop_table, run};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(
            manager,
            &[r#"CREATE TABLE model_prices (
                    id {identity} CONSTRAINT pk_model_prices PRIMARY KEY{autoincrement},
                    model TEXT NOT NULL,
                    input_per_mtok {bigint} NOT NULL,
                    output_per_mtok {bigint} NOT NULL,
                    cache_write_5m_per_mtok {bigint} NOT NULL,
                    cache_write_1h_per_mtok {bigint} NOT NULL,
                    cache_read_per_mtok {bigint} NOT NULL,
                    effective_from {timestamp} NOT NULL,
                    created_at {timestamp} NOT NULL,
                    updated_at {timestamp} NOT NULL,
                    CONSTRAINT uq_model_prices_model_effective_from UNIQUE (model, effective_from),
                    CONSTRAINT ck_model_prices_non_negative CHECK (
                        input_per_mtok >= 0 AND output_per_mtok >= 0
                        AND cache_write_5m_per_mtok >= 0 AND cache_write_1h_per_mtok >= 0
                        AND cache_read_per_mtok >= 0)
                )"#],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, "model_prices").await
    }
}
