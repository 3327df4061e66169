//! API tokens: what a coding agent presents to the proxy. Only a hash of the secret is kept,
//! with a prefix and the last four characters for recognising it.

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
                r#"CREATE TABLE api_tokens (
                    id {identity} CONSTRAINT pk_api_tokens PRIMARY KEY{autoincrement},
                    user_id {bigint} NOT NULL CONSTRAINT fk_api_tokens_user
                        REFERENCES users (id) ON DELETE CASCADE,
                    public_id TEXT NOT NULL CONSTRAINT uq_api_tokens_public_id UNIQUE,
                    secret_hash TEXT NOT NULL,
                    last4 TEXT NOT NULL,
                    name TEXT NOT NULL,
                    expires_at {timestamp} NULL,
                    revoked_at {timestamp} NULL,
                    replaced_by_id {bigint} NULL CONSTRAINT fk_api_tokens_replaced_by
                        REFERENCES api_tokens (id),
                    daily_limit {bigint} NULL,
                    monthly_limit {bigint} NULL,
                    total_limit {bigint} NULL,
                    allowed_models TEXT NULL,
                    allowed_ips TEXT NULL,
                    billing_source TEXT NOT NULL DEFAULT 'token_wallet',
                    last_used_at {timestamp} NULL,
                    last_used_ip TEXT NULL,
                    created_at {timestamp} NOT NULL,
                    updated_at {timestamp} NOT NULL,
                    CONSTRAINT ck_api_tokens_billing_source CHECK (billing_source IN
                        ('token_wallet', 'token_then_cash')),
                    CONSTRAINT ck_api_tokens_limits CHECK (
                        (daily_limit IS NULL OR daily_limit > 0)
                        AND (monthly_limit IS NULL OR monthly_limit > 0)
                        AND (total_limit IS NULL OR total_limit > 0))
                )"#,
                "CREATE INDEX ix_api_tokens_user ON api_tokens (user_id)",
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, "api_tokens").await
    }
}
