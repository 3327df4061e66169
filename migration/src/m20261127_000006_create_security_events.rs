//! The security audit log: sign-ins, credential and role changes, session revocations and admin
//! actions, with who did it, from where and when. Insert-only.

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
                r#"CREATE TABLE security_events (
                    id {identity} CONSTRAINT pk_security_events PRIMARY KEY{autoincrement},
                    kind TEXT NOT NULL,
                    user_id {bigint} NULL CONSTRAINT fk_security_events_user
                        REFERENCES users (id) ON DELETE SET NULL,
                    actor_id {bigint} NULL CONSTRAINT fk_security_events_actor
                        REFERENCES users (id) ON DELETE SET NULL,
                    ip TEXT NULL,
                    user_agent TEXT NULL,
                    detail TEXT NOT NULL DEFAULT '{}',
                    created_at {timestamp} NOT NULL,
                    updated_at {timestamp} NOT NULL
                )"#,
                "CREATE INDEX ix_security_events_user ON security_events (user_id, id)",
                "CREATE INDEX ix_security_events_kind ON security_events (kind, id)",
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, "security_events").await
    }
}
