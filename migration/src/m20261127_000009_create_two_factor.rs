//! Two-step verification: the encrypted TOTP secret (and one awaiting confirmation), the last
//! accepted time step (codes are single-use), hashed recovery codes, sign-ins waiting for their
//! second step, and the time a session last re-confirmed the password (step-up).

use crate::sql::{drop_columns, drop_table, run};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(
            manager,
            &[
                "ALTER TABLE users ADD COLUMN totp_secret_enc TEXT NULL",
                "ALTER TABLE users ADD COLUMN totp_pending_enc TEXT NULL",
                "ALTER TABLE users ADD COLUMN totp_enabled_at {timestamp} NULL",
                "ALTER TABLE users ADD COLUMN totp_last_step {bigint} NULL",
                "ALTER TABLE sessions ADD COLUMN reauthenticated_at {timestamp} NULL",
                r#"CREATE TABLE recovery_codes (
                    id {identity} CONSTRAINT pk_recovery_codes PRIMARY KEY{autoincrement},
                    user_id {bigint} NOT NULL CONSTRAINT fk_recovery_codes_user
                        REFERENCES users (id) ON DELETE CASCADE,
                    code_hash TEXT NOT NULL,
                    used_at {timestamp} NULL,
                    created_at {timestamp} NOT NULL,
                    updated_at {timestamp} NOT NULL,
                    CONSTRAINT uq_recovery_codes_user_code UNIQUE (user_id, code_hash)
                )"#,
                // The browser holds a random token for the half-signed-in state; only its hash is
                // kept. It is not a session: nothing but the second step accepts it.
                r#"CREATE TABLE pending_logins (
                    id {identity} CONSTRAINT pk_pending_logins PRIMARY KEY{autoincrement},
                    token_hash TEXT NOT NULL CONSTRAINT uq_pending_logins_token_hash UNIQUE,
                    user_id {bigint} NOT NULL CONSTRAINT fk_pending_logins_user
                        REFERENCES users (id) ON DELETE CASCADE,
                    method TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    ip TEXT NULL,
                    user_agent TEXT NULL,
                    expires_at {timestamp} NOT NULL,
                    created_at {timestamp} NOT NULL,
                    updated_at {timestamp} NOT NULL,
                    CONSTRAINT ck_pending_logins_method CHECK (method IN ('password', 'magic_link')),
                    CONSTRAINT ck_pending_logins_attempts CHECK (attempts >= 0)
                )"#,
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, "pending_logins").await?;
        drop_table(manager, "recovery_codes").await?;
        drop_columns(
            manager,
            &[
                ("users", "totp_secret_enc"),
                ("users", "totp_pending_enc"),
                ("users", "totp_enabled_at"),
                ("users", "totp_last_step"),
                ("sessions", "reauthenticated_at"),
            ],
        )
        .await
    }
}
