//! Deny by default: every server function the binary registers has an entry in the access
//! table, nothing in the table is stale, and no state-changing call is accepted cross-site.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use app::auth::SERVER_FNS;
use common::{Backend, TestApp};
use reqwest::StatusCode;
use std::collections::BTreeSet;

fn registered_endpoints() -> BTreeSet<String> {
    leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| {
            path.strip_prefix("/api/")
                .unwrap_or_else(|| panic!("{path} is outside /api"))
                .to_owned()
        })
        .collect()
}

#[test]
fn every_server_function_has_a_declared_audience() {
    let registered = registered_endpoints();
    let declared: BTreeSet<String> = SERVER_FNS
        .iter()
        .map(|(name, _)| (*name).to_owned())
        .collect();
    assert!(!registered.is_empty());
    let undeclared: Vec<_> = registered.difference(&declared).collect();
    let stale: Vec<_> = declared.difference(&registered).collect();
    assert!(
        undeclared.is_empty(),
        "not in app::auth::SERVER_FNS: {undeclared:?}"
    );
    assert!(stale.is_empty(), "declared but not registered: {stale:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_site_posts_to_every_server_function_are_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    for endpoint in registered_endpoints() {
        for (header, value) in [
            ("origin", "https://evil.example"),
            ("sec-fetch-site", "cross-site"),
        ] {
            let response = app
                .client
                .post(app.url(&format!("/api/{endpoint}")))
                .header(header, value)
                .form(&[
                    ("email", "a@example.com"),
                    ("password", "whatever password"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(
                response.status(),
                StatusCode::FORBIDDEN,
                "{endpoint} with {header}: {value}"
            );
        }
    }
}
