//! Proxy overhead with billing fully on: the real application (release build) in front of a
//! mock Anthropic provider on loopback, compared with calling the mock directly in the same run.
//!
//! 1. Saturation: `CONCURRENCY` clients send non-streaming `/v1/messages` back to back for
//!    `SECONDS`; requests per second through the proxy and directly.
//! 2. Added latency at a fixed rate: requests start every 1/`RATE` s (open loop) for `SECONDS`;
//!    p50 and p99 latency through the proxy and directly.
//!
//! `cargo run --profile server-release -p server --example proxy_bench [-- RATE SECONDS CONCURRENCY]`
//! (default 1000 10 64); `BENCH_DATABASE_URL=postgres://…` benchmarks PostgreSQL instead of a
//! fresh SQLite file.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "benchmark tool"
)]

use app::auth::{Role, Viewer};
use app::pricing::PriceSheet;
use app::server::config::Settings;
use app::server::services::api_tokens::{self, TokenOptions};
use app::server::services::ledger::WalletKind;
use app::server::services::passwords::Passwords;
use app::server::services::pricing::{self, NewModelPrice};
use app::server::services::proxy::providers::{self, NewProvider, Protocol};
use app::server::services::secrets::Keys;
use app::server::services::users::{self, NewUser};
use app::server::services::wallets;
use secrecy::SecretString;
use server::Application;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ANSWER: &str = r#"{"id":"msg_bench","type":"message","role":"assistant","model":"claude-bench","content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":3}}"#;
const BODY: &str =
    r#"{"model":"claude-bench","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}"#;

async fn mock_provider() -> String {
    let app = axum::Router::new().route(
        "/v1/messages",
        axum::routing::post(|| async {
            ([(http::header::CONTENT_TYPE, "application/json")], ANSWER)
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    address
}

/// Starts the application and seeds a price, a provider, a funded customer and a token.
async fn proxy(mock: &str, database_url: String) -> (String, String, sea_orm::DatabaseConnection) {
    let mut settings = Settings::default();
    settings.server.port = 0;
    settings.log.filter = "error".to_owned();
    settings.database.url = SecretString::from(database_url);
    settings.security.secret_key = Some(SecretString::from(
        "YmVuY2htYXJrLW9ubHkta2V5LWZvci1jb2RleGFwaS1iZW5jaA==",
    ));
    settings.proxy.allow_private_upstreams = true;
    settings.proxy.requests_per_minute = 10_000_000;
    settings.proxy.max_concurrent_per_token = 100_000;
    server::telemetry::init(&settings.log);
    let keys = Keys::new(&settings.security.key_bytes().unwrap());
    let app = Application::build(settings.clone()).await.unwrap();
    let db = app.database().conn.clone();
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until(std::future::pending()));

    let now = chrono::Utc::now();
    pricing::set_price(
        &db,
        NewModelPrice {
            model: "claude-bench".to_owned(),
            per_mtok: PriceSheet {
                input: 3_000_000,
                output: 15_000_000,
                cache_write_5m: 3_750_000,
                cache_write_1h: 6_000_000,
                cache_read: 300_000,
            },
            effective_from: now - chrono::Duration::hours(1),
        },
    )
    .await
    .unwrap();
    providers::create(
        &db,
        &keys,
        NewProvider {
            name: "mock".to_owned(),
            protocol: Protocol::Anthropic,
            base_url: mock.to_owned(),
            api_key: SecretString::from("sk-mock"),
            priority: 0,
            weight: 1,
            models: vec![("claude-bench".to_owned(), String::new())],
        },
        true,
        now,
    )
    .await
    .unwrap();
    let hash = Passwords::new(&settings.passwords)
        .unwrap()
        .hash("bench password 123")
        .await
        .unwrap();
    let user = users::create(
        &db,
        NewUser {
            email: format!("bench-{}@example.com", now.timestamp_micros()),
            username: format!("bench{}", now.timestamp_micros()),
            name: "Bench".to_owned(),
            password_hash: hash,
            role: Role::Admin,
            email_verified: true,
        },
    )
    .await
    .unwrap();
    let viewer = Viewer {
        user_id: user.id,
        session_id: 0,
        name: user.name.clone(),
        username: user.username.clone(),
        email: user.email.clone(),
        role: Role::Admin,
        email_verified: true,
        two_factor: true,
    };
    wallets::admin_adjust(
        &db,
        &viewer,
        user.id,
        WalletKind::Token,
        1_000_000_000_000,
        "benchmark credit",
        &format!("bench-{}", now.timestamp_micros()),
        now,
    )
    .await
    .unwrap();
    let token = api_tokens::create(&db, &viewer, TokenOptions::open("bench"), now)
        .await
        .unwrap();
    (address, token.secret.expose().to_owned(), db)
}

/// Requests answered through the proxy (each must end up billed).
static PROXIED: AtomicU64 = AtomicU64::new(0);

async fn send(client: &reqwest::Client, base: &str, token: &str) -> Duration {
    let started = Instant::now();
    let response = client
        .post(format!("{base}/v1/messages"))
        .header("x-api-key", token)
        .header("content-type", "application/json")
        .body(BODY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.bytes().await.unwrap();
    if token != "-" {
        PROXIED.fetch_add(1, Ordering::Relaxed);
    }
    started.elapsed()
}

/// Requests per second with `concurrency` clients sending back to back.
async fn saturation(base: &str, token: &str, concurrency: usize, seconds: u64) -> f64 {
    let client = reqwest::Client::new();
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, done, base, token) = (
                client.clone(),
                done.clone(),
                base.to_owned(),
                token.to_owned(),
            );
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    send(&client, &base, &token).await;
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap();
    }
    done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

/// Latencies of requests started at a fixed `rate` per second for `seconds` (open loop).
async fn at_rate(base: &str, token: &str, rate: u64, seconds: u64) -> Vec<Duration> {
    let client = reqwest::Client::new();
    let mut ticks = tokio::time::interval(Duration::from_nanos(1_000_000_000 / rate));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut running = Vec::new();
    for _ in 0..rate * seconds {
        ticks.tick().await;
        let (client, base, token) = (client.clone(), base.to_owned(), token.to_owned());
        running.push(tokio::spawn(
            async move { send(&client, &base, &token).await },
        ));
    }
    let mut samples = Vec::with_capacity(running.len());
    for request in running {
        samples.push(request.await.unwrap());
    }
    samples.sort();
    samples
}

fn percentile(samples: &[Duration], p: usize) -> Duration {
    samples[(samples.len() * p / 100).min(samples.len() - 1)]
}

#[tokio::main]
async fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let rate = args.first().copied().unwrap_or(1000);
    let seconds = args.get(1).copied().unwrap_or(10);
    let concurrency = args.get(2).copied().unwrap_or(64) as usize;
    let dir = tempfile::tempdir().unwrap();
    let database = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.db", dir.path().display()));
    let backend = if database.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let mock = mock_provider().await;
    let (site, token, db) = proxy(&mock, database).await;
    // Warm both paths (connections, caches).
    for _ in 0..200 {
        send(&reqwest::Client::new(), &site, &token).await;
    }

    let direct_rps = saturation(&mock, "-", concurrency, seconds).await;
    let proxy_rps = saturation(&site, &token, concurrency, seconds).await;
    println!(
        "{backend}: saturation with {concurrency} clients for {seconds} s: proxy {proxy_rps:.0} req/s, mock directly {direct_rps:.0} req/s"
    );
    let direct = at_rate(&mock, "-", rate, seconds).await;
    let proxied = at_rate(&site, &token, rate, seconds).await;
    for (name, p) in [("p50", 50), ("p99", 99)] {
        let (d, x) = (percentile(&direct, p), percentile(&proxied, p));
        println!(
            "{backend}: {rate} req/s for {seconds} s: {name} proxy {x:?}, directly {d:?}, added {:?}",
            x.saturating_sub(d)
        );
    }
    billing_check(&db).await;
}

/// Every proxied request has its usage record and its charge in the ledger, and the ledger's
/// invariants hold: the figures above are for fully billed requests.
async fn billing_check(db: &sea_orm::DatabaseConnection) {
    use sea_orm::{EntityTrait, PaginatorTrait};
    let proxied = PROXIED.load(Ordering::Relaxed);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut records = 0;
    while Instant::now() < deadline {
        records = entity::usage_records::Entity::find()
            .count(db)
            .await
            .unwrap();
        if records >= proxied {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let charged: i64 = entity::usage_records::Entity::find()
        .all(db)
        .await
        .unwrap()
        .iter()
        .map(|record| record.charge)
        .sum();
    use app::server::services::ledger;
    let revenue = ledger::system_account(db, ledger::SystemAccount::Revenue, chrono::Utc::now())
        .await
        .unwrap()
        .posted_balance;
    let violations = ledger::check_invariants(db).await.unwrap();
    println!(
        "billing: {proxied} requests proxied, {records} usage records, {charged} micro-units charged, revenue {revenue}, ledger invariants: {}",
        if violations.is_empty() { "sound".to_owned() } else { format!("{violations:?}") }
    );
    assert_eq!(records, proxied, "every proxied request is recorded");
    assert!(violations.is_empty());
    assert_eq!(
        revenue, charged,
        "revenue holds exactly what the records charged"
    );
}
