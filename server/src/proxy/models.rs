//! `GET /v1/models`: the models the caller's token may use that have a price and a provider,
//! in the Anthropic shape when the request carries `anthropic-version`, else the OpenAI shape.

use super::errors::{Family, ProxyError};
use super::ProxyState;
use app::server::net::ClientIp;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::json;

pub async fn list(State(state): State<ProxyState>, request: Request) -> Response {
    let headers = request.headers();
    let family = if headers.contains_key("anthropic-version") {
        Family::Anthropic
    } else {
        Family::OpenAi
    };
    let request_id = super::forward::request_id(headers);
    let fail = |error: ProxyError| error.respond(family, &request_id);
    let Some(token) = super::forward::presented_token(headers) else {
        return fail(ProxyError::Unauthenticated(
            "no API token: send it in x-api-key or Authorization: Bearer".to_owned(),
        ));
    };
    let client_ip = request
        .extensions()
        .get::<ClientIp>()
        .map(|ClientIp(ip)| *ip);
    let now = Utc::now();
    let (caller, catalog) = match state.gate(&token, client_ip, now).await {
        Ok(Ok(gate)) => gate,
        Ok(Err(refusal)) => return fail(super::forward::refusal_error(refusal)),
        Err(error) => return fail(super::forward::internal(error)),
    };
    let models: Vec<String> = catalog
        .offered_models(now)
        .into_iter()
        .filter(|model| caller.allows_model(model))
        .collect();
    let body = match family {
        Family::Anthropic => json!({
            "data": models.iter().map(|id| json!({
                "type": "model",
                "id": id,
                "display_name": id,
                "created_at": "2025-01-01T00:00:00Z",
            })).collect::<Vec<_>>(),
            "has_more": false,
            "first_id": models.first(),
            "last_id": models.last(),
        }),
        Family::OpenAi => json!({
            "object": "list",
            "data": models.iter().map(|id| json!({
                "id": id,
                "object": "model",
                "created": 1_735_689_600,
                "owned_by": "codexapi",
            })).collect::<Vec<_>>(),
        }),
    };
    axum::Json(body).into_response()
}
