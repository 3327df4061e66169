//! Every migration can be rolled back and re-applied on both databases; how PostgreSQL is
//! connected to.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use common::{Backend, TestApp};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use secrecy::{ExposeSecret, SecretString};
use server::db::Database;

both_databases!(
    migrations_roll_back_and_reapply_cleanly,
    |app: TestApp| async move {
        let db = &app.db.conn;
        let applied = Migrator::get_applied_migrations(db).await.unwrap().len();
        assert_eq!(applied, Migrator::migrations().len());

        Migrator::down(db, None).await.unwrap();
        assert!(Migrator::get_applied_migrations(db)
            .await
            .unwrap()
            .is_empty());

        Migrator::up(db, None).await.unwrap();
        assert_eq!(
            Migrator::get_applied_migrations(db).await.unwrap().len(),
            applied
        );
    }
);

async fn uses_tls(db: &DatabaseConnection) -> bool {
    db.query_one_raw(Statement::from_string(
        DbBackend::Postgres,
        "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
    ))
    .await
    .unwrap()
    .unwrap()
    .try_get::<bool>("", "ssl")
    .unwrap()
}

/// TLS to a PostgreSQL on this host only adds 40 ms stalls to large statements (see
/// `server::db`), so a loopback URL without `sslmode` connects without it, while a URL that
/// names a mode still gets TLS from a server that offers it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_on_this_host_is_reached_without_tls_unless_asked() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let url = app.settings.database.url.expose_secret().to_owned();
    if !(url.contains("@127.0.0.1") || url.contains("@localhost")) {
        eprintln!("skipping: the test PostgreSQL is not on a loopback address ({url})");
        return;
    }
    assert!(!uses_tls(&app.db.conn).await);

    let offered = app
        .db
        .conn
        .query_one_raw(Statement::from_string(DbBackend::Postgres, "SHOW ssl"))
        .await
        .unwrap()
        .unwrap()
        .try_get::<String>("", "ssl")
        .unwrap()
        == "on";
    let mut settings = app.settings.database.clone();
    settings.url = SecretString::from(format!("{url}?sslmode=prefer"));
    let asked = Database::connect(&settings).await.unwrap();
    assert_eq!(uses_tls(&asked.conn).await, offered);
    asked.conn.close().await.unwrap();
}
