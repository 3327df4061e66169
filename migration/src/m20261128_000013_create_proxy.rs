//! The proxy: upstream providers and the models each serves, per-token spend counters, and one
//! usage record per request (metadata only: never a prompt, code or response text).

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
                // `api_key_sealed` is the provider's key encrypted under the site secret; it is
                // never shown again after it is entered.
                r#"CREATE TABLE upstream_providers (
                    id {identity} CONSTRAINT pk_upstream_providers PRIMARY KEY{autoincrement},
                    name TEXT NOT NULL CONSTRAINT uq_upstream_providers_name UNIQUE,
                    protocol TEXT NOT NULL,
                    base_url TEXT NOT NULL,
                    api_key_sealed TEXT NOT NULL,
                    api_key_last4 TEXT NOT NULL,
                    priority INTEGER NOT NULL DEFAULT 0,
                    weight INTEGER NOT NULL DEFAULT 1,
                    enabled {bool} NOT NULL,
                    consecutive_failures INTEGER NOT NULL DEFAULT 0,
                    last_failure_at {timestamp} NULL,
                    last_failure TEXT NULL,
                    last_success_at {timestamp} NULL,
                    created_at {timestamp} NOT NULL,
                    updated_at {timestamp} NOT NULL,
                    CONSTRAINT ck_upstream_providers_protocol CHECK (protocol IN ('anthropic', 'openai')),
                    CONSTRAINT ck_upstream_providers_weight CHECK (weight BETWEEN 1 AND 1000)
                )"#,
                r#"CREATE TABLE provider_models (
                    id {identity} CONSTRAINT pk_provider_models PRIMARY KEY{autoincrement},
                    provider_id {bigint} NOT NULL CONSTRAINT fk_provider_models_provider
                        REFERENCES upstream_providers (id) ON DELETE CASCADE,
                    public_model TEXT NOT NULL,
                    upstream_model TEXT NOT NULL,
                    created_at {timestamp} NOT NULL,
                    updated_at {timestamp} NOT NULL,
                    CONSTRAINT uq_provider_models_public UNIQUE (provider_id, public_model)
                )"#,
                "CREATE INDEX ix_provider_models_public ON provider_models (public_model)",
                // What a token has spent and holds in one period (`day` 2026-11-28, `month`
                // 2026-11, `total` all): reserved by a conditional update like the wallet, so
                // concurrent requests cannot pass a limit together.
                r#"CREATE TABLE token_spend (
                    id {identity} CONSTRAINT pk_token_spend PRIMARY KEY{autoincrement},
                    api_token_id {bigint} NOT NULL CONSTRAINT fk_token_spend_token
                        REFERENCES api_tokens (id) ON DELETE CASCADE,
                    period TEXT NOT NULL,
                    period_start TEXT NOT NULL,
                    spent {bigint} NOT NULL DEFAULT 0,
                    held {bigint} NOT NULL DEFAULT 0,
                    created_at {timestamp} NOT NULL,
                    updated_at {timestamp} NOT NULL,
                    CONSTRAINT uq_token_spend_period UNIQUE (api_token_id, period, period_start),
                    CONSTRAINT ck_token_spend_period CHECK (period IN ('day', 'month', 'total')),
                    CONSTRAINT ck_token_spend_held CHECK (held >= 0)
                )"#,
                // Which spend counters a request's wallet hold also reserved, so settling,
                // voiding or sweeping the hold releases them too.
                r#"CREATE TABLE token_holds (
                    id {identity} CONSTRAINT pk_token_holds PRIMARY KEY{autoincrement},
                    ledger_hold_id {bigint} NOT NULL CONSTRAINT uq_token_holds_ledger_hold UNIQUE
                        CONSTRAINT fk_token_holds_ledger_hold REFERENCES ledger_holds (id),
                    api_token_id {bigint} NOT NULL CONSTRAINT fk_token_holds_token
                        REFERENCES api_tokens (id) ON DELETE CASCADE,
                    amount {bigint} NOT NULL,
                    day_start TEXT NOT NULL,
                    month_start TEXT NOT NULL,
                    released_at {timestamp} NULL,
                    created_at {timestamp} NOT NULL,
                    updated_at {timestamp} NOT NULL,
                    CONSTRAINT ck_token_holds_amount CHECK (amount > 0)
                )"#,
                "CREATE INDEX ix_token_holds_open ON token_holds (released_at)",
                r#"CREATE TABLE usage_records (
                    id {identity} CONSTRAINT pk_usage_records PRIMARY KEY{autoincrement},
                    request_id TEXT NOT NULL CONSTRAINT uq_usage_records_request UNIQUE,
                    user_id {bigint} NOT NULL CONSTRAINT fk_usage_records_user
                        REFERENCES users (id) ON DELETE CASCADE,
                    api_token_id {bigint} NULL CONSTRAINT fk_usage_records_token
                        REFERENCES api_tokens (id) ON DELETE SET NULL,
                    started_at {timestamp} NOT NULL,
                    endpoint TEXT NOT NULL,
                    stream {bool} NOT NULL,
                    public_model TEXT NOT NULL,
                    upstream_model TEXT NOT NULL,
                    provider_id {bigint} NULL CONSTRAINT fk_usage_records_provider
                        REFERENCES upstream_providers (id) ON DELETE SET NULL,
                    provider_label TEXT NOT NULL,
                    input_tokens {bigint} NOT NULL DEFAULT 0,
                    output_tokens {bigint} NOT NULL DEFAULT 0,
                    cache_read_tokens {bigint} NOT NULL DEFAULT 0,
                    cache_write_5m_tokens {bigint} NOT NULL DEFAULT 0,
                    cache_write_1h_tokens {bigint} NOT NULL DEFAULT 0,
                    reasoning_tokens {bigint} NOT NULL DEFAULT 0,
                    input_cost {bigint} NOT NULL DEFAULT 0,
                    output_cost {bigint} NOT NULL DEFAULT 0,
                    cache_read_cost {bigint} NOT NULL DEFAULT 0,
                    cache_write_cost {bigint} NOT NULL DEFAULT 0,
                    charge {bigint} NOT NULL DEFAULT 0,
                    billing_mode TEXT NOT NULL,
                    wallet_charged TEXT NULL,
                    status TEXT NOT NULL,
                    http_status INTEGER NOT NULL,
                    usage_flagged {bool} NOT NULL,
                    latency_ms {bigint} NOT NULL,
                    first_byte_ms {bigint} NULL,
                    client_ip TEXT NULL,
                    user_agent TEXT NULL,
                    region TEXT NULL,
                    created_at {timestamp} NOT NULL,
                    updated_at {timestamp} NOT NULL,
                    CONSTRAINT ck_usage_records_status CHECK (status IN ('ok', 'incomplete',
                        'failed', 'client_cancelled', 'upstream_error', 'rejected')),
                    CONSTRAINT ck_usage_records_charge CHECK (charge >= 0)
                )"#,
                "CREATE INDEX ix_usage_records_user ON usage_records (user_id, started_at)",
                "CREATE INDEX ix_usage_records_started ON usage_records (started_at)",
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "usage_records",
            "token_holds",
            "token_spend",
            "provider_models",
            "upstream_providers",
        ] {
            drop_table(manager, table).await?;
        }
        Ok(())
    }
}
