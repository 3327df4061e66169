//! Server-side rendering latency of the home page: starts the real application on port 0 with a
//! fresh SQLite database and times sequential `GET /` requests over one keep-alive connection.
//!
//! `cargo run --release -p server --example ssr_bench [-- REQUESTS]` (default 1000).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "benchmark tool"
)]

use app::server::config::Settings;
use secrecy::SecretString;
use server::Application;
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() {
    let requests: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::default();
    settings.server.port = 0;
    settings.log.filter = "error".to_owned();
    settings.security.secret_key = Some(SecretString::from(
        "YmVuY2htYXJrLW9ubHkta2V5LWZvci1jb2RleGFwaS1iZW5jaA==",
    ));
    settings.database.url =
        SecretString::from(format!("sqlite://{}/bench.db", dir.path().display()));
    server::telemetry::init(&settings.log);
    let app = Application::build(settings).await.unwrap();
    let url = format!("http://127.0.0.1:{}/", app.port());
    tokio::spawn(app.run_until(std::future::pending()));

    let client = reqwest::Client::new();
    for _ in 0..50 {
        client
            .get(&url)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
    }
    let mut samples: Vec<Duration> = Vec::with_capacity(requests);
    let mut bytes = 0;
    for _ in 0..requests {
        let started = Instant::now();
        let response = client.get(&url).send().await.unwrap();
        assert_eq!(response.status(), 200);
        bytes = response.bytes().await.unwrap().len();
        samples.push(started.elapsed());
    }
    samples.sort();
    let percentile = |p: usize| samples[(samples.len() * p / 100).min(samples.len() - 1)];
    let mean = samples.iter().sum::<Duration>() / samples.len() as u32;
    println!(
        "GET / x{requests} ({bytes} bytes): p50 {:?}  p90 {:?}  p99 {:?}  mean {mean:?}  max {:?}",
        percentile(50),
        percentile(90),
        percentile(99),
        samples[samples.len() - 1]
    );
}
