//! What every response carries: security headers and a request id; body limits; 404s.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use common::{first_script_nonce, Backend, TestApp};

const SECURITY_HEADERS: &[&str] = &[
    "content-security-policy",
    "x-content-type-options",
    "referrer-policy",
    "x-frame-options",
    "x-request-id",
];

fn assert_secure(path: &str, headers: &reqwest::header::HeaderMap) {
    for name in SECURITY_HEADERS {
        assert!(headers.contains_key(*name), "{path}: missing {name}");
    }
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
    assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
}

both_databases!(
    every_kind_of_response_carries_security_headers_and_a_request_id,
    |app: TestApp| async move {
        for path in [
            "/",
            "/pricing",
            "/privacy",
            "/terms",
            "/setup",
            "/no/such/page",
            "/healthz",
            "/readyz",
            "/favicon.svg",
        ] {
            let (_, headers, _) = app.get_text(path).await;
            assert_secure(path, &headers);
        }
        let response = app
            .client
            .post(app.url("/api/record_consent"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("choice=reject")
            .send()
            .await
            .unwrap();
        assert_secure("server fn", response.headers());
    }
);

#[tokio::test]
async fn the_page_csp_nonce_matches_the_hydration_script() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let (status, headers, html) = app.get_text("/").await;
    assert_eq!(status, 200);
    let csp = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let nonce = first_script_nonce(&html).expect("the page has a nonced script");
    assert!(csp.contains(&format!("'nonce-{nonce}'")), "{csp}");
    assert!(csp.contains("'wasm-unsafe-eval'"));

    // A fresh nonce per response.
    let (_, second, _) = app.get_text("/").await;
    assert_ne!(second["content-security-policy"].to_str().unwrap(), csp);
}

#[tokio::test]
async fn request_ids_are_generated_unique_and_a_client_cannot_choose_one() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let first = app.get("/healthz").await;
    let second = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "chosen-by-client")
        .send()
        .await
        .unwrap();
    let first_id = first.headers()["x-request-id"].to_str().unwrap().to_owned();
    let second_id = second.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(first_id.len(), 36, "a UUID: {first_id}");
    assert_ne!(first_id, second_id);
    assert_ne!(second_id, "chosen-by-client");
}

#[tokio::test]
async fn a_trusted_proxy_may_pass_its_request_id_through() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.server.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
    })
    .await
    .unwrap();
    let response = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "edge-7f3a")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "edge-7f3a");
    // Even a trusted proxy cannot smuggle a malformed id into logs.
    let response = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "bad id with spaces")
        .send()
        .await
        .unwrap();
    assert_ne!(response.headers()["x-request-id"], "bad id with spaces");
}

#[tokio::test]
async fn hsts_is_sent_only_when_the_public_url_is_https() {
    let plain = TestApp::spawn(Backend::Sqlite).await.unwrap();
    assert!(!plain
        .get("/")
        .await
        .headers()
        .contains_key("strict-transport-security"));

    let https = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.server.base_url = "https://api.example.com".to_owned();
    })
    .await
    .unwrap();
    let headers = https.get("/healthz").await.headers().clone();
    assert!(headers["strict-transport-security"]
        .to_str()
        .unwrap()
        .contains("max-age="));
}

#[tokio::test]
async fn an_oversized_body_gets_a_413_that_says_what_the_limit_is() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.server.max_body_bytes = 4096)
        .await
        .unwrap();

    let declared = app
        .client
        .post(app.url("/api/record_consent"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("choice=reject&consent_id={}", "x".repeat(10_000)))
        .send()
        .await
        .unwrap();
    assert_eq!(declared.status(), 413);
    let body: serde_json::Value = declared.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("4096 bytes"),
        "{body}"
    );

    // A streamed body has no Content-Length; the limit still holds.
    let chunks = futures_chunks(10_000);
    let streamed = app
        .client
        .post(app.url("/api/record_consent"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .unwrap();
    assert_eq!(streamed.status(), 413);
}

fn futures_chunks(
    total: usize,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    let chunk = vec![b'a'; 1000];
    futures_util::stream::iter((0..total / 1000).map(move |_| Ok(chunk.clone())))
}

both_databases!(
    an_unknown_path_gets_a_real_404_page,
    |app: TestApp| async move {
        let (status, headers, html) = app.get_text("/definitely/not/here").await;
        assert_eq!(status, 404);
        assert!(headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        assert!(html.contains("Page not found"));
        assert!(html.contains("href=\"/\""), "links home");
    }
);

#[tokio::test]
async fn responses_are_compressed_when_the_client_accepts_it() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let response = app
        .client
        .get(app.url("/privacy"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-encoding"], "gzip");
}

both_databases!(
    cross_site_posts_are_refused_and_change_nothing,
    |app: TestApp| async move {
        let forged = [
            [
                ("sec-fetch-site", "cross-site"),
                ("origin", "https://evil.example"),
            ],
            [
                ("sec-fetch-site", "same-site"),
                ("origin", "https://shop.127.0.0.1"),
            ],
            [("origin", "https://evil.example"), ("x-unused", "")],
        ];
        for headers in forged {
            let mut request = app
                .client
                .post(app.url("/api/record_consent"))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "text/html");
            for (name, value) in headers {
                request = request.header(name, value);
            }
            let response = request.body("choice=accept").send().await.unwrap();
            assert_eq!(response.status(), 403, "{headers:?}");
            assert!(response.headers().get("set-cookie").is_none());
            let body: serde_json::Value = response.json().await.unwrap();
            assert_eq!(body["error"]["type"], "cross_site_request");
        }
        let backend = app.db_backend();
        let count = sea_orm::ConnectionTrait::query_one_raw(
            &app.db.conn,
            sea_orm::Statement::from_string(backend, "SELECT COUNT(*) AS n FROM consent_records"),
        )
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
        assert_eq!(count, 0, "no forged request was recorded");

        // The same post from the site itself goes through.
        let own = app
            .client
            .post(app.url("/api/record_consent"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .header("origin", app.address.clone())
            .body("choice=accept")
            .send()
            .await
            .unwrap();
        assert_eq!(own.status(), 200);
    }
);
