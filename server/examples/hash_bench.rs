//! Password hashing cost at the configured argon2id parameters, and throughput when many
//! sign-ins arrive at once (bounded by the hashing semaphore).
//!
//! `cargo run --profile server-release -p server --example hash_bench`
#![allow(clippy::unwrap_used, clippy::print_stdout, reason = "benchmark tool")]

use app::server::config::PasswordSettings;
use app::server::services::passwords::Passwords;
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() {
    let settings = PasswordSettings::default();
    let passwords = Passwords::new(&settings).unwrap();
    let _ = passwords.hash("warm-up password").await.unwrap();

    let mut samples: Vec<Duration> = Vec::new();
    for n in 0..20 {
        let started = Instant::now();
        let _ = passwords
            .hash(&format!("benchmark password {n}"))
            .await
            .unwrap();
        samples.push(started.elapsed());
    }
    samples.sort();
    println!(
        "argon2id m={} KiB t={} p={}: one hash p50 {:?}, min {:?}, max {:?}",
        settings.memory_kib,
        settings.iterations,
        settings.parallelism,
        samples[samples.len() / 2],
        samples[0],
        samples[samples.len() - 1]
    );

    let burst = 40;
    let started = Instant::now();
    let tasks: Vec<_> = (0..burst)
        .map(|n| {
            let passwords = passwords.clone();
            tokio::spawn(async move { passwords.hash(&format!("burst password {n}")).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let elapsed = started.elapsed();
    println!(
        "{burst} concurrent hashes: {elapsed:?} ({:.1} hashes/s)",
        f64::from(burst) / elapsed.as_secs_f64()
    );
}
