//! `/healthz` and `/readyz`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use common::TestApp;

both_databases!(healthz_answers_ok, |app: TestApp| async move {
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
});

both_databases!(
    readyz_is_ready_with_a_working_database,
    |app: TestApp| async move {
        let response = app.get("/readyz").await;
        assert_eq!(response.status(), 200);
    }
);

both_databases!(
    readyz_fails_when_the_database_is_gone,
    |mut app: TestApp| async move {
        assert_eq!(app.get("/readyz").await.status(), 200);

        app.destroy_database().await;

        let response = app.get("/readyz").await;
        assert_eq!(response.status(), 503);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["status"], "unavailable");
        // Liveness is about the process, not its dependencies.
        assert_eq!(app.get("/healthz").await.status(), 200);
    }
);

#[tokio::test]
async fn shutdown_finishes_in_flight_requests_then_stops_listening() {
    let mut app = TestApp::spawn(common::Backend::Sqlite).await.unwrap();
    let client = app.client.clone();
    let url = app.url("/privacy");
    let in_flight = tokio::spawn(async move { client.get(url).send().await.map(|r| r.status()) });
    tokio::task::yield_now().await;

    tokio::time::timeout(std::time::Duration::from_secs(5), app.shutdown())
        .await
        .expect("stops within the grace period")
        .expect("clean shutdown");

    if let Ok(status) = in_flight.await.unwrap() {
        assert_eq!(status, 200, "a request that got in was answered");
    }
    assert!(
        app.client.get(app.url("/healthz")).send().await.is_err(),
        "no longer listening"
    );
}
