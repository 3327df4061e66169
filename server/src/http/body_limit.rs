//! Request body size limit with a clear 413.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
use http::StatusCode;
use http_body_util::{BodyExt, Limited};

/// The configured limit in bytes.
#[derive(Clone, Copy)]
pub struct BodyLimit(pub usize);

/// Rejects a declared oversized body before reading any of it. A body without a declared length
/// (chunked) is read here up to the limit and handed on in memory, so handlers and server
/// functions never see a truncated body: over the limit is the same clear 413, not whatever
/// error the handler would make of a failed read.
pub async fn enforce(
    State(BodyLimit(limit)): State<BodyLimit>,
    request: Request,
    next: Next,
) -> Response {
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(length) if length > limit as u64 => too_large(limit),
        // Hyper ends a body at its declared length, so it cannot exceed it.
        Some(_) => next.run(request).await,
        None if request.headers().contains_key(TRANSFER_ENCODING) => {
            let (parts, body) = request.into_parts();
            match Limited::new(body, limit).collect().await {
                Ok(collected) => {
                    next.run(Request::from_parts(parts, Body::from(collected.to_bytes())))
                        .await
                }
                Err(error) if error.is::<http_body_util::LengthLimitError>() => too_large(limit),
                Err(error) => {
                    tracing::info!(%error, "request body could not be read");
                    (
                        StatusCode::BAD_REQUEST,
                        Json(serde_json::json!({
                            "error": {
                                "type": "invalid_request",
                                "message": "The request body could not be read completely.",
                            }
                        })),
                    )
                        .into_response()
                }
            }
        }
        None => next.run(request).await,
    }
}

fn too_large(limit: usize) -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        Json(serde_json::json!({
            "error": {
                "type": "request_too_large",
                "message": format!(
                    "The request body is larger than this server accepts ({limit} bytes). \
                     Send a smaller request."
                ),
            }
        })),
    )
        .into_response()
}
