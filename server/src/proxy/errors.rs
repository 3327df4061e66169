//! Errors in each API surface's own format, with the statuses the real clients act on correctly
//! (see `../shared/protocol/CLIENTS.md`): Claude Code stops on 402 `billing_error`; Codex stops
//! only on 429 with `code: "insufficient_quota"`; 401/402/403 carry `x-should-retry: false`.

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode};
use serde_json::json;

/// Which family of clients is asking, which decides the error shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Anthropic,
    OpenAi,
}

/// What went wrong, in terms a client can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProxyError {
    /// No token, or one that does not work (unknown, revoked, expired).
    Unauthenticated(String),
    /// The token works but may not do this (address, model, suspended account).
    Forbidden(String),
    /// Not enough credit, or the token's spend limit is reached.
    OutOfCredit(String),
    BadRequest(String),
    /// The model is not offered.
    UnknownModel(String),
    TooLarge(String),
    /// Too many requests from this token; retry after the given seconds.
    RateLimited {
        message: String,
        retry_after: u64,
    },
    /// No upstream could answer.
    Unavailable(String),
    /// Our own fault (database down…).
    Internal,
}

impl ProxyError {
    fn parts(&self) -> (StatusCode, &'static str, &'static str, String) {
        // (status, Anthropic error type, OpenAI error type/code, message)
        match self {
            ProxyError::Unauthenticated(m) => (
                StatusCode::UNAUTHORIZED,
                "authentication_error",
                "invalid_api_key",
                m.clone(),
            ),
            ProxyError::Forbidden(m) => (
                StatusCode::FORBIDDEN,
                "permission_error",
                "permission_denied",
                m.clone(),
            ),
            ProxyError::OutOfCredit(m) => (
                StatusCode::PAYMENT_REQUIRED,
                "billing_error",
                "insufficient_quota",
                m.clone(),
            ),
            ProxyError::BadRequest(m) => (
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                "invalid_request_error",
                m.clone(),
            ),
            ProxyError::UnknownModel(m) => (
                StatusCode::NOT_FOUND,
                "not_found_error",
                "model_not_found",
                m.clone(),
            ),
            ProxyError::TooLarge(m) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "request_too_large",
                "request_too_large",
                m.clone(),
            ),
            ProxyError::RateLimited { message, .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limit_error",
                "rate_limit_exceeded",
                message.clone(),
            ),
            ProxyError::Unavailable(m) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "overloaded_error",
                "server_error",
                m.clone(),
            ),
            ProxyError::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "api_error",
                "server_error",
                "something went wrong on our side; please try again".to_owned(),
            ),
        }
    }

    /// The response for `family`, carrying `request_id`.
    pub fn respond(&self, family: Family, request_id: &str) -> Response {
        let (mut status, anthropic_type, openai_code, message) = self.parts();
        let body = match family {
            Family::Anthropic => json!({
                "type": "error",
                "error": { "type": anthropic_type, "message": message },
                "request_id": request_id,
            }),
            Family::OpenAi => {
                // Codex retries a 402 but stops at once on this 429.
                if matches!(self, ProxyError::OutOfCredit(_)) {
                    status = StatusCode::TOO_MANY_REQUESTS;
                }
                let kind = match self {
                    ProxyError::OutOfCredit(_) => "insufficient_quota",
                    ProxyError::Unauthenticated(_) => "invalid_request_error",
                    ProxyError::RateLimited { .. } => "requests",
                    ProxyError::Unavailable(_) | ProxyError::Internal => "server_error",
                    _ => "invalid_request_error",
                };
                json!({
                    "error": { "message": message, "type": kind, "param": null, "code": openai_code }
                })
            }
        };
        let mut response = (status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        if matches!(status.as_u16(), 401..=403) {
            headers.insert("x-should-retry", HeaderValue::from_static("false"));
        }
        if let ProxyError::RateLimited { retry_after, .. } = self {
            if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
                headers.insert(http::header::RETRY_AFTER, value);
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_credit_speaks_each_clients_language() {
        let error = ProxyError::OutOfCredit("top up".to_owned());
        let anthropic = error.respond(Family::Anthropic, "req_1");
        assert_eq!(anthropic.status(), StatusCode::PAYMENT_REQUIRED);
        assert_eq!(anthropic.headers()["x-should-retry"], "false");
        let openai = error.respond(Family::OpenAi, "req_1");
        assert_eq!(openai.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(openai.headers().get("x-should-retry").is_none());
    }
}
