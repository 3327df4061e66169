//! Database connections and migrations for SQLite (default) and PostgreSQL.

use anyhow::Context;
use app::server::config::DatabaseSettings;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgSslMode};
use sea_orm::sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, SqlxPostgresConnector, SqlxSqliteConnector,
    Statement, TransactionTrait,
};
use secrecy::ExposeSecret;
use std::net::IpAddr;
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

/// Connect options for the PostgreSQL at `url`. A server on this host (loopback address or
/// Unix socket) is reached without TLS unless the URL or `PGSSLMODE` names a mode.
///
/// Why: TLS there protects nothing, and with sqlx 0.9 it costs dearly. sqlx does not set
/// `TCP_NODELAY`, and its TLS layer writes each 16 KB record on its own, so a large statement
/// leaves a short segment that Nagle's algorithm holds until the server's delayed ACK, 40 ms
/// later. The billing writer's batch statements hit that on every batch: proxied throughput
/// measured 1,750 req/s over loopback TLS and 10,200 without (docs/BENCHMARKS.md).
fn postgres_options(url: &str, sslmode_env: Option<&str>) -> anyhow::Result<PgConnectOptions> {
    let options =
        PgConnectOptions::from_str(url).context("database.url is not a valid PostgreSQL URL")?;
    let mode_named = sslmode_env.is_some()
        || url::Url::parse(url).is_ok_and(|url| {
            url.query_pairs()
                .any(|(key, _)| key == "sslmode" || key == "ssl-mode")
        });
    if mode_named || !on_this_host(&options) {
        return Ok(options);
    }
    Ok(options.ssl_mode(PgSslMode::Disable))
}

fn on_this_host(options: &PgConnectOptions) -> bool {
    let host = options.get_host().trim_matches(['[', ']']);
    options.get_socket().is_some()
        || host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.to_canonical().is_loopback())
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
            let options = postgres_options(url, std::env::var("PGSSLMODE").ok().as_deref())?;
            let pool = PgPoolOptions::new()
                .max_connections(settings.max_connections)
                .acquire_timeout(acquire_timeout)
                .connect_with(options)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(url: &str, env: Option<&str>) -> PgSslMode {
        postgres_options(url, env).expect(url).get_ssl_mode()
    }

    #[test]
    fn a_server_on_this_host_is_reached_without_tls_unless_a_mode_is_named() {
        for url in [
            "postgres://app@127.0.0.1:5432/codexapi",
            "postgres://app@127.8.9.1/codexapi",
            "postgres://app@localhost/codexapi",
            "postgres://app@[::1]:5432/codexapi",
            "postgres://app@[::ffff:127.0.0.1]/codexapi",
            "postgres://app@%2Fvar%2Frun%2Fpostgresql/codexapi",
            "postgres://app@db.internal/codexapi?host=/var/run/postgresql",
        ] {
            assert!(matches!(mode(url, None), PgSslMode::Disable), "{url}");
        }
        assert!(matches!(
            mode("postgres://app@127.0.0.1/codexapi?sslmode=require", None),
            PgSslMode::Require
        ));
        assert!(matches!(
            mode(
                "postgres://app@localhost/codexapi?ssl-mode=verify-full",
                None
            ),
            PgSslMode::VerifyFull
        ));
        // The environment's mode is sqlx's to apply; it is not overridden.
        assert!(!matches!(
            mode("postgres://app@127.0.0.1/codexapi", Some("require")),
            PgSslMode::Disable
        ));
    }

    #[test]
    fn a_remote_server_keeps_the_requested_or_default_tls() {
        assert!(matches!(
            mode("postgres://app@db.example.com/codexapi", None),
            PgSslMode::Prefer
        ));
        assert!(matches!(
            mode("postgres://app@10.0.0.5/codexapi?sslmode=verify-ca", None),
            PgSslMode::VerifyCa
        ));
        assert!(postgres_options("postgres://app@127.0.0.1:99999/codexapi", None).is_err());
    }
}
