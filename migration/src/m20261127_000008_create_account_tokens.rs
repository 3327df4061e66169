//! Account self-service: single-use emailed tokens (email verification, password reset, sign-in
//! links, email change), suspension and contact details on users, and the link an outbox email
//! asks the delivery worker to mint when it sends.

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
                // Only the SHA-256 of a token is kept; the plaintext exists in the sent email alone.
                r#"CREATE TABLE account_tokens (
                    id {identity} CONSTRAINT pk_account_tokens PRIMARY KEY{autoincrement},
                    user_id {bigint} NOT NULL CONSTRAINT fk_account_tokens_user
                        REFERENCES users (id) ON DELETE CASCADE,
                    purpose TEXT NOT NULL,
                    token_hash TEXT NOT NULL CONSTRAINT uq_account_tokens_token_hash UNIQUE,
                    new_email TEXT NULL,
                    expires_at {timestamp} NOT NULL,
                    used_at {timestamp} NULL,
                    created_at {timestamp} NOT NULL,
                    updated_at {timestamp} NOT NULL,
                    CONSTRAINT ck_account_tokens_purpose CHECK (purpose IN
                        ('verify_email', 'reset_password', 'magic_login', 'change_email'))
                )"#,
                "CREATE INDEX ix_account_tokens_user_purpose ON account_tokens (user_id, purpose)",
                "ALTER TABLE users ADD COLUMN suspended_at {timestamp} NULL",
                "ALTER TABLE users ADD COLUMN country TEXT NULL",
                "ALTER TABLE users ADD COLUMN phone TEXT NULL",
                "ALTER TABLE users ADD COLUMN company TEXT NULL",
                "ALTER TABLE email_outbox ADD COLUMN user_id {bigint} NULL",
                "ALTER TABLE email_outbox ADD COLUMN link_purpose TEXT NULL",
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, "account_tokens").await?;
        drop_columns(
            manager,
            &[
                ("users", "suspended_at"),
                ("users", "country"),
                ("users", "phone"),
                ("users", "company"),
                ("email_outbox", "user_id"),
                ("email_outbox", "link_purpose"),
            ],
        )
        .await
    }
}
