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
