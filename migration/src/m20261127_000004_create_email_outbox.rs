//! The email outbox: every email the service sends, queued here and delivered by a background
//! worker. It doubles as the record of email delivery, so it never holds a secret: links that
//! carry tokens are generated at send time or their tokens are stored hashed elsewhere.

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
                r#"CREATE TABLE email_outbox (
                    id {identity} CONSTRAINT pk_email_outbox PRIMARY KEY{autoincrement},
                    recipient TEXT NOT NULL,
                    template TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    body_text TEXT NOT NULL,
                    status TEXT NOT NULL DEFAULT 'queued',
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at {timestamp} NOT NULL,
                    last_error TEXT NULL,
                    provider_message_id TEXT NULL,
                    sent_at {timestamp} NULL,
                    created_at {timestamp} NOT NULL,
                    updated_at {timestamp} NOT NULL,
                    CONSTRAINT ck_email_outbox_status CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
                    CONSTRAINT ck_email_outbox_attempts CHECK (attempts >= 0)
                )"#,
                "CREATE INDEX ix_email_outbox_due ON email_outbox (status, next_attempt_at)",
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, "email_outbox").await
    }
}
