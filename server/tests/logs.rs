//! The server's own log, at debug level, never contains a password, session token, TOTP secret
//! or emailed token, and neither the log, the database nor the wallet export holds an API token
//! or anything of the prompts and answers that went through the proxy (canary strings): the
//! server runs as a separate process, as deployed, and its output is searched after a tour of
//! every flow that handles one.
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
        .env("CODEXAPI_PROXY__ALLOW_PRIVATE_UPSTREAMS", "true")
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

    // API traffic through the proxy carrying canaries: unique strings in the prompts and in
    // the answers.
    let db_file = dir.path().join("logs.db");
    let (token, canaries, export) = proxy_traffic(&base, &db_file).await;

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
    assert!(
        captured.contains("/v1/messages"),
        "API requests were logged"
    );
    let mut stored = String::new();
    for suffix in ["", "-wal"] {
        if let Ok(bytes) = std::fs::read(format!("{}{suffix}", db_file.display())) {
            stored.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    // The secret is URL-safe base64, which may itself contain '_': split after the public id.
    let (_, secret_part) = token
        .strip_prefix("cdx_")
        .and_then(|rest| rest.split_once('_'))
        .unwrap();
    for (place, text) in [
        ("log", &captured),
        ("database", &stored),
        ("wallet and usage CSV exports", &export),
    ] {
        for canary in &canaries {
            assert!(
                !text.contains(canary.as_str()),
                "the {place} holds content: {canary}"
            );
        }
        assert!(!text.contains(&token), "the {place} holds the API token");
        assert!(
            !text.contains(secret_part),
            "the {place} holds the token's secret"
        );
    }
}

/// Sets up a price, a provider (the fake), credit and a token in the server's database, then
/// sends Anthropic and OpenAI requests whose prompts and answers carry canaries. Returns the
/// token, the canaries and the customer's wallet CSV export followed by the usage CSV export.
async fn proxy_traffic(base: &str, db_file: &std::path::Path) -> (String, Vec<String>, String) {
    use app::pricing::PriceSheet;
    use app::server::services::api_tokens::{self, TokenOptions};
    use app::server::services::ledger::WalletKind;
    use app::server::services::pricing::{self, NewModelPrice};
    use app::server::services::proxy::providers::{self, NewProvider, Protocol};
    use app::server::services::proxy::records;
    use app::server::services::secrets::Keys;
    use app::server::services::wallets;
    use common::fake_upstream::FakeUpstream;
    use sea_orm::EntityTrait;

    let fake = FakeUpstream::start().await;
    let db = sea_orm::Database::connect(format!("sqlite://{}", db_file.display()))
        .await
        .unwrap();
    let now = chrono::Utc::now();
    let security = app::server::config::SecuritySettings {
        secret_key: Some(secrecy::SecretString::from(TEST_SECRET_KEY)),
        ..Default::default()
    };
    let keys = Keys::new(&security.key_bytes().unwrap());
    for (model, protocol) in [
        ("claude-test", Protocol::Anthropic),
        ("gpt-test", Protocol::OpenAi),
    ] {
        pricing::set_price(
            &db,
            NewModelPrice {
                model: model.to_owned(),
                per_mtok: PriceSheet {
                    input: 1_000_000,
                    output: 2_000_000,
                    ..PriceSheet::default()
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
                name: format!("{model}-provider"),
                protocol,
                base_url: fake.base_url.clone(),
                api_key: secrecy::SecretString::from("sk-upstream-secret"),
                priority: 0,
                weight: 1,
                models: vec![(model.to_owned(), String::new())],
            },
            true,
            now,
        )
        .await
        .unwrap();
    }
    let user = entity::users::Entity::find()
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.email == "logs@example.com")
        .unwrap();
    let viewer = app::auth::Viewer {
        user_id: user.id,
        session_id: 0,
        name: user.name.clone(),
        username: user.username.clone(),
        email: user.email.clone(),
        role: app::auth::Role::Admin,
        email_verified: true,
        two_factor: true,
    };
    wallets::admin_adjust(
        &db,
        &viewer,
        user.id,
        WalletKind::Token,
        5_000_000,
        "credit",
        "k1",
        now,
    )
    .await
    .unwrap();
    let token = api_tokens::create(&db, &viewer, TokenOptions::open("canary"), now)
        .await
        .unwrap()
        .secret
        .expose()
        .to_owned();

    let client = reqwest::Client::new();
    let mut canaries = Vec::new();
    for (n, (path, stream)) in [
        ("/v1/messages", false),
        ("/v1/messages", true),
        ("/v1/responses", true),
        ("/v1/chat/completions", false),
    ]
    .into_iter()
    .enumerate()
    {
        let prompt = format!("CANARY-PROMPT-{n}-{}", uuid::Uuid::new_v4());
        let answer = format!("CANARY-ANSWER-{n}-{}", uuid::Uuid::new_v4());
        let model = if path == "/v1/messages" {
            "claude-test"
        } else {
            "gpt-test"
        };
        let body = serde_json::json!({
            "model": model,
            "max_tokens": 100,
            "stream": stream,
            "messages": [{"role": "user", "content": prompt}],
            "input": prompt,
        });
        let response = client
            .post(format!("{base}{path}"))
            .header("x-forwarded-for", "198.51.100.201")
            .header("x-api-key", &token)
            .header("x-fake", format!("echo:{answer}"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let text = response.text().await.unwrap();
        assert!(text.contains(&answer), "the answer came through");
        canaries.push(prompt);
        canaries.push(answer);
    }
    // Settling happens just after the answer leaves: wait for all four.
    let mut export = String::new();
    for _ in 0..200 {
        export = wallets::history_csv(
            &db,
            user.id,
            &wallets::HistoryFilter::default(),
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        if export.matches(",usage,").count() == 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(export.matches(",usage,").count(), 4, "{export}");
    // Staff's export of every usage record goes into the same search.
    let usage = records::csv(&db, &records::UsageFilter::default())
        .await
        .unwrap();
    assert_eq!(usage.lines().count(), 5, "{usage}");
    export.push_str(&usage);
    (token, canaries, export)
}
