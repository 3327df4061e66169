//! Accounts: one table for customers, support staff and admins.

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
                r#"CREATE TABLE users (
                    id {identity} CONSTRAINT pk_users PRIMARY KEY{autoincrement},
                    email TEXT NOT NULL,
                    username TEXT NOT NULL,
                    name TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    role TEXT NOT NULL DEFAULT 'customer',
                    email_verified_at {timestamp} NULL,
                    created_at {timestamp} NOT NULL,
                    updated_at {timestamp} NOT NULL,
                    CONSTRAINT ck_users_role CHECK (role IN ('customer', 'support', 'admin')),
                    CONSTRAINT ck_users_email_length CHECK (length(email) BETWEEN 3 AND 254),
                    CONSTRAINT ck_users_username_length CHECK (length(username) BETWEEN 1 AND 64)
                )"#,
                "CREATE UNIQUE INDEX uq_users_email_lower ON users (lower(email))",
                "CREATE UNIQUE INDEX uq_users_username_lower ON users (lower(username))",
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, "users").await
    }
}
