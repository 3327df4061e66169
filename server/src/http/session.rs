//! Sign-in state and authorization for every request to the application.
//!
//! The session cookie is resolved to a [`Viewer`] (a live session of an unsuspended account) and
//! attached to the request; then the access policy of [`app::auth`] is enforced before any page
//! renders or server function runs. An unknown server function is refused: deny by default.
//! Responses to signed-in requests and all server-function answers are `Cache-Control:
//! no-store`, so no shared or browser cache keeps personal pages.

use app::auth::{page_access, server_fn_access, Access, Denial, Viewer};
use app::error::AppError;
use app::paths;
use app::server::request::{cookie_in, necessary_cookie, session_cookie_name};
use app::server::state::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Utc;
use http::header::{ACCEPT, CACHE_CONTROL, CONTENT_TYPE, SET_COOKIE};
use http::{HeaderMap, HeaderValue, StatusCode};

/// Paths that never need the session: the built bundle, static files and health checks.
fn is_static(path: &str) -> bool {
    path.starts_with("/pkg/")
        || path.starts_with("/analytics/")
        || path == "/favicon.svg"
        || path == paths::HEALTHZ
        || path == paths::READYZ
}

/// Resolves the viewer and enforces the access policy.
pub async fn authorize(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    if is_static(&path) {
        return next.run(request).await;
    }
    let settings = state.settings();
    let cookie_name = session_cookie_name(settings);
    let token = cookie_in(request.headers(), cookie_name);
    let viewer = match &token {
        Some(token) => match state.accounts().viewer(token, Utc::now()).await {
            Ok(viewer) => viewer,
            Err(error) => return error_response(request.headers(), AppError::from(error)),
        },
        None => None,
    };
    let server_fn = path
        .strip_prefix(paths::SERVER_FN_PREFIX)
        .and_then(|rest| rest.strip_prefix('/'));
    let access = match server_fn {
        Some(endpoint) => server_fn_access(endpoint),
        None => Some(page_access(&path)),
    };
    let stale_cookie = token.is_some() && viewer.is_none();
    let mut response = match access {
        None => {
            tracing::info!(%path, "call to a server function outside the access policy refused");
            error_response(request.headers(), AppError::NotFound)
        }
        Some(access) if !access.allows(viewer.as_ref()) => {
            refuse(&request, access, viewer.as_ref(), server_fn.is_some())
        }
        Some(_) => {
            let signed_in = viewer.is_some();
            if let Some(viewer) = viewer {
                request.extensions_mut().insert(viewer);
            }
            let mut response = next.run(request).await;
            if signed_in || server_fn.is_some() {
                response
                    .headers_mut()
                    .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
            }
            response
        }
    };
    if stale_cookie && !sets_cookie(&response, cookie_name) {
        // The session ended (signed out elsewhere, expired, revoked): drop the dead cookie,
        // unless this very response (a new sign-in) replaces it.
        let expired = necessary_cookie(
            settings,
            cookie_name,
            String::new(),
            Some(cookie::time::Duration::ZERO),
        );
        if let Ok(value) = HeaderValue::from_str(&expired.to_string()) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

fn sets_cookie(response: &Response, name: &str) -> bool {
    let prefix = format!("{name}=");
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .any(|v| v.as_bytes().starts_with(prefix.as_bytes()))
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// Anonymous visitors are sent to sign in (pages and plain form posts) or told 401 (script
/// calls); signed-in accounts that may not pass get 403 saying why.
fn refuse(request: &Request, access: Access, viewer: Option<&Viewer>, server_fn: bool) -> Response {
    match access.check(viewer) {
        Err(Denial::SignIn) if !server_fn || wants_html(request.headers()) => {
            let back = request
                .uri()
                .path_and_query()
                .map(|pq| pq.as_str().to_owned())
                .filter(|_| !server_fn)
                .unwrap_or_else(|| paths::ACCOUNT.to_owned());
            let target = format!(
                "{}?{}={}",
                paths::LOG_IN,
                paths::NEXT_QUERY,
                url::form_urlencoded::byte_serialize(back.as_bytes()).collect::<String>()
            );
            Redirect::to(&target).into_response()
        }
        Err(Denial::SignIn) => error_response(
            request.headers(),
            AppError::Unauthorized("please sign in to continue".to_owned()),
        ),
        Err(Denial::Forbidden(why)) => {
            error_response(request.headers(), AppError::Forbidden(why.to_owned()))
        }
        Ok(()) => error_response(request.headers(), AppError::Internal),
    }
}

/// An error in the shape the caller reads: a small page for browsers navigating, the server
/// function error encoding (JSON) for everything else.
pub fn error_response(headers: &HeaderMap, error: AppError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = if wants_html(headers) {
        let message = html_escape(&error.to_string());
        Html(format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{status}</title>\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head>\
             <body><main><h1>{status}</h1><p>{message}</p><p><a href=\"/\">Home</a> · \
             <a href=\"{login}\">Sign in</a></p></main></body></html>",
            status = status.as_u16(),
            login = paths::LOG_IN,
        ))
        .into_response()
    } else {
        let body = serde_json::to_string(&error).unwrap_or_default();
        let mut response = body.into_response();
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response
    };
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
