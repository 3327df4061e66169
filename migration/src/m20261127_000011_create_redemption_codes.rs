//! Redemption codes: batches made by admins, codes stored as hashes, and each redemption with
//! the ledger transaction that credited it.

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
                r#"CREATE TABLE redemption_batches (
                    id {identity} CONSTRAINT pk_redemption_batches PRIMARY KEY{autoincrement},
                    name TEXT NOT NULL,
                    amount {bigint} NOT NULL,
                    code_count INTEGER NOT NULL,
                    max_redemptions INTEGER NOT NULL,
                    per_user_limit INTEGER NULL,
                    expires_at {timestamp} NULL,
                    created_by {bigint} NOT NULL CONSTRAINT fk_redemption_batches_creator
                        REFERENCES users (id),
                    created_at {timestamp} NOT NULL,
                    updated_at {timestamp} NOT NULL,
                    CONSTRAINT ck_redemption_batches_amount CHECK (amount > 0),
                    CONSTRAINT ck_redemption_batches_count CHECK (code_count BETWEEN 1 AND 10000),
                    CONSTRAINT ck_redemption_batches_max CHECK (max_redemptions >= 1),
                    CONSTRAINT ck_redemption_batches_per_user CHECK (per_user_limit IS NULL OR per_user_limit >= 1)
                )"#,
                r#"CREATE TABLE redemption_codes (
                    id {identity} CONSTRAINT pk_redemption_codes PRIMARY KEY{autoincrement},
                    batch_id {bigint} NOT NULL CONSTRAINT fk_redemption_codes_batch
                        REFERENCES redemption_batches (id) ON DELETE CASCADE,
                    code_hash TEXT NOT NULL CONSTRAINT uq_redemption_codes_code_hash UNIQUE,
                    code_hint TEXT NOT NULL,
                    redeemed_count INTEGER NOT NULL DEFAULT 0,
                    created_at {timestamp} NOT NULL,
                    updated_at {timestamp} NOT NULL,
                    CONSTRAINT ck_redemption_codes_count CHECK (redeemed_count >= 0)
                )"#,
                "CREATE INDEX ix_redemption_codes_batch ON redemption_codes (batch_id)",
                r#"CREATE TABLE redemptions (
                    id {identity} CONSTRAINT pk_redemptions PRIMARY KEY{autoincrement},
                    code_id {bigint} NOT NULL CONSTRAINT fk_redemptions_code
                        REFERENCES redemption_codes (id) ON DELETE RESTRICT,
                    user_id {bigint} NOT NULL CONSTRAINT fk_redemptions_user
                        REFERENCES users (id) ON DELETE RESTRICT,
                    ordinal INTEGER NOT NULL,
                    transaction_id {bigint} NOT NULL CONSTRAINT fk_redemptions_transaction
                        REFERENCES ledger_transactions (id),
                    created_at {timestamp} NOT NULL,
                    updated_at {timestamp} NOT NULL,
                    CONSTRAINT uq_redemptions_code_user_ordinal UNIQUE (code_id, user_id, ordinal)
                )"#,
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["redemptions", "redemption_codes", "redemption_batches"] {
            drop_table(manager, table).await?;
        }
        Ok(())
    }
}
