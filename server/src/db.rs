//! Database connections and migrations for SQLite (default) and PostgreSQL.

use anyhow::Context;
use app::server::config::DatabaseSettings;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::postgres::PgPoolOptions;
use sea_orm::sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, SqlxPostgresConnector, SqlxSqliteConnector,
    Statement, TransactionTrait,
};
use secrecy::ExposeSecret;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// A connected database and what is needed to tell whether it is still usable.
#[derive(Clone)]
pub struct Database {
    pub conn: DatabaseConnection,
    /// The SQLite file, when the backend is SQLite. A file deleted under a running server would
    /// be silently recreated empty by the next connection, so readiness checks it exists.
    sqlite_file: Option<PathBuf>,
}

/// Lock id serialising migrations when several replicas start against one PostgreSQL.
const MIGRATION_LOCK_ID: i64 = 0x636f_6465_7861_7069; // "codexapi"

impl Database {
    /// Connects with the pool and pragmas from `settings`. SQLite runs in WAL mode with foreign
    /// keys on and a busy timeout, and its directory is created if missing.
    pub async fn connect(settings: &DatabaseSettings) -> anyhow::Result<Self> {
        let url = settings.url.expose_secret();
        let acquire_timeout = Duration::from_secs(settings.acquire_timeout_secs);
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .context("database.url is not a valid SQLite URL")?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_millis(settings.sqlite_busy_timeout_ms));
            let file = options.get_filename().to_path_buf();
            if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).with_context(|| {
                    format!("cannot create the database directory {}", dir.display())
                })?;
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(settings.max_connections)
                .acquire_timeout(acquire_timeout)
                .connect_with(options)
                .await
                .with_context(|| format!("cannot open the SQLite database {}", file.display()))?;
            Ok(Self {
                conn: SqlxSqliteConnector::from_sqlx_sqlite_pool(pool),
                sqlite_file: Some(file),
            })
        } else {
            let pool = PgPoolOptions::new()
                .max_connections(settings.max_connections)
                .acquire_timeout(acquire_timeout)
                .connect(url)
                .await
                .context("cannot connect to PostgreSQL (check database.url)")?;
            Ok(Self {
                conn: SqlxPostgresConnector::from_sqlx_postgres_pool(pool),
                sqlite_file: None,
            })
        }
    }

    /// Applies pending migrations. On PostgreSQL the run holds a transaction-scoped advisory
    /// lock, so replicas starting together migrate one at a time instead of racing.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self.conn.get_database_backend() {
            DbBackend::Postgres => {
                let txn = self
                    .conn
                    .begin()
                    .await
                    .context("cannot begin the migration transaction")?;
                txn.execute_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT pg_advisory_xact_lock($1)",
                    [MIGRATION_LOCK_ID.into()],
                ))
                .await
                .context("cannot take the migration lock")?;
                Migrator::up(&txn, None).await.context("migration failed")?;
                txn.commit().await.context("cannot commit the migrations")?;
            }
            _ => Migrator::up(&self.conn, None)
                .await
                .context("migration failed")?,
        }
        Ok(())
    }

    /// Whether the database answers a query against the schema within `timeout`.
    pub async fn is_ready(&self, timeout: Duration) -> bool {
        if let Some(file) = &self.sqlite_file {
            if !file.exists() {
                return false;
            }
        }
        let backend = self.conn.get_database_backend();
        let probe = self.conn.query_one_raw(Statement::from_string(
            backend,
            "SELECT COUNT(*) AS applied FROM seaql_migrations",
        ));
        matches!(tokio::time::timeout(timeout, probe).await, Ok(Ok(Some(_))))
    }
}
