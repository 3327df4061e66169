//! Consent records: the demonstrable history of every analytics/advertising choice.

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
                r#"CREATE TABLE consent_records (
                    id {identity} CONSTRAINT pk_consent_records PRIMARY KEY{autoincrement},
                    consent_id TEXT NOT NULL,
                    user_id {bigint} NULL CONSTRAINT fk_consent_records_user
                        REFERENCES users (id) ON DELETE SET NULL,
                    analytics {bool} NOT NULL,
                    advertising {bool} NOT NULL,
                    policy_version TEXT NOT NULL,
                    method TEXT NOT NULL,
                    user_agent TEXT NULL,
                    created_at {timestamp} NOT NULL,
                    updated_at {timestamp} NOT NULL,
                    CONSTRAINT ck_consent_records_method CHECK (method IN ('banner_script', 'banner_form')),
                    CONSTRAINT ck_consent_records_analytics CHECK (analytics IN (FALSE, TRUE)),
                    CONSTRAINT ck_consent_records_advertising CHECK (advertising IN (FALSE, TRUE))
                )"#,
                "CREATE INDEX ix_consent_records_consent_id ON consent_records (consent_id, created_at)",
                "CREATE INDEX ix_consent_records_user_id ON consent_records (user_id)",
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, "consent_records").await
    }
}
