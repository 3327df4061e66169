//! Forwarding one request: authenticate the token, read what billing needs from the body, hold
//! an estimate, try providers in order until one answers (failing over only before the client
//! has received a byte), relay the answer untouched while metering its usage, then settle the
//! exact cost and record the request.
//!
//! The relay runs in its own task: when the client disconnects mid-stream the task keeps
//! reading the upstream (bounded by the idle and total timeouts) so what the upstream produced
//! is billed, not lost. No request or response content is logged or stored; only counts,
//! statuses and timings.

use super::errors::ProxyError;
use super::{ProxyState, Surface};
use crate::http::client::TrustedPeer;
use app::server::net::ClientIp;
use app::server::services::api_tokens::{ApiCaller, Refusal, PREFIX};
use app::server::services::proxy::billing::{self, Reservation, Shortfall};
use app::server::services::proxy::providers::{self, Route};
use app::server::services::proxy::records::{Outcome, UsageRecord};
use app::server::services::proxy::sse::{Event, SseReader};
use app::server::services::proxy::usage::{self, Ending, Meter};
use app::server::services::ServiceError;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::response::Response;
use chrono::{DateTime, Utc};
use futures_util::StreamExt as _;
use http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use secrecy::ExposeSecret as _;
use serde::Deserialize;
use std::time::{Duration, Instant};

/// The body fields billing needs; everything else is forwarded untouched.
#[derive(Debug, Default, Deserialize)]
struct Billable {
    model: Option<String>,
    stream: Option<bool>,
    max_tokens: Option<i64>,
    max_output_tokens: Option<i64>,
    max_completion_tokens: Option<i64>,
    stream_options: Option<serde_json::Value>,
}

/// Largest non-streaming answer the proxy reads into memory.
const MAX_ANSWER_BYTES: usize = 64 * 1024 * 1024;

/// Request headers never passed upstream: hop-by-hop headers, the customer's credentials and
/// cookies, addresses, and encodings the proxy handles itself.
fn is_withheld(name: &HeaderName) -> bool {
    let name = name.as_str();
    matches!(
        name,
        "host"
            | "content-length"
            | "connection"
            | "keep-alive"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
            | "authorization"
            | "x-api-key"
            | "cookie"
            | "forwarded"
            | "x-real-ip"
            | "accept-encoding"
            | "content-encoding"
            | "x-request-id"
            | "origin"
            | "referer"
    ) || name.starts_with("proxy-")
        || name.starts_with("x-forwarded-")
        || name.starts_with("cf-")
}

/// The presented token: Claude Code may send both `x-api-key` and `Authorization: Bearer`;
/// the one that looks like one of ours wins.
pub(super) fn presented_token(headers: &HeaderMap) -> Option<String> {
    let api_key = headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty());
    let bearer = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|v| !v.is_empty());
    [api_key, bearer]
        .into_iter()
        .flatten()
        .find(|t| t.starts_with(PREFIX))
        .or(api_key)
        .or(bearer)
        .map(str::to_owned)
}

/// What a client is told when its token is refused.
pub(super) fn refusal_error(refusal: Refusal) -> ProxyError {
    match refusal {
        Refusal::Invalid => ProxyError::Unauthenticated(
            "this API token is not valid: check it, or create one on the dashboard".to_owned(),
        ),
        Refusal::Expired => ProxyError::Unauthenticated("this API token has expired".to_owned()),
        Refusal::Suspended => ProxyError::Forbidden("this account is suspended".to_owned()),
        Refusal::AddressNotAllowed => {
            ProxyError::Forbidden("this API token may not be used from your address".to_owned())
        }
    }
}

/// The troubleshooting id the request-id layer gave this request.
pub(super) fn request_id(headers: &HeaderMap) -> String {
    headers
        .get(&crate::http::client::X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

pub(super) fn internal(error: ServiceError) -> ProxyError {
    match error {
        ServiceError::Unavailable(_) => {
            ProxyError::Unavailable("the service is briefly unavailable; please retry".to_owned())
        }
        other => {
            tracing::error!(error = %other, "proxy internal error");
            ProxyError::Internal
        }
    }
}

/// What is known about a request once it is authenticated.
struct Context {
    state: ProxyState,
    surface: Surface,
    request_id: String,
    started: Instant,
    started_at: DateTime<Utc>,
    client_ip: Option<String>,
    user_agent: Option<String>,
    region: Option<String>,
    /// The token's in-flight slot, held until the request (and its stream) is done.
    slot: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl Context {
    fn fail(&self, error: &ProxyError) -> Response {
        error.respond(self.surface.family(), &self.request_id)
    }

    /// A record of this request with nothing billed yet.
    fn record(&self, caller: &ApiCaller, model: &str, stream: bool) -> UsageRecord {
        UsageRecord {
            request_id: self.request_id.clone(),
            user_id: caller.user_id,
            api_token_id: caller.token_id,
            started_at: self.started_at,
            endpoint: self.surface.path(),
            stream,
            public_model: model.to_owned(),
            upstream_model: String::new(),
            provider_id: None,
            provider_label: String::new(),
            usage: usage::Usage::default(),
            cost: usage::Cost::default(),
            billing_mode: caller.billing_source.as_str(),
            wallet_charged: None,
            outcome: Outcome::Rejected,
            http_status: 0,
            usage_flagged: false,
            latency_ms: 0,
            first_byte_ms: None,
            client_ip: self.client_ip.clone(),
            user_agent: self.user_agent.clone(),
            region: self.region.clone(),
            failed_over_from: Vec::new(),
        }
    }

    fn elapsed_ms(&self) -> i64 {
        i64::try_from(self.started.elapsed().as_millis()).unwrap_or(i64::MAX)
    }

    async fn store(&self, mut record: UsageRecord) {
        record.latency_ms = self.elapsed_ms();
        if let Err(error) = self.state.billing.store(record).await {
            tracing::error!(request_id = %self.request_id, %error, "usage record not stored");
        }
    }

    /// Records a refusal and answers with it.
    async fn reject(&self, mut record: UsageRecord, error: ProxyError) -> Response {
        let response = self.fail(&error);
        record.outcome = Outcome::Rejected;
        record.http_status = response.status().as_u16();
        self.store(record).await;
        response
    }
}

pub async fn handle(state: ProxyState, surface: Surface, request: Request) -> Response {
    let started = Instant::now();
    let started_at = Utc::now();
    let (parts, body) = request.into_parts();
    let request_id = request_id(&parts.headers);
    let client_ip = parts.extensions.get::<ClientIp>().map(|ClientIp(ip)| *ip);
    let from_trusted_proxy = parts.extensions.get::<TrustedPeer>().is_some();
    let region = state
        .region_header
        .as_ref()
        .filter(|_| from_trusted_proxy)
        .and_then(|name| parts.headers.get(name))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut context = Context {
        surface,
        request_id,
        started,
        started_at,
        client_ip: client_ip.map(|ip| ip.to_string()),
        user_agent: parts
            .headers
            .get(http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        region,
        state,
        slot: None,
    };

    let Some(token) = presented_token(&parts.headers) else {
        return context.fail(&ProxyError::Unauthenticated(
            "no API token: send it in x-api-key or Authorization: Bearer".to_owned(),
        ));
    };
    let (caller, catalog) = match context.state.gate(&token, client_ip, started_at).await {
        Ok(Ok(gate)) => gate,
        Ok(Err(refusal)) => return context.fail(&refusal_error(refusal)),
        Err(error) => return context.fail(&internal(error)),
    };
    if let Err(error) = admit(&mut context, &caller, started_at).await {
        return context.fail(&error);
    }
    let body = match axum::body::to_bytes(body, context.state.max_body_bytes).await {
        Ok(body) => body,
        Err(_) => {
            return context.fail(&ProxyError::TooLarge(format!(
                "the request body is larger than {} bytes (after decompression)",
                context.state.max_body_bytes
            )))
        }
    };
    let billable: Billable = match serde_json::from_slice(&body) {
        Ok(fields) => fields,
        Err(_) => {
            return context.fail(&ProxyError::BadRequest(
                "the request body must be a JSON object".to_owned(),
            ))
        }
    };
    let Some(model) = billable.model.clone().filter(|m| !m.is_empty()) else {
        return context.fail(&ProxyError::BadRequest(
            "the request names no model".to_owned(),
        ));
    };
    let stream = billable.stream.unwrap_or(false) && surface != Surface::CountTokens;
    let record = context.record(&caller, &model, stream);
    if !caller.allows_model(&model) {
        let error = ProxyError::Forbidden(format!("this API token may not use model {model}"));
        return context.reject(record, error).await;
    }
    let Some(prices) = catalog.price_at(&model, started_at) else {
        let error = ProxyError::UnknownModel(format!(
            "model {model} is not offered here; see the pricing page for the models you can use"
        ));
        return context.reject(record, error).await;
    };
    let routes = catalog.routes(&model, surface.protocol(), started_at);
    if routes.is_empty() {
        let error = ProxyError::Unavailable(format!(
            "no provider is serving {model} right now; please retry later"
        ));
        return context.reject(record, error).await;
    }

    let reservation = if surface.billed() {
        let settings = &context.state.settings;
        let cap = billable
            .max_tokens
            .or(billable.max_output_tokens)
            .or(billable.max_completion_tokens)
            .unwrap_or(settings.max_output_estimate)
            .clamp(1, settings.max_output_estimate);
        let amount = billing::estimate(body.len(), cap, &prices);
        let hold_for = chrono::Duration::seconds(
            i64::try_from(settings.total_timeout_secs).unwrap_or(3600) + 300,
        );
        match context
            .state
            .billing
            .reserve(&caller, &context.request_id, amount, hold_for, started_at)
            .await
        {
            Ok(Ok(reservation)) => Some(reservation),
            Ok(Err(Shortfall::Wallet)) => {
                let error = ProxyError::OutOfCredit(
                    "your credit balance is too low for this request: add credit on the dashboard"
                        .to_owned(),
                );
                return context.reject(record, error).await;
            }
            Ok(Err(Shortfall::Limit(period))) => {
                let error = ProxyError::OutOfCredit(format!(
                    "this API token reached its {period} spend limit"
                ));
                return context.reject(record, error).await;
            }
            Err(error) => return context.fail(&internal(error)),
        }
    } else {
        None
    };

    let body = match prepare_body(surface, &body, stream, &billable) {
        Ok(body) => body,
        Err(error) => {
            release(&context, reservation.as_ref()).await;
            return context.reject(record, error).await;
        }
    };
    let query = parts.uri.query().map(str::to_owned);
    let bill = Bill {
        reservation,
        prices,
        record,
    };
    relay(context, bill, routes, &parts.headers, query, body, &model).await
}

/// Applies the token's request-rate budget (shared by all replicas through the database) and
/// its cap on requests in flight; takes a slot that lives as long as the request.
async fn admit(
    context: &mut Context,
    caller: &ApiCaller,
    now: DateTime<Utc>,
) -> Result<(), ProxyError> {
    use app::server::services::rate_limit::Decision;
    let settings = context.state.settings.clone();
    let decision = context
        .state
        .per_minute
        .hit(context.state.app.db(), &caller.token_id.to_string(), now)
        .await
        .map_err(internal)?;
    if let Decision::Limited { retry_after } = decision {
        return Err(ProxyError::RateLimited {
            message: format!(
                "this API token may start {} requests a minute; please slow down",
                settings.requests_per_minute
            ),
            retry_after: u64::try_from(retry_after.num_seconds()).unwrap_or(1).max(1),
        });
    }
    let slot = context
        .state
        .in_flight
        .enter(caller.token_id, settings.max_concurrent_per_token)
        .ok_or_else(|| ProxyError::RateLimited {
            message: format!(
                "this API token already has {} requests in progress; wait for one to finish",
                settings.max_concurrent_per_token
            ),
            retry_after: 1,
        })?;
    context.slot = Some(slot);
    Ok(())
}

/// The request body to send: as received, except that chat streams are asked to report usage
/// (`stream_options.include_usage`), without which they could not be billed.
fn prepare_body(
    surface: Surface,
    body: &Bytes,
    stream: bool,
    billable: &Billable,
) -> Result<Bytes, ProxyError> {
    let reports_usage = billable
        .stream_options
        .as_ref()
        .and_then(|o| o.get("include_usage"))
        .and_then(serde_json::Value::as_bool)
        == Some(true);
    if surface != Surface::ChatCompletions || !stream || reports_usage {
        return Ok(body.clone());
    }
    rewrite(body, |object| {
        object.insert(
            "stream_options".to_owned(),
            serde_json::json!({ "include_usage": true }),
        );
    })
}

/// Re-encodes a JSON object body after `change` (key order is kept).
fn rewrite(
    body: &Bytes,
    change: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>),
) -> Result<Bytes, ProxyError> {
    let mut value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|_| ProxyError::BadRequest("the request body must be a JSON object".to_owned()))?;
    let Some(object) = value.as_object_mut() else {
        return Err(ProxyError::BadRequest(
            "the request body must be a JSON object".to_owned(),
        ));
    };
    change(object);
    serde_json::to_vec(&value)
        .map(Bytes::from)
        .map_err(|_| ProxyError::Internal)
}

/// The money side of one request.
struct Bill {
    reservation: Option<Reservation>,
    prices: app::pricing::PriceSheet,
    record: UsageRecord,
}

async fn release(context: &Context, reservation: Option<&Reservation>) {
    if let Some(reservation) = reservation {
        if let Err(error) = context.state.billing.void(reservation, Utc::now()).await {
            tracing::error!(request_id = %context.request_id, %error, "hold not released; the sweeper will");
        }
    }
}

/// What one upstream attempt gave.
enum Attempt {
    /// A successful answer, with what was read of it already (a stream's first events).
    Answer {
        response: reqwest::Response,
        prefix: Bytes,
        /// The reader that parsed `prefix`, and the events it found there.
        reader: SseReader,
        events: Vec<Event>,
        upstream_ended: bool,
    },
    /// A refusal the client must see (a 4xx other than 429): relayed, not retried.
    Refused {
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
    },
    /// Worth trying the next provider. The provider's own answer is never relayed: its
    /// "quota exceeded" or "invalid key" is about our account with it, not the customer's.
    Retry {
        failure: String,
        retry_after: Option<Duration>,
    },
}

fn upstream_request(
    context: &Context,
    route: &Route,
    headers: &HeaderMap,
    query: Option<&str>,
    body: Bytes,
) -> reqwest::RequestBuilder {
    let mut url = format!("{}{}", route.base_url, context.surface.path());
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    let mut forwarded = reqwest::header::HeaderMap::new();
    for (name, value) in headers {
        if !is_withheld(name) {
            forwarded.append(name.clone(), value.clone());
        }
    }
    let key = route.api_key.expose_secret();
    match route.protocol {
        providers::Protocol::Anthropic => {
            if let Ok(value) = HeaderValue::from_str(key) {
                forwarded.insert("x-api-key", value);
            }
            if !forwarded.contains_key("anthropic-version") {
                forwarded.insert("anthropic-version", HeaderValue::from_static("2023-06-01"));
            }
        }
        providers::Protocol::OpenAi => {
            if let Ok(value) = HeaderValue::from_str(&format!("Bearer {key}")) {
                forwarded.insert(AUTHORIZATION, value);
            }
        }
    }
    forwarded.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    context.state.client.post(url).headers(forwarded).body(body)
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// Whether a stream's first event says it failed (so another provider may still answer).
fn is_error_event(event: &Event) -> bool {
    event.name.as_deref() == Some("error")
        || serde_json::from_str::<serde_json::Value>(&event.data)
            .ok()
            .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_owned))
            .is_some_and(|kind| kind == "error")
}

async fn attempt(
    context: &Context,
    route: &Route,
    headers: &HeaderMap,
    query: Option<&str>,
    body: Bytes,
    stream: bool,
) -> Attempt {
    let settings = &context.state.settings;
    let send = upstream_request(context, route, headers, query, body).send();
    let response =
        match tokio::time::timeout(Duration::from_secs(settings.first_byte_timeout_secs), send)
            .await
        {
            Err(_) => {
                return Attempt::Retry {
                    failure: "first-byte timeout".to_owned(),
                    retry_after: None,
                }
            }
            Ok(Err(error)) => {
                let failure = if error.is_connect() {
                    "connect"
                } else if error.is_timeout() {
                    "timeout"
                } else {
                    "request"
                };
                return Attempt::Retry {
                    failure: failure.to_owned(),
                    retry_after: None,
                };
            }
            Ok(Ok(response)) => response,
        };
    let status = response.status();
    // Rate limits, outages, and refusals of our own key or account with the provider.
    let provider_side = status == StatusCode::TOO_MANY_REQUESTS
        || status.is_server_error()
        || matches!(status.as_u16(), 401..=403);
    if provider_side {
        return Attempt::Retry {
            failure: format!("status {}", status.as_u16()),
            retry_after: retry_after(response.headers()),
        };
    }
    if !status.is_success() {
        let headers = response.headers().clone();
        let body = read_bounded(response, settings).await.unwrap_or_default();
        return Attempt::Refused {
            status,
            headers,
            body,
        };
    }
    if !stream {
        return Attempt::Answer {
            response,
            prefix: Bytes::new(),
            reader: SseReader::new(),
            events: Vec::new(),
            upstream_ended: false,
        };
    }
    // Hold the answer back until its first event shows it is not empty and not an error:
    // until then another provider can still take over without the client noticing.
    let mut response = response;
    let mut reader = SseReader::new();
    let mut prefix = Vec::new();
    let mut events = Vec::new();
    let idle = Duration::from_secs(settings.idle_timeout_secs);
    loop {
        match tokio::time::timeout(idle, response.chunk()).await {
            Ok(Ok(Some(chunk))) => {
                prefix.extend_from_slice(&chunk);
                events.extend(reader.feed(&chunk));
                if let Some(first) = events.first() {
                    if is_error_event(first) {
                        return Attempt::Retry {
                            failure: "in-band error".to_owned(),
                            retry_after: None,
                        };
                    }
                    return Attempt::Answer {
                        response,
                        prefix: Bytes::from(prefix),
                        reader,
                        events,
                        upstream_ended: false,
                    };
                }
            }
            Ok(Ok(None)) => {
                events.extend(reader.finish());
                if events.is_empty() || events.first().is_some_and(is_error_event) {
                    return Attempt::Retry {
                        failure: "empty stream".to_owned(),
                        retry_after: None,
                    };
                }
                return Attempt::Answer {
                    response,
                    prefix: Bytes::from(prefix),
                    reader,
                    events,
                    upstream_ended: true,
                };
            }
            Ok(Err(_)) | Err(_) => {
                return Attempt::Retry {
                    failure: "stream broke before its first event".to_owned(),
                    retry_after: None,
                }
            }
        }
    }
}

async fn read_bounded(
    response: reqwest::Response,
    settings: &app::server::config::ProxySettings,
) -> Option<Bytes> {
    let total = Duration::from_secs(settings.total_timeout_secs);
    let mut stream = response.bytes_stream();
    let mut body = Vec::new();
    let read = async {
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.ok()?;
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return None;
            }
            body.extend_from_slice(&chunk);
        }
        Some(())
    };
    tokio::time::timeout(total, read).await.ok().flatten()?;
    Some(Bytes::from(body))
}

/// Headers of an upstream answer worth passing on to the client.
fn answer_headers(upstream: &HeaderMap, request_id: &str, stream: bool) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for name in [CONTENT_TYPE, RETRY_AFTER] {
        if let Some(value) = upstream.get(&name) {
            headers.insert(name, value.clone());
        }
    }
    if stream {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert("request-id", value);
    }
    headers
}

fn respond(status: StatusCode, headers: HeaderMap, body: Body) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

#[allow(
    clippy::too_many_arguments,
    reason = "the request as received and the state built from it"
)]
async fn relay(
    context: Context,
    mut bill: Bill,
    routes: Vec<Route>,
    headers: &HeaderMap,
    query: Option<String>,
    body: Bytes,
    model: &str,
) -> Response {
    let settings = context.state.settings.clone();
    let db = context.state.app.db().clone();
    let stream = bill.record.stream;
    for (number, route) in routes
        .iter()
        .take(settings.max_attempts as usize)
        .enumerate()
    {
        let body = if route.upstream_model == model {
            body.clone()
        } else {
            match rewrite(&body, |object| {
                object.insert(
                    "model".to_owned(),
                    serde_json::Value::String(route.upstream_model.clone()),
                );
            }) {
                Ok(body) => body,
                Err(error) => {
                    release(&context, bill.reservation.as_ref()).await;
                    return context.reject(bill.record, error).await;
                }
            }
        };
        bill.record.upstream_model = route.upstream_model.clone();
        bill.record.provider_id = Some(route.provider_id);
        bill.record.provider_label = route.provider_name.clone();
        match attempt(&context, route, headers, query.as_deref(), body, stream).await {
            Attempt::Answer {
                response,
                prefix,
                reader,
                events,
                upstream_ended,
            } => {
                if route.success_is_news {
                    note_outcome(&db, route.provider_id, None).await;
                }
                return if stream {
                    let head = StreamHead {
                        prefix,
                        reader,
                        events,
                        upstream_ended,
                    };
                    stream_answer(context, bill, response, head)
                } else {
                    whole_answer(context, bill, response).await
                };
            }
            Attempt::Refused {
                status,
                headers,
                body,
            } => {
                release(&context, bill.reservation.as_ref()).await;
                bill.record.outcome = Outcome::UpstreamError;
                bill.record.http_status = status.as_u16();
                context.store(bill.record).await;
                let headers = answer_headers(&headers, &context.request_id, false);
                return respond(status, headers, Body::from(body));
            }
            Attempt::Retry {
                failure,
                retry_after,
            } => {
                tracing::warn!(
                    request_id = %context.request_id,
                    provider = %route.provider_name,
                    attempt = number + 1,
                    %failure,
                    "upstream attempt failed"
                );
                note_outcome(&db, route.provider_id, Some(&failure)).await;
                bill.record
                    .failed_over_from
                    .push(route.provider_name.clone());
                if let Some(wait) = retry_after {
                    if wait <= Duration::from_secs(settings.max_retry_wait_secs) {
                        tokio::time::sleep(wait).await;
                    }
                }
            }
        }
    }
    release(&context, bill.reservation.as_ref()).await;
    bill.record.outcome = Outcome::UpstreamError;
    let error = ProxyError::Unavailable(
        "the model provider did not answer; please retry in a moment".to_owned(),
    );
    let response = context.fail(&error);
    bill.record.http_status = response.status().as_u16();
    context.store(bill.record).await;
    response
}

async fn note_outcome(db: &sea_orm::DatabaseConnection, provider_id: i64, failure: Option<&str>) {
    if let Err(error) = providers::record_outcome(db, provider_id, failure, Utc::now()).await {
        tracing::warn!(%error, "provider health not recorded");
    }
}

/// Settles (or releases) the hold from what the meter saw and stores the record, together.
async fn finish(context: &Context, mut bill: Bill, meter: &Meter, outcome: Outcome) {
    let (counted, flagged) = meter.usage().clamped();
    if flagged {
        tracing::warn!(request_id = %context.request_id, "upstream usage out of range: clamped");
    }
    let cost = usage::cost(&counted, &bill.prices);
    bill.record.usage = counted;
    bill.record.usage_flagged = flagged;
    bill.record.outcome = outcome;
    bill.record.latency_ms = context.elapsed_ms();
    let Some(reservation) = bill.reservation else {
        context.store(bill.record).await;
        return;
    };
    let charge = (meter.has_usage() && cost.total > 0).then_some(cost.total);
    let mut record = bill.record;
    if charge.is_some() {
        record.cost = cost;
        record.wallet_charged = Some(reservation.wallet.as_str());
    }
    let memo = format!("API usage: {}", record.public_model);
    let state = &context.state;
    let mut result = Ok(false);
    // A brief database hiccup must not lose a bill: retry, then leave the hold to the sweeper
    // (which releases it) and say so loudly.
    for pause in [None, Some(100), Some(500), Some(2000)] {
        if let Some(ms) = pause {
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        let charge = charge.map(|actual| (actual, memo.clone()));
        result = state
            .billing
            .close(&reservation, charge, record.clone(), Utc::now())
            .await;
        if result.is_ok() {
            break;
        }
    }
    if let Err(error) = &result {
        tracing::error!(request_id = %context.request_id, %error, "usage not billed");
        // Gives the estimate back (a credit line's share at once, a hold if the database
        // allows; otherwise the sweeper releases it when it expires).
        if let Err(error) = state.billing.void(&reservation, Utc::now()).await {
            tracing::warn!(request_id = %context.request_id, %error, "hold not released");
        }
    }
    if !matches!(result, Ok(true)) {
        // Not charged (or the hold had already ended): the record says so.
        record.cost = usage::Cost::default();
        record.wallet_charged = None;
        context.store(record).await;
    }
}

fn outcome_of(meter: &Meter, client_gone: bool) -> Outcome {
    match meter.ending() {
        _ if client_gone => Outcome::ClientCancelled,
        Ending::Completed => Outcome::Ok,
        Ending::Incomplete => Outcome::Incomplete,
        Ending::Failed => Outcome::Failed,
        Ending::Open if client_gone => Outcome::ClientCancelled,
        Ending::Open => Outcome::UpstreamError,
    }
}

async fn whole_answer(
    mut context: Context,
    mut bill: Bill,
    response: reqwest::Response,
) -> Response {
    let status = response.status();
    let upstream_headers = response.headers().clone();
    let settings = context.state.settings.clone();
    let Some(body) = read_bounded(response, &settings).await else {
        release(&context, bill.reservation.as_ref()).await;
        bill.record.outcome = Outcome::UpstreamError;
        let response = context.fail(&ProxyError::Unavailable(
            "the model provider's answer broke off; please retry".to_owned(),
        ));
        bill.record.http_status = response.status().as_u16();
        context.store(bill.record).await;
        return response;
    };
    bill.record.first_byte_ms = Some(context.elapsed_ms());
    bill.record.http_status = status.as_u16();
    let mut meter = Meter::new(context.surface.dialect());
    meter.read_answer(&body);
    let outcome = outcome_of(&meter, false);
    let headers = answer_headers(&upstream_headers, &context.request_id, false);
    // The answer need not wait for the bookkeeping: the hold already covers the request, and
    // settling it is the same after the client has its answer (as for streams).
    // The upstream is done with: the request no longer counts as in flight while it settles.
    context.slot = None;
    let bookkeeping = context.state.bookkeeping.clone();
    bookkeeping.spawn(async move { finish(&context, bill, &meter, outcome).await });
    respond(status, headers, Body::from(body))
}

fn read_events(meter: &mut Meter, events: impl IntoIterator<Item = Event>) {
    for event in events {
        meter.read_sse(&event);
    }
}

/// What the failover check already read of a stream.
struct StreamHead {
    prefix: Bytes,
    reader: SseReader,
    events: Vec<Event>,
    upstream_ended: bool,
}

/// Relays a stream through a task that outlives the client: the response body is the
/// receiving end of a channel, and a closed channel (the client left) only stops the sending,
/// not the metering.
fn stream_answer(
    mut context: Context,
    mut bill: Bill,
    response: reqwest::Response,
    head: StreamHead,
) -> Response {
    let StreamHead {
        prefix,
        mut reader,
        events,
        upstream_ended,
    } = head;
    let status = response.status();
    let headers = answer_headers(response.headers(), &context.request_id, true);
    bill.record.http_status = status.as_u16();
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(64);
    let bookkeeping = context.state.bookkeeping.clone();
    bookkeeping.spawn(async move {
        let settings = context.state.settings.clone();
        let idle = Duration::from_secs(settings.idle_timeout_secs);
        let deadline = context.started + Duration::from_secs(settings.total_timeout_secs);
        let mut meter = Meter::new(context.surface.dialect());
        read_events(&mut meter, events);
        bill.record.first_byte_ms = Some(context.elapsed_ms());
        let mut client_gone = sender.send(Ok(prefix)).await.is_err();
        let mut upstream = response.bytes_stream();
        if !upstream_ended {
            loop {
                let wait = idle.min(deadline.saturating_duration_since(Instant::now()));
                match tokio::time::timeout(wait, upstream.next()).await {
                    Ok(Some(Ok(chunk))) => {
                        read_events(&mut meter, reader.feed(&chunk));
                        if !client_gone && sender.send(Ok(chunk)).await.is_err() {
                            client_gone = true;
                        }
                    }
                    Ok(None) => break,
                    Ok(Some(Err(_))) | Err(_) => {
                        tracing::warn!(request_id = %context.request_id, "upstream stream broke off or stalled");
                        break;
                    }
                }
            }
        }
        read_events(&mut meter, reader.finish());
        drop(sender);
        context.slot = None;
        let outcome = outcome_of(&meter, client_gone);
        finish(&context, bill, &meter, outcome).await;
    });
    let body = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|item| (item, receiver))
    });
    respond(status, headers, Body::from_stream(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_token_wins_when_both_headers_arrive() {
        let mut headers = HeaderMap::new();
        headers.insert("x-api-key", HeaderValue::from_static("sk-ant-something"));
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_static("Bearer cdx_abc_def"),
        );
        assert_eq!(presented_token(&headers).as_deref(), Some("cdx_abc_def"));
        headers.remove(AUTHORIZATION);
        assert_eq!(
            presented_token(&headers).as_deref(),
            Some("sk-ant-something")
        );
        assert_eq!(presented_token(&HeaderMap::new()), None);
    }

    #[test]
    fn credentials_and_hop_by_hop_headers_stay_here() {
        for name in [
            "authorization",
            "x-api-key",
            "cookie",
            "host",
            "x-forwarded-for",
            "cf-ipcountry",
            "accept-encoding",
        ] {
            assert!(is_withheld(&HeaderName::from_static(name)), "{name}");
        }
        for name in [
            "anthropic-version",
            "anthropic-beta",
            "x-claude-code-session-id",
            "session-id",
            "x-codex-turn-state",
            "user-agent",
        ] {
            assert!(!is_withheld(&HeaderName::from_static(name)), "{name}");
        }
    }
}
