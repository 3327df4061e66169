//! The server's own log, at debug level, never contains a password, session token, TOTP secret
//! or emailed token: the server runs as a separate process, as deployed, and its output is
//! searched after a tour of every flow that handles one.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use common::accounts::{enable_two_factor, mail_to, token_in, Browser, PASSWORD, SESSION};
use common::smtp_sink::{SinkMode, SmtpSink};
use common::TEST_SECRET_KEY;
use reqwest::StatusCode;
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debug_logs_hold_no_secrets() {
    let sink = SmtpSink::start(SinkMode::Accept).await;
    let dir = tempfile::tempdir().unwrap();
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_server"));
    for (key, _) in std::env::vars() {
        if key.starts_with("CODEXAPI_") {
            command.env_remove(key);
        }
    }
    let mut child = command
        .arg("serve")
        .env("CODEXAPI_SERVER__PORT", "0")
        .env("CODEXAPI_SERVER__TRUSTED_PROXIES", "[\"127.0.0.1/32\"]")
        .env(
            "CODEXAPI_DATABASE__URL",
            format!("sqlite://{}", dir.path().join("logs.db").display()),
        )
        .env("CODEXAPI_SECURITY__SECRET_KEY", TEST_SECRET_KEY)
        .env("CODEXAPI_EMAIL__SMTP_URL", sink.url())
        .env("CODEXAPI_EMAIL__POLL_INTERVAL_MS", "20")
        .env(
            "CODEXAPI_LEPTOS__SITE_ROOT",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../frontend/public"),
        )
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut captured = String::new();
    let base = loop {
        let line = stdout
            .next_line()
            .await
            .unwrap()
            .expect("the server printed its address");
        captured.push_str(&line);
        captured.push('\n');
        if let Some(rest) = line.split("listening on ").nth(1) {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    let stdout_rest = tokio::spawn(async move {
        let mut rest = String::new();
        while let Ok(Some(line)) = stdout.next_line().await {
            rest.push_str(&line);
            rest.push('\n');
        }
        rest
    });
    let mut stderr = child.stderr.take().unwrap();
    let stderr_all = tokio::spawn(async move {
        let mut all = String::new();
        let _ = stderr.read_to_string(&mut all).await;
        all
    });

    // Sign up, confirm, sign in, turn on two-step verification, sign in with a code, reset the
    // password by mail, and sign in by link.
    let browser = Browser::at(&base, "198.51.100.200");
    let signed_up = browser
        .call(
            "sign_up",
            &[
                ("name", "Log Test"),
                ("email", "logs@example.com"),
                ("username", "logtest"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(signed_up.status, StatusCode::OK, "{}", signed_up.body);
    let verify = token_in(
        &mail_to(&sink, "logs@example.com", 1).await,
        "/verify-email",
    );
    browser.call("verify_email", &[("token", &verify)]).await;
    browser.log_in("logs@example.com", PASSWORD).await;
    let first_session = browser.cookie(SESSION).unwrap();
    let (secret, codes) = enable_two_factor(&browser).await;
    let recovery = codes[0].clone();
    browser.call("log_out", &[]).await;
    browser.log_in("logs@example.com", PASSWORD).await;
    let pending = browser.cookie("codexapi_pending").unwrap();
    browser.call("complete_login", &[("code", &recovery)]).await;
    let second_session = browser.cookie(SESSION).unwrap();
    browser
        .call("request_password_reset", &[("email", "logs@example.com")])
        .await;
    let reset = token_in(
        &mail_to(&sink, "logs@example.com", 2).await,
        "/reset-password",
    );
    let new_password = "quiet lantern mosaic 9";
    browser
        .call(
            "reset_password",
            &[("token", &reset), ("password", new_password)],
        )
        .await;
    browser
        .call("request_magic_link", &[("email", "logs@example.com")])
        .await;
    let link = token_in(&mail_to(&sink, "logs@example.com", 4).await, "/login/link");
    browser.call("log_in_with_link", &[("token", &link)]).await;

    child.start_kill().unwrap();
    let _ = child.wait().await;
    captured.push_str(&stdout_rest.await.unwrap());
    captured.push_str(&stderr_all.await.unwrap());
    assert!(
        captured.contains("DEBUG") || captured.contains("debug"),
        "debug logging was on"
    );
    assert!(captured.contains("/api/log_in"), "requests were logged");
    for (what, secret) in [
        ("password", PASSWORD),
        ("new password", new_password),
        ("session", first_session.as_str()),
        ("session", second_session.as_str()),
        ("pending sign-in", pending.as_str()),
        ("TOTP secret", secret.as_str()),
        ("recovery code", recovery.as_str()),
        ("verification token", verify.as_str()),
        ("reset token", reset.as_str()),
        ("sign-in link token", link.as_str()),
    ] {
        assert!(!captured.contains(secret), "the log contains a {what}");
    }
}
