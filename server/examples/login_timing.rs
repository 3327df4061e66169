//! Does answer time reveal whether an address has an account? Measures sign-in with a wrong
//! password for an existing account against sign-in for unknown addresses, and password-reset
//! requests for both, over HTTP against a real server (SQLite, loopback), interleaved.
//!
//! `cargo run -p server --example login_timing` (argon2 is optimised even in dev builds)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "benchmark tool"
)]

use app::auth::Role;
use app::server::config::Settings;
use app::server::services::passwords::Passwords;
use app::server::services::users::{self, NewUser};
use secrecy::SecretString;
use server::Application;
use std::time::{Duration, Instant};

const ROUNDS: usize = 40;

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::default();
    settings.server.port = 0;
    settings.server.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    settings.database.url = SecretString::from(format!(
        "sqlite://{}",
        dir.path().join("timing.db").display()
    ));
    settings.security.secret_key = Some(SecretString::from(
        "dGltaW5nLWJlbmNobWFyay1rZXktMzItYnl0ZXMtbG9uZw==",
    ));
    settings.log.filter = "off".to_owned();
    let app = Application::build(settings.clone()).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    let hash = Passwords::new(&settings.passwords)
        .unwrap()
        .hash("the real password 1")
        .await
        .unwrap();
    users::create(
        &app.database().conn,
        NewUser {
            email: "known@example.com".to_owned(),
            username: "known".to_owned(),
            name: "Known".to_owned(),
            password_hash: hash,
            role: Role::Customer,
            email_verified: true,
        },
    )
    .await
    .unwrap();
    tokio::spawn(app.run_until(std::future::pending()));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    // The owner's browser is known to the account, so its failures are not cut off by the
    // per-account budget; unknown addresses each get their own budget.
    let login = client
        .post(format!("{base}/api/log_in"))
        .header("x-forwarded-for", "203.0.113.250")
        .form(&[
            ("email", "known@example.com"),
            ("password", "the real password 1"),
        ])
        .send()
        .await
        .unwrap();
    let device = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("codexapi_device="))
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_owned();

    let mut known_login = Vec::new();
    let mut unknown_login = Vec::new();
    let mut known_reset = Vec::new();
    let mut unknown_reset = Vec::new();
    for round in 0..ROUNDS {
        let ip = |n: usize| format!("198.51.{}.{}", n / 250, n % 250 + 1);
        let time = |endpoint: &'static str, email: String, n: usize| {
            let client = client.clone();
            let base = base.clone();
            let device = device.clone();
            async move {
                let started = Instant::now();
                let response = client
                    .post(format!("{base}/api/{endpoint}"))
                    .header("x-forwarded-for", ip(n))
                    .header("cookie", device)
                    .form(&[("email", email.as_str()), ("password", "a wrong password")])
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                let _ = response.bytes().await;
                (started.elapsed(), status)
            }
        };
        // Alternate which goes first, so neither always follows the other's side effects.
        let known_first = round % 2 == 0;
        for known in [known_first, !known_first] {
            let n = round * 4 + usize::from(known);
            let email = if known {
                "known@example.com".to_owned()
            } else {
                format!("nobody{round}@example.com")
            };
            let (t, s) = time("log_in", email, n).await;
            assert_eq!(s, 401);
            if known {
                known_login.push(t)
            } else {
                unknown_login.push(t)
            }
        }
        for known in [known_first, !known_first] {
            let n = round * 4 + 2 + usize::from(known);
            let email = if known {
                "known@example.com".to_owned()
            } else {
                format!("nobody{round}@example.com")
            };
            let (t, _) = time("request_password_reset", email, n).await;
            if known {
                known_reset.push(t)
            } else {
                unknown_reset.push(t)
            }
        }
    }
    for (label, samples) in [
        (
            "sign-in, existing account, wrong password",
            &mut known_login,
        ),
        ("sign-in, unknown address", &mut unknown_login),
        ("reset request, existing account", &mut known_reset),
        ("reset request, unknown address", &mut unknown_reset),
    ] {
        samples.sort();
        let mean: Duration =
            samples.iter().sum::<Duration>() / u32::try_from(samples.len()).unwrap();
        println!(
            "{label:45} n={ROUNDS} p50 {:>8.2?} mean {:>8.2?} p90 {:>8.2?}",
            samples[samples.len() / 2],
            mean,
            samples[samples.len() * 9 / 10]
        );
    }
}
