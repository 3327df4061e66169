//! The API routes coding agents call: the Anthropic surface (`/v1/messages`,
//! `/v1/messages/count_tokens`) for Claude Code and the OpenAI surface (`/v1/responses`,
//! `/v1/chat/completions`, `/v1/models`) for Codex CLI and the SDKs.
//!
//! Authentication is by API token (`x-api-key` or `Authorization: Bearer`), never the session.
//! These routes sit outside the dashboard's session, CSRF and compression layers: agents send
//! no cookies or Origin, and streams must reach them event by event.

pub mod errors;
mod forward;
mod models;
pub mod upstream;

use app::server::config::{ProxySettings, Settings};
use app::server::services::api_tokens::{ApiCaller, Refusal, TokenCache};
use app::server::services::proxy::billing::Biller;
use app::server::services::proxy::catalog::{Catalog, CatalogCache};
use app::server::services::proxy::providers::Protocol;
use app::server::services::proxy::usage::Dialect;
use app::server::services::rate_limit::{Limit, SyncedLimiter};
use app::server::services::ServiceError;
use app::server::state::AppState;
use axum::extract::{Request, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use errors::Family;
use std::sync::Arc;
use tower_http::decompression::RequestDecompressionLayer;

/// What the proxy handlers share.
#[derive(Clone)]
pub struct ProxyState {
    pub app: AppState,
    pub client: reqwest::Client,
    pub settings: Arc<ProxySettings>,
    /// Largest request body after decompression.
    pub max_body_bytes: usize,
    /// The header carrying the client's region, believed only from trusted proxies.
    pub region_header: Option<http::HeaderName>,
    /// Requests in flight per API token in this process.
    pub in_flight: Arc<InFlight>,
    /// Each token's requests per minute, shared with other replicas through the database.
    pub per_minute: Arc<SyncedLimiter>,
    /// Prices and provider routes in memory, reloaded when they change.
    pub catalog: Arc<CatalogCache>,
    /// API tokens already read, valid while the catalogue's version stands.
    pub tokens: Arc<TokenCache>,
    /// Holds, settlements and usage records, written many requests per transaction.
    pub billing: Arc<Biller>,
    /// The tasks that relay streams and settle requests after the client has its answer;
    /// shutdown waits for them (within the grace period) so no finished request goes unbilled.
    pub bookkeeping: tokio_util::task::TaskTracker,
}

impl ProxyState {
    pub fn new(
        app: AppState,
        client: reqwest::Client,
        settings: &Settings,
    ) -> anyhow::Result<Self> {
        use anyhow::Context as _;
        let proxy = settings.proxy.clone();
        let per_minute = SyncedLimiter::new(
            "proxy_token_minute",
            Limit {
                max_hits: i64::from(proxy.requests_per_minute),
                window: chrono::Duration::minutes(1),
            },
            PER_MINUTE_SYNC,
        );
        let billing = Arc::new(Biller::new(app.db().clone()));
        Ok(Self {
            app,
            client,
            max_body_bytes: settings.server.max_body_bytes,
            region_header: match proxy.region_header.trim() {
                "" => None,
                name => Some(
                    http::HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes())
                        .context("proxy.region_header is not a header name")?,
                ),
            },
            settings: Arc::new(proxy),
            in_flight: Arc::default(),
            per_minute: Arc::new(per_minute),
            catalog: Arc::default(),
            tokens: Arc::default(),
            billing,
            bookkeeping: tokio_util::task::TaskTracker::new(),
        })
    }

    /// Who a presented token speaks for, and the catalogue, both as of one read of the
    /// configuration version: a request costs one database read before it is forwarded.
    pub(crate) async fn gate(
        &self,
        presented: &str,
        client_ip: Option<std::net::IpAddr>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Result<(ApiCaller, Arc<Catalog>), Refusal>, ServiceError> {
        let db = self.app.db();
        let version = self.catalog.version(db).await?;
        let caller = match self
            .tokens
            .authenticate(db, presented, client_ip, now, version)
            .await?
        {
            Ok(caller) => caller,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let catalog = self
            .catalog
            .current_at(db, self.app.keys(), version)
            .await?;
        Ok(Ok((caller, catalog)))
    }
}

/// How often each process adds its tokens' request counts to the shared per-minute counters.
const PER_MINUTE_SYNC: std::time::Duration = std::time::Duration::from_secs(1);

/// Per-token caps on requests in flight. Per process: with several replicas the cap applies on
/// each (the per-minute budget, kept in the database, is shared).
#[derive(Default)]
pub struct InFlight {
    tokens: std::sync::Mutex<Slots>,
}

/// Each token's semaphore, and the size at which idle tokens are next forgotten (it grows with
/// the busy ones, so a sweep that frees little is not repeated on every request).
#[derive(Default)]
struct Slots {
    by_token: std::collections::HashMap<i64, Arc<tokio::sync::Semaphore>>,
    sweep_at: usize,
}

/// Tokens remembered before idle ones are first forgotten.
const REMEMBERED_TOKENS: usize = 10_000;

impl InFlight {
    /// A slot for one more request of `token_id`, or None when `cap` are already running. The
    /// slot is released when the returned permit is dropped (the request finished).
    pub fn enter(&self, token_id: i64, cap: u32) -> Option<tokio::sync::OwnedSemaphorePermit> {
        let semaphore = {
            let mut tokens = self
                .tokens
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if tokens.by_token.len() >= tokens.sweep_at.max(REMEMBERED_TOKENS) {
                // Forget idle tokens so the map cannot grow without bound.
                tokens
                    .by_token
                    .retain(|_, s| s.available_permits() < cap as usize);
                tokens.sweep_at = 2 * tokens.by_token.len();
            }
            tokens
                .by_token
                .entry(token_id)
                .or_insert_with(|| Arc::new(tokio::sync::Semaphore::new(cap as usize)))
                .clone()
        };
        semaphore.try_acquire_owned().ok()
    }
}

/// One API operation the proxy forwards.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Surface {
    Messages,
    CountTokens,
    Responses,
    ChatCompletions,
}

impl Surface {
    pub fn family(self) -> Family {
        match self {
            Surface::Messages | Surface::CountTokens => Family::Anthropic,
            Surface::Responses | Surface::ChatCompletions => Family::OpenAi,
        }
    }

    pub fn protocol(self) -> Protocol {
        match self.family() {
            Family::Anthropic => Protocol::Anthropic,
            Family::OpenAi => Protocol::OpenAi,
        }
    }

    /// The path appended to a provider's base URL, and recorded as the endpoint.
    pub fn path(self) -> &'static str {
        match self {
            Surface::Messages => "/v1/messages",
            Surface::CountTokens => "/v1/messages/count_tokens",
            Surface::Responses => "/v1/responses",
            Surface::ChatCompletions => "/v1/chat/completions",
        }
    }

    pub fn dialect(self) -> Dialect {
        match self {
            Surface::Messages | Surface::CountTokens => Dialect::AnthropicMessages,
            Surface::Responses => Dialect::OpenAiResponses,
            Surface::ChatCompletions => Dialect::OpenAiChat,
        }
    }

    /// Whether requests are billed (counting tokens is free).
    pub fn billed(self) -> bool {
        self != Surface::CountTokens
    }
}

pub fn router(state: ProxyState) -> Router {
    Router::new()
        .route(Surface::Messages.path(), post(messages))
        .route(Surface::CountTokens.path(), post(count_tokens))
        .route(Surface::Responses.path(), post(responses))
        .route(Surface::ChatCompletions.path(), post(chat_completions))
        .route("/v1/models", get(models::list))
        .with_state(state)
        // Compressed request bodies are inflated here; the size cap applies to what comes out.
        .layer(RequestDecompressionLayer::new())
}

async fn messages(State(state): State<ProxyState>, request: Request) -> Response {
    forward::handle(state, Surface::Messages, request).await
}

async fn count_tokens(State(state): State<ProxyState>, request: Request) -> Response {
    forward::handle(state, Surface::CountTokens, request).await
}

async fn responses(State(state): State<ProxyState>, request: Request) -> Response {
    forward::handle(state, Surface::Responses, request).await
}

async fn chat_completions(State(state): State<ProxyState>, request: Request) -> Response {
    forward::handle(state, Surface::ChatCompletions, request).await
}
