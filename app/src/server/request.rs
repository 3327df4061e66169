//! Helpers for server functions and SSR that read the current request or shape the response.

use super::config::Settings;
use crate::consent::ConsentState;
use crate::error::AppError;
use crate::paths::{CONSENT_COOKIE, REVIEW_CONSENT_QUERY};
use http::header::{ACCEPT, COOKIE, REFERER, SET_COOKIE, USER_AGENT};
use http::request::Parts;
use http::HeaderValue;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

/// How long the browser keeps the consent cookie: about six months, after which we ask again.
const CONSENT_COOKIE_MAX_AGE_DAYS: i64 = 180;
/// User agents are metadata, not content; anything longer is truncated.
const USER_AGENT_MAX_CHARS: usize = 256;

/// The current request's head.
pub fn parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or_else(|| {
        tracing::error!("request parts missing from the Leptos context");
        AppError::Internal
    })
}

/// Whether the caller is a browser submitting a plain form (no JavaScript).
pub fn accepts_html(parts: &Parts) -> bool {
    parts
        .headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// The value of the named cookie, if sent.
pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// The visitor's recorded choice from the consent cookie, whatever its policy version.
pub fn consent_cookie(parts: &Parts) -> Option<ConsentState> {
    cookie(parts, CONSENT_COOKIE).and_then(|v| ConsentState::parse_cookie_value(&v))
}

/// The request's user agent, truncated.
pub fn user_agent(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(USER_AGENT_MAX_CHARS).collect())
}

/// Remembers the choice in the necessary consent cookie.
pub fn set_consent_cookie(settings: &Settings, state: &ConsentState) -> Result<(), AppError> {
    let cookie = cookie::Cookie::build((CONSENT_COOKIE, state.to_cookie_value()))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(settings.server.is_https())
        .max_age(cookie::time::Duration::days(CONSENT_COOKIE_MAX_AGE_DAYS))
        .build();
    let value = HeaderValue::from_str(&cookie.to_string()).map_err(|error| {
        tracing::error!(%error, "consent cookie is not a valid header value");
        AppError::Internal
    })?;
    if let Some(response) = use_context::<ResponseOptions>() {
        response.append_header(SET_COOKIE, value);
    }
    Ok(())
}

/// Sets the response status for `error` (server functions otherwise answer every error with 500)
/// and returns it, for use as `.map_err(request::fail)` at the end of a server function.
pub fn fail(error: impl Into<AppError>) -> AppError {
    let error = error.into();
    if let (Some(response), Ok(status)) = (
        use_context::<ResponseOptions>(),
        http::StatusCode::from_u16(error.status()),
    ) {
        response.set_status(status);
    }
    error
}

/// Where a plain form post returns to: the page it came from (same site only), without the
/// "review choices" parameter so the banner does not reopen.
pub fn return_path(parts: &Parts) -> String {
    let referer = parts
        .headers
        .get(REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| url::Url::parse(v).ok());
    let Some(referer) = referer else {
        return "/".to_owned();
    };
    let host = parts
        .headers
        .get(http::header::HOST)
        .and_then(|v| v.to_str().ok());
    let same_host = match (referer.host_str(), referer.port(), host) {
        (Some(h), None, Some(expected)) => h == expected,
        (Some(h), Some(p), Some(expected)) => format!("{h}:{p}") == expected,
        _ => false,
    };
    if !same_host {
        return "/".to_owned();
    }
    let kept: Vec<(String, String)> = referer
        .query_pairs()
        .filter(|(k, _)| k != REVIEW_CONSENT_QUERY)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut path = referer.path().to_owned();
    if !kept.is_empty() {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(kept)
            .finish();
        path.push('?');
        path.push_str(&query);
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts_with(headers: &[(&str, &str)]) -> Parts {
        let mut builder = http::Request::builder().uri("/api/record_consent");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(()).expect("valid test request").into_parts().0
    }

    #[test]
    fn return_path_drops_the_review_parameter_and_keeps_the_rest() {
        let parts = parts_with(&[
            ("host", "127.0.0.1:3000"),
            (
                "referer",
                "http://127.0.0.1:3000/pricing?privacy-choices=1&ref=abc",
            ),
        ]);
        assert_eq!(return_path(&parts), "/pricing?ref=abc");
    }

    #[test]
    fn return_path_never_leaves_the_site() {
        let parts = parts_with(&[
            ("host", "127.0.0.1:3000"),
            ("referer", "https://evil.example/x"),
        ]);
        assert_eq!(return_path(&parts), "/");
        assert_eq!(return_path(&parts_with(&[("host", "a")])), "/");
    }

    #[test]
    fn consent_cookie_is_found_among_others() {
        let parts = parts_with(&[(
            "cookie",
            "other=1; codexapi_consent=0b6f3b9e-8d2a-4c1e-9f00-123456789abc:v1:r",
        )]);
        let state = consent_cookie(&parts);
        assert_eq!(state.map(|s| s.analytics), Some(false));
    }
}
