//! Builds the application (database, state, router, listener) and runs it until shutdown.

use crate::db::Database;
use crate::http::{body_limit, client, csrf, downloads, health, security_headers, session};
use crate::jobs::{self, email::Mailer};
use crate::proxy;
use anyhow::Context;
use app::server::config::{EmailSettings, Settings};
use app::server::services::legal;
use app::server::state::AppState;
use app::{shell, App};
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

/// A built, bound, not yet running server.
pub struct Application {
    listener: TcpListener,
    router: Router,
    db: Database,
    grace: Duration,
    mailer: Mailer,
    email_settings: EmailSettings,
    base_url: String,
    /// The proxy's streaming and settling tasks, waited for at shutdown.
    bookkeeping: tokio_util::task::TaskTracker,
    /// Releases the proxy's credit lines once the last request has settled.
    billing: Arc<app::server::services::proxy::billing::Biller>,
}

impl Application {
    /// Connects to and migrates the database, renders the policy, assembles the router and binds
    /// the listener (port 0 picks a free port, see [`Application::port`]).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let db = Database::connect(&settings.database).await?;
        db.migrate().await?;
        let privacy_html = legal::privacy_policy_html(&settings).context("privacy policy")?;
        let address = SocketAddr::new(settings.server.host, settings.server.port);
        let listener = TcpListener::bind(address)
            .await
            .with_context(|| format!("cannot listen on {address}"))?;
        let local = listener.local_addr().context("listener address")?;
        let leptos_options = LeptosOptions::builder()
            .output_name(settings.leptos.output_name.clone())
            .site_root(settings.leptos.site_root.clone())
            .site_pkg_dir(settings.leptos.site_pkg_dir.clone())
            .site_addr(local)
            .build();
        let grace = Duration::from_secs(settings.server.shutdown_grace_secs);
        let mailer = Mailer::from_settings(&settings.email)?;
        let email_settings = settings.email.clone();
        let base_url = settings.public_base_url().to_owned();
        let settings = Arc::new(settings);
        let state = AppState::new(
            db.conn.clone(),
            settings.clone(),
            leptos_options,
            Arc::from(privacy_html),
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let client = proxy::upstream::client(&settings.proxy).context("upstream HTTP client")?;
        let proxy_state = proxy::ProxyState::new(state.clone(), client, &settings)?;
        let bookkeeping = proxy_state.bookkeeping.clone();
        let billing = proxy_state.billing.clone();
        let router = router(state, &settings, db.clone(), proxy_state);
        Ok(Self {
            listener,
            router,
            db,
            grace,
            mailer,
            email_settings,
            base_url,
            bookkeeping,
            billing,
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// The bound address's host.
    pub fn local_host(&self) -> String {
        self.listener
            .local_addr()
            .map(|a| a.ip().to_string())
            .unwrap_or_default()
    }

    /// The database the application uses (tests inspect it).
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// Serves until SIGTERM or Ctrl-C, then lets in-flight requests finish for the configured
    /// grace period.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` completes, then drains like [`Application::run_until_stopped`].
    pub async fn run_until(
        self,
        stop: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stopping_tx, mut stopping_rx) = tokio::sync::watch::channel(false);
        let maintenance = tokio::spawn(jobs::maintenance::run(
            self.db.conn.clone(),
            stopping_rx.clone(),
        ));
        let email_worker = tokio::spawn(jobs::email::run(
            self.db.conn.clone(),
            self.mailer,
            self.email_settings,
            self.base_url,
            stopping_rx.clone(),
        ));
        let server = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            stop.await;
            tracing::info!("shutting down: finishing in-flight requests");
            let _ = stopping_tx.send(true);
        });
        let grace = self.grace;
        let deadline = async move {
            let _ = stopping_rx.wait_for(|stopping| *stopping).await;
            tokio::time::sleep(grace).await;
        };
        tokio::select! {
            result = server => result.context("server error")?,
            () = deadline => tracing::warn!(grace_secs = grace.as_secs(), "grace period over; dropping remaining requests"),
        }
        self.bookkeeping.close();
        if tokio::time::timeout(grace, self.bookkeeping.wait())
            .await
            .is_err()
        {
            tracing::warn!(
                "requests still streaming or settling after the grace period; the sweeper releases their holds"
            );
        }
        match self.billing.release_lines().await {
            Ok(released) if released > 0 => tracing::info!(released, "credit lines released"),
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(%error, "credit lines not released; the sweeper releases them when they expire");
            }
        }
        if tokio::time::timeout(grace, maintenance).await.is_err() {
            tracing::warn!("maintenance did not stop within the grace period");
        }
        // The worker checks for shutdown between emails, so this waits for at most one send.
        if tokio::time::timeout(grace, email_worker).await.is_err() {
            tracing::warn!("email worker did not stop within the grace period");
        }
        Ok(())
    }
}

/// The application's routes, generated once per process. Generating them sets a process-wide
/// flag in Leptos that leaves any resource first polled meanwhile pending forever
/// (leptos-rs/leptos#4773); a second application built in the same process (as the tests do,
/// many at once) would otherwise hang the pages another one is rendering.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The full router: pages and server functions, health, static files and the middleware stack.
fn router(
    state: AppState,
    settings: &Settings,
    db: Database,
    proxy_state: proxy::ProxyState,
) -> Router {
    let routes = route_list();
    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let render = {
        let options = state.leptos_options().clone();
        move || shell(options.clone())
    };
    let authorize = axum::middleware::from_fn_with_state(state.clone(), session::authorize);
    let pages = Router::new()
        .leptos_routes_with_context(&state, routes, context.clone(), render)
        .merge(downloads::router())
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .with_state(state)
        // Innermost: forged and oversized requests are refused before sign-in state is read.
        .layer(authorize);

    let limit = settings.server.max_body_bytes;
    let client_context = client::ClientContext {
        trusted_proxies: Arc::new(settings.server.trusted_proxies.clone()),
    };
    let proxy = proxy::router(proxy_state);
    let router = pages
        .merge(health::router(db))
        // Axum's own extractor limit (2 MiB by default) would contradict the configured one.
        .layer(axum::extract::DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn_with_state(
            body_limit::BodyLimit(limit),
            body_limit::enforce,
        ))
        // Outside the body limit: a forged request is refused before its body is read.
        .layer(axum::middleware::from_fn_with_state(
            csrf::SiteOrigin(Arc::from(settings.public_base_url())),
            csrf::refuse_cross_site,
        ))
        .layer(CompressionLayer::new())
        // The API routes: outside the dashboard's CSRF check (agents send no Origin), body
        // limit (they apply their own, after decompression) and compression (streams must
        // reach the client event by event).
        .merge(proxy);
    let router = security_headers::apply(router, settings.server.is_https());
    router.layer(
        ServiceBuilder::new()
            .layer(axum::middleware::from_fn_with_state(
                client_context,
                client::identify_client,
            ))
            .layer(SetRequestIdLayer::new(
                client::X_REQUEST_ID.clone(),
                MakeRequestUuid,
            ))
            .layer(
                TraceLayer::new_for_http()
                    // Path only: query strings can carry tokens.
                    .make_span_with(|request: &http::Request<_>| {
                        let request_id = request
                            .headers()
                            .get(&client::X_REQUEST_ID)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default();
                        tracing::info_span!(
                            "http",
                            method = %request.method(),
                            path = %request.uri().path(),
                            request_id = %request_id,
                        )
                    })
                    .on_response(DefaultOnResponse::new().level(Level::INFO)),
            )
            .layer(PropagateRequestIdLayer::new(client::X_REQUEST_ID.clone())),
    )
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
