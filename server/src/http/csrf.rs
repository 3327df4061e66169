//! Cross-site request forgery protection for every state-changing request.
//!
//! Browsers label each request with `Sec-Fetch-Site` and, on POST, `Origin`; a forged request
//! from another site cannot remove or fake them. A state-changing request is refused when either
//! says it came from elsewhere. Requests carrying neither come from non-browser clients (CLIs,
//! SDKs, webhooks), which have no ambient cookies to abuse. SameSite=Lax cookies are the second
//! layer.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::header::{HOST, ORIGIN};
use http::{Method, StatusCode};
use std::sync::Arc;

/// The site's own origin as configured (`server.base_url`), e.g. `https://api.example.com`.
#[derive(Clone)]
pub struct SiteOrigin(pub Arc<str>);

/// Refuses cross-site state-changing requests with 403.
pub async fn refuse_cross_site(
    State(site): State<SiteOrigin>,
    request: Request,
    next: Next,
) -> Response {
    if is_safe_method(request.method()) || is_same_site_request(&site, &request) {
        return next.run(request).await;
    }
    tracing::info!(method = %request.method(), path = %request.uri().path(), "cross-site request refused");
    (
        StatusCode::FORBIDDEN,
        Json(serde_json::json!({
            "error": {
                "type": "cross_site_request",
                "message": "This request came from another site and was refused. \
                            Open the page on this site and try again.",
            }
        })),
    )
        .into_response()
}

fn is_safe_method(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

fn is_same_site_request(site: &SiteOrigin, request: &Request) -> bool {
    let headers = request.headers();
    if let Some(fetch_site) = headers.get("sec-fetch-site") {
        // `none`: typed in the address bar or a bookmark. `same-site` is refused too: a sibling
        // subdomain is not this application.
        return matches!(fetch_site.as_bytes(), b"same-origin" | b"none");
    }
    let Some(origin) = headers.get(ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    if origin == &*site.0 {
        return true;
    }
    // The page may be reached under another name than the configured one (localhost vs
    // 127.0.0.1, or before base_url is set); the browser's Host then names the same server.
    let host = headers.get(HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest.trim_end_matches('/'));
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: Method, headers: &[(&str, &str)]) -> Request {
        let mut builder = http::Request::builder().method(method).uri("/api/x");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder
            .body(axum::body::Body::empty())
            .expect("valid request")
    }

    fn site() -> SiteOrigin {
        SiteOrigin(Arc::from("https://api.example.com"))
    }

    #[test]
    fn browser_requests_from_this_site_pass() {
        for headers in [
            &[("sec-fetch-site", "same-origin")][..],
            &[("origin", "https://api.example.com")][..],
            &[
                ("origin", "http://localhost:3000"),
                ("host", "localhost:3000"),
            ][..],
            &[][..],
        ] {
            assert!(
                is_same_site_request(&site(), &request(Method::POST, headers)),
                "{headers:?}"
            );
        }
    }

    #[test]
    fn requests_from_elsewhere_are_refused() {
        for headers in [
            &[("sec-fetch-site", "cross-site")][..],
            &[("sec-fetch-site", "same-site")][..],
            &[
                ("origin", "https://evil.example"),
                ("host", "api.example.com"),
            ][..],
            &[("origin", "null")][..],
        ] {
            assert!(
                !is_same_site_request(&site(), &request(Method::POST, headers)),
                "{headers:?}"
            );
        }
    }

    #[test]
    fn reads_are_never_blocked() {
        assert!(is_safe_method(&Method::GET));
        assert!(!is_safe_method(&Method::POST));
        assert!(!is_safe_method(&Method::DELETE));
    }
}
