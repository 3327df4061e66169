//! Runs a migration's statements for the connected backend, one statement at a time (SQLite's
//! driver does not take several statements in one prepared call).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

/// The same schema change written once per supported backend.
pub struct PerBackend<'a> {
    pub sqlite: &'a [&'a str],
    pub postgres: &'a [&'a str],
}

/// Executes the statements that match the manager's backend, in order.
pub async fn run(manager: &SchemaManager<'_>, statements: PerBackend<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let chosen = match manager.get_database_backend() {
        DbBackend::Sqlite => statements.sqlite,
        DbBackend::Postgres => statements.postgres,
        other => {
            return Err(DbErr::Migration(format!(
                "unsupported database backend {other:?}: use SQLite or PostgreSQL"
            )))
        }
    };
    for statement in chosen {
        db.execute_unprepared(statement).await?;
    }
    Ok(())
}

/// Drops a table (the `down` of a migration that created it).
pub async fn drop_table(manager: &SchemaManager<'_>, table: &'static str) -> Result<(), DbErr> {
    manager
        .drop_table(Table::drop().table(Alias::new(table)).to_owned())
        .await
}
