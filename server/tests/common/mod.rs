//! `TestApp`: the real server on port 0 with a fresh database per test, on SQLite (a temporary
//! file) or PostgreSQL (a new database, dropped afterwards). Later test suites reuse it with
//! `mod common;`.
#![allow(
    dead_code,
    reason = "each test crate uses a different part of the harness"
)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    reason = "test harness: failing loudly is the point"
)]

pub mod accounts;
pub mod fake_upstream;
pub mod smtp_sink;

use app::server::config::Settings;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use secrecy::SecretString;
use server::db::Database;
use server::Application;
use std::path::PathBuf;
use tokio::sync::oneshot;

/// A request that hangs fails its test with a timeout instead of stalling the whole run.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// `security.secret_key` of test servers (32 bytes, base64).
pub const TEST_SECRET_KEY: &str = "dGVzdC1vbmx5LWtleS1mb3ItY29kZXhhcGktdGVzdHMh";

/// Which database a test runs against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Server address of the PostgreSQL used for tests; a database is created per test.
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// Set to `1` (CI does) to fail, rather than skip, PostgreSQL tests when it is unreachable.
fn postgres_required() -> bool {
    std::env::var("REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

/// A running server and its database.
pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub client: reqwest::Client,
    pub db: Database,
    pub backend: Backend,
    pub sqlite_file: Option<PathBuf>,
    pub settings: Settings,
    stop: Option<oneshot::Sender<()>>,
    running: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _storage: Storage,
}

enum Storage {
    Sqlite(tempfile::TempDir),
    Postgres(PostgresDatabase),
}

impl TestApp {
    /// Starts a server with default test settings; `None` when the backend is PostgreSQL and it
    /// is unreachable (and not required).
    pub async fn spawn(backend: Backend) -> Option<Self> {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Starts a server after `customise` adjusts the settings.
    pub async fn spawn_with(
        backend: Backend,
        customise: impl FnOnce(&mut Settings),
    ) -> Option<Self> {
        let mut settings = Settings::default();
        settings.server.port = 0;
        settings.server.shutdown_grace_secs = 1;
        settings.leptos.site_root =
            concat!(env!("CARGO_MANIFEST_DIR"), "/../frontend/public").to_owned();
        // Cheapest parameters the validation allows; production cost is tested in `app`.
        settings.passwords.memory_kib = 19_456;
        settings.security.secret_key = Some(SecretString::from(TEST_SECRET_KEY));
        // Quiet unless RUST_LOG asks: expected failures (503s, 413s) would read as errors.
        settings.log.filter = "off".to_owned();
        let (storage, sqlite_file) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let file = dir.path().join("codexapi-test.db");
                settings.database.url = SecretString::from(format!("sqlite://{}", file.display()));
                (Storage::Sqlite(dir), Some(file))
            }
            Backend::Postgres => {
                let database = PostgresDatabase::create().await?;
                settings.database.url = SecretString::from(database.url.clone());
                settings.database.max_connections = 5;
                (Storage::Postgres(database), None)
            }
        };
        customise(&mut settings);
        Some(Self::start(settings, backend, storage, sqlite_file).await)
    }

    async fn start(
        settings: Settings,
        backend: Backend,
        storage: Storage,
        sqlite_file: Option<PathBuf>,
    ) -> Self {
        settings.validate().expect("test settings are valid");
        server::telemetry::init(&settings.log);
        let application = Application::build(settings.clone())
            .await
            .expect("application builds");
        let port = application.port();
        let db = application.database().clone();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let running = tokio::spawn(application.run_until(async move {
            let _ = stop_rx.await;
        }));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .build()
            .expect("http client");
        Self {
            address: format!("http://127.0.0.1:{port}"),
            port,
            client,
            db,
            backend,
            sqlite_file,
            settings,
            stop: Some(stop_tx),
            running: Some(running),
            _storage: storage,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    pub async fn get_text(
        &self,
        path: &str,
    ) -> (reqwest::StatusCode, reqwest::header::HeaderMap, String) {
        let response = self.get(path).await;
        let status = response.status();
        let headers = response.headers().clone();
        (status, headers, response.text().await.expect("body"))
    }

    /// Asks the server to shut down gracefully and waits until it has stopped.
    pub async fn shutdown(&mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.running.take() {
            Some(running) => running.await?,
            None => Ok(()),
        }
    }

    /// Runs a statement directly on the test's database.
    pub async fn execute(&self, sql: &str) {
        let backend = self.db.conn.get_database_backend();
        self.db
            .conn
            .execute_raw(Statement::from_string(backend, sql))
            .await
            .expect("statement runs");
    }

    /// The `sqlite`/`postgres` backend of the app's connection.
    pub fn db_backend(&self) -> DbBackend {
        self.db.conn.get_database_backend()
    }

    /// Makes the database unusable under the running server: SQLite's file is deleted,
    /// PostgreSQL's database is dropped (its connections are terminated).
    pub async fn destroy_database(&mut self) {
        match &self._storage {
            Storage::Sqlite(_) => {
                if let Some(file) = &self.sqlite_file {
                    for suffix in ["", "-wal", "-shm"] {
                        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
                    }
                }
            }
            Storage::Postgres(database) => database.drop_now().await,
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A PostgreSQL database created for one test and dropped when the test ends.
struct PostgresDatabase {
    name: String,
    url: String,
}

impl PostgresDatabase {
    async fn create() -> Option<Self> {
        let admin_url = postgres_admin_url();
        let admin = match sea_orm::Database::connect(&admin_url).await {
            Ok(conn) => conn,
            Err(error) if !postgres_required() => {
                eprintln!("skipping PostgreSQL test: {admin_url} unreachable ({error})");
                return None;
            }
            Err(error) => panic!("PostgreSQL is required but {admin_url} is unreachable: {error}"),
        };
        let name = format!("codexapi_test_{}", uuid::Uuid::new_v4().simple());
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create test database");
        let _ = admin.close().await;
        let base = admin_url
            .rsplit_once('/')
            .map(|(base, _)| base)
            .unwrap_or(&admin_url);
        Some(Self {
            url: format!("{base}/{name}"),
            name,
        })
    }

    async fn drop_now(&self) {
        drop_database(self.name.clone()).await;
    }
}

async fn drop_database(name: String) {
    if let Ok(admin) = sea_orm::Database::connect(&postgres_admin_url()).await {
        let _ = admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await;
        let _ = admin.close().await;
    }
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        // Drop runs inside the test's runtime, which cannot be blocked on; a short-lived
        // runtime on its own thread does the cleanup and is joined so no database leaks.
        let name = self.name.clone();
        let cleanup = std::thread::spawn(move || {
            if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                runtime.block_on(drop_database(name));
            }
        });
        let _ = cleanup.join();
    }
}

/// Declares a test that runs once on SQLite and once on PostgreSQL:
/// `both_databases!(name, |app| async move { ... });`
#[macro_export]
macro_rules! both_databases {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                let app = $crate::common::TestApp::spawn($crate::common::Backend::Sqlite)
                    .await
                    .expect("SQLite test app");
                ($body)(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                if let Some(app) =
                    $crate::common::TestApp::spawn($crate::common::Backend::Postgres).await
                {
                    ($body)(app).await;
                }
            }
        }
    };
}

/// Runs the `server` binary with `args` against the SQLite database `database_url` (plus any
/// `env`), with the caller's own `CODEXAPI_*` settings removed, and insists that it succeeds.
pub async fn run_server_command(
    args: &[&str],
    database_url: &str,
    env: &[(&str, &str)],
) -> std::process::Output {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_server"));
    for (key, _) in std::env::vars() {
        if key.starts_with("CODEXAPI_") {
            command.env_remove(key);
        }
    }
    command
        .args(args)
        .env("CODEXAPI_DATABASE__URL", database_url)
        .env("RUST_LOG", "off");
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().await.expect("the server binary runs");
    assert!(
        output.status.success(),
        "server {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Extracts the `nonce` attribute of the first inline script in a page.
pub fn first_script_nonce(html: &str) -> Option<String> {
    let start = html.find("<script")?;
    let tag_end = start + html[start..].find('>')?;
    let tag = &html[start..tag_end];
    let nonce_at = tag.find("nonce=\"")? + "nonce=\"".len();
    let nonce_end = nonce_at + tag[nonce_at..].find('"')?;
    Some(tag[nonce_at..nonce_end].to_owned())
}

/// The `server` binary running as its own process on a test server's database: a second
/// replica. Killed when dropped.
pub struct ServerProcess {
    pub address: String,
    _child: tokio::process::Child,
}

impl TestApp {
    /// Starts the server binary as a separate process on this test server's database (with its
    /// secret key and trusted proxies), and waits until it listens.
    pub async fn spawn_process_beside(&self) -> ServerProcess {
        use secrecy::ExposeSecret;
        use tokio::io::AsyncBufReadExt;
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_server"));
        for (key, _) in std::env::vars() {
            if key.starts_with("CODEXAPI_") {
                command.env_remove(key);
            }
        }
        let proxies: Vec<String> = self
            .settings
            .server
            .trusted_proxies
            .iter()
            .map(|net| format!("\"{net}\""))
            .collect();
        let mut child = command
            .arg("serve")
            .env("CODEXAPI_SERVER__PORT", "0")
            .env(
                "CODEXAPI_SERVER__TRUSTED_PROXIES",
                format!("[{}]", proxies.join(",")),
            )
            .env(
                "CODEXAPI_DATABASE__URL",
                self.settings.database.url.expose_secret(),
            )
            .env("CODEXAPI_DATABASE__MAX_CONNECTIONS", "5")
            .env(
                "CODEXAPI_PROXY__ALLOW_PRIVATE_UPSTREAMS",
                self.settings.proxy.allow_private_upstreams.to_string(),
            )
            .env(
                "CODEXAPI_PROXY__MAX_CONCURRENT_PER_TOKEN",
                self.settings.proxy.max_concurrent_per_token.to_string(),
            )
            .env(
                "CODEXAPI_PROXY__REQUESTS_PER_MINUTE",
                self.settings.proxy.requests_per_minute.to_string(),
            )
            .env(
                "CODEXAPI_SECURITY__SECRET_KEY",
                self.settings
                    .security
                    .secret_key
                    .as_ref()
                    .map(|k| k.expose_secret().to_owned())
                    .unwrap_or_default(),
            )
            .env(
                "CODEXAPI_LEPTOS__SITE_ROOT",
                &self.settings.leptos.site_root,
            )
            .env("RUST_LOG", "off")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("the server binary starts");
        let mut lines = tokio::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
        let address = loop {
            let line = lines
                .next_line()
                .await
                .expect("stdout readable")
                .expect("the second server printed its address");
            if let Some(rest) = line.split("listening on ").nth(1) {
                break rest
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_owned();
            }
        };
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        ServerProcess {
            address,
            _child: child,
        }
    }
}
