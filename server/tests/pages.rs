//! The public pages, server-rendered.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use app::pricing::PriceSheet;
use app::server::services::pricing::{set_price, NewModelPrice};
use chrono::{Duration, Utc};
use common::{Backend, TestApp};

both_databases!(
    every_public_page_renders_with_its_content,
    |app: TestApp| async move {
        for (path, expected) in [
            ("/", "One API key for Codex CLI and Claude Code"),
            ("/pricing", "Pricing"),
            ("/setup", "ANTHROPIC_BASE_URL=http://127.0.0.1:3000"),
            ("/privacy", "Privacy policy"),
            ("/terms", "Terms of service"),
        ] {
            let (status, _, html) = app.get_text(path).await;
            assert_eq!(status, 200, "{path}");
            assert!(html.contains(expected), "{path} lacks {expected:?}");
            assert!(
                html.contains("data-testid=\"privacy-button\""),
                "{path} lacks the Privacy button"
            );
            assert!(html.contains("<html lang=\"en\""), "{path}");
        }
    }
);

both_databases!(
    pricing_shows_an_empty_state_without_prices,
    |app: TestApp| async move {
        let (_, _, html) = app.get_text("/pricing").await;
        assert!(html.contains("No models are priced yet"));
        assert!(!html.contains("data-testid=\"price-table\""));
    }
);

both_databases!(
    pricing_lists_the_price_in_force_for_each_model,
    |app: TestApp| async move {
        let now = Utc::now();
        let price = |model: &str, input: i64, from| NewModelPrice {
            model: model.to_owned(),
            per_mtok: PriceSheet {
                input,
                output: 15_000_000,
                cache_write_5m: 3_750_000,
                cache_write_1h: 6_000_000,
                cache_read: 300_000,
            },
            effective_from: from,
        };
        set_price(
            &app.db.conn,
            price("claude-sonnet-4-5", 2_000_000, now - Duration::days(10)),
        )
        .await
        .unwrap();
        set_price(
            &app.db.conn,
            price("claude-sonnet-4-5", 3_000_000, now - Duration::days(1)),
        )
        .await
        .unwrap();
        set_price(
            &app.db.conn,
            price("claude-sonnet-4-5", 9_000_000, now + Duration::days(1)),
        )
        .await
        .unwrap();
        set_price(
            &app.db.conn,
            price("gpt-5-codex", 1_250_000, now - Duration::days(1)),
        )
        .await
        .unwrap();

        let (_, _, html) = app.get_text("/pricing").await;

        assert!(html.contains("data-testid=\"price-table\""));
        assert!(html.contains("claude-sonnet-4-5") && html.contains("gpt-5-codex"));
        assert!(html.contains("$3.00"), "the current price");
        assert!(!html.contains("$2.00"), "a superseded price");
        assert!(!html.contains("$9.00"), "a future price");
        assert!(html.contains("$1.25") && html.contains("$0.30") && html.contains("$3.75"));
    }
);

both_databases!(prices_cannot_be_negative, |app: TestApp| async move {
    let result = set_price(
        &app.db.conn,
        NewModelPrice {
            model: "m".to_owned(),
            per_mtok: PriceSheet {
                input: -1,
                ..PriceSheet::default()
            },
            effective_from: Utc::now(),
        },
    )
    .await;
    assert!(result.is_err());
});

#[tokio::test]
async fn the_privacy_policy_names_the_configured_controller_contact_and_date() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.site.controller_name = "Acme Gateway GmbH".to_owned();
        s.site.privacy_email = "dpo@acme.example".to_owned();
        s.privacy.policy_version = "2026-12-01".to_owned();
    })
    .await
    .unwrap();
    let (_, _, html) = app.get_text("/privacy").await;
    assert!(html.contains("Acme Gateway GmbH"));
    assert!(html.contains("mailto:dpo@acme.example"));
    assert!(html.contains("2026-12-01"));
    assert!(html.contains("Accept analytics"));
}

#[tokio::test]
async fn an_operator_markdown_file_replaces_the_built_in_policy() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("policy.md");
    std::fs::write(&file, "# House rules\n\nWe delete logs nightly.\n").unwrap();
    let app = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.privacy.policy_file = Some(file.clone())
    })
    .await
    .unwrap();
    let (_, _, html) = app.get_text("/privacy").await;
    assert!(html.contains("<h1>House rules</h1>"));
    assert!(!html.contains("Who is responsible"));
}

#[tokio::test]
async fn pages_render_complete_without_javascript() {
    // Out-of-order streaming would leave a "Loading" fallback for scripts to replace; data pages
    // are rendered fully before the first byte so they work with JavaScript off.
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    for path in ["/pricing", "/privacy"] {
        let (_, _, html) = app.get_text(path).await;
        assert!(!html.contains("Loading"), "{path} streamed a fallback");
    }
}
