//! `/healthz` (the process is up) and `/readyz` (it can serve: the database answers). Anyone may
//! call them; they reveal nothing but up/down.

use crate::db::Database;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use http::StatusCode;
use serde_json::json;
use std::time::Duration;

/// How long readiness waits for the database before calling it unavailable.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// The health routes, with their own state.
pub fn router<S: Clone + Send + Sync + 'static>(db: Database) -> Router<S> {
    Router::new()
        .route(app::paths::HEALTHZ, get(healthz))
        .route(app::paths::READYZ, get(readyz))
        .with_state(db)
}

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

async fn readyz(State(db): State<Database>) -> Response {
    if db.is_ready(READY_TIMEOUT).await {
        Json(json!({ "status": "ready" })).into_response()
    } else {
        tracing::warn!("readiness check failed: database unavailable");
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "reason": "database" })),
        )
            .into_response()
    }
}
