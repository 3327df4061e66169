//! Server-side sign-in sessions. The browser holds a random token; only its SHA-256 hash is
//! stored, so a copy of the database cannot be used to sign in.

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
                r#"CREATE TABLE sessions (
                    id {identity} CONSTRAINT pk_sessions PRIMARY KEY{autoincrement},
                    token_hash TEXT NOT NULL CONSTRAINT uq_sessions_token_hash UNIQUE,
                    user_id {bigint} NOT NULL CONSTRAINT fk_sessions_user
                        REFERENCES users (id) ON DELETE CASCADE,
                    ip TEXT NULL,
                    user_agent TEXT NULL,
                    last_seen_at {timestamp} NOT NULL,
                    expires_at {timestamp} NOT NULL,
                    revoked_at {timestamp} NULL,
                    created_at {timestamp} NOT NULL,
                    updated_at {timestamp} NOT NULL
                )"#,
                "CREATE INDEX ix_sessions_user_id ON sessions (user_id)",
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, "sessions").await
    }
}
