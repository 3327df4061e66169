//! Helpers for server functions and SSR that read the current request or shape the response.

use super::config::Settings;
use super::net::ClientIp;
use super::services::accounts::second_factor;
use super::services::accounts::{Accounts, Client, PendingLogin, SignedIn};
use super::state::AppState;
use crate::auth::Viewer;
use crate::consent::ConsentState;
use crate::error::AppError;
use crate::paths::{
    CONSENT_COOKIE, DEVICE_COOKIE, DEVICE_COOKIE_SECURE, FLASH_COOKIE, FLASH_COOKIE_SECURE,
    NEXT_QUERY, PENDING_COOKIE, PENDING_COOKIE_SECURE, REVIEW_CONSENT_QUERY, SESSION_COOKIE,
    SESSION_COOKIE_SECURE,
};
use http::header::{ACCEPT, COOKIE, REFERER, SET_COOKIE, USER_AGENT};
use http::request::Parts;
use http::HeaderValue;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

/// How long the browser keeps the consent cookie: about six months, after which we ask again.
const CONSENT_COOKIE_MAX_AGE_DAYS: i64 = 180;
/// User agents are metadata, not content; anything longer is truncated.
const USER_AGENT_MAX_CHARS: usize = 256;

/// What a server function works with: the application state and the request's head.
pub struct Call {
    pub state: AppState,
    pub parts: Parts,
}

impl Call {
    /// The current call; an error (already given its status) if the context is missing.
    pub fn current() -> Result<Self, AppError> {
        Ok(Self {
            state: AppState::from_context().map_err(fail)?,
            parts: parts().map_err(fail)?,
        })
    }

    /// The signed-in viewer, or 401.
    pub fn viewer(&self) -> Result<Viewer, AppError> {
        viewer(&self.parts).map_err(fail)
    }

    /// The signed-in viewer, if any, for functions anyone may call.
    pub fn signed_in(&self) -> Option<Viewer> {
        self.parts.extensions.get::<Viewer>().cloned()
    }

    pub fn client(&self) -> Client {
        client(&self.parts, self.state.settings())
    }

    pub fn accounts(&self) -> Accounts<'_> {
        self.state.accounts()
    }

    pub fn settings(&self) -> &Settings {
        self.state.settings()
    }

    /// Step-up re-authentication for a sensitive action: a recent confirmation, or the password
    /// (and code) sent with the form.
    pub async fn step_up(
        &self,
        viewer: &Viewer,
        password: Option<&str>,
        code: Option<&str>,
    ) -> Result<(), AppError> {
        self.accounts()
            .step_up(
                viewer,
                password.unwrap_or(""),
                code.unwrap_or(""),
                chrono::Utc::now(),
            )
            .await
            .map_err(fail)
    }

    /// Sets the sign-in cookies and continues to `next` (a local path) or the account page.
    pub fn finish_sign_in(&self, signed_in: &SignedIn, next: Option<&str>) -> Result<(), AppError> {
        set_sign_in_cookies(self.settings(), signed_in).map_err(fail)?;
        leptos_axum::redirect(&safe_next(next, crate::paths::ACCOUNT));
        Ok(())
    }

    /// Keeps the half-finished sign-in in its cookie and sends the browser to enter a code.
    pub fn ask_second_step(
        &self,
        pending: &PendingLogin,
        next: Option<&str>,
    ) -> Result<(), AppError> {
        set_pending_cookie(self.settings(), pending).map_err(fail)?;
        let mut target = crate::paths::LOG_IN_TWO_FACTOR.to_owned();
        if let Some(next) = next.filter(|n| !n.is_empty()) {
            target.push_str(&format!(
                "?{NEXT_QUERY}={}",
                url::form_urlencoded::byte_serialize(safe_next(Some(next), "/").as_bytes())
                    .collect::<String>()
            ));
        }
        leptos_axum::redirect(&target);
        Ok(())
    }

    /// Seals secrets that are shown once into the flash cookie and sends the browser to
    /// `notice` on `page`, which shows them and deletes the cookie.
    pub fn show_once(
        &self,
        user_id: i64,
        secrets: &ShownOnce,
        page: &str,
        notice: crate::account::Notice,
    ) -> Result<(), AppError> {
        use super::services::secrets::Sealed;
        use super::services::ServiceError;
        let json = serde_json::to_vec(secrets)
            .map_err(|e| fail(AppError::from(ServiceError::Internal(e.to_string()))))?;
        let sealed = self
            .accounts()
            .keys
            .seal(Sealed::ShownOnce(user_id), &json)
            .map_err(|e| fail(AppError::from(ServiceError::Internal(e))))?;
        set_flash_cookie(self.settings(), sealed).map_err(fail)?;
        leptos_axum::redirect(&notice.on(page));
        Ok(())
    }

    /// Takes the secrets a moment-ago action left for this page, if any.
    pub fn take_shown_once(&self, user_id: i64) -> Result<Option<ShownOnce>, AppError> {
        use super::services::secrets::Sealed;
        let sealed = take_flash_cookie(&self.parts, self.settings()).map_err(fail)?;
        Ok(sealed
            .and_then(|sealed| {
                self.accounts()
                    .keys
                    .open(Sealed::ShownOnce(user_id), &sealed)
            })
            .and_then(|json| serde_json::from_slice(&json).ok()))
    }
}

/// What a flash cookie carries.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum ShownOnce {
    RecoveryCodes(Vec<String>),
    ApiToken(String),
}

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
    cookie_in(&parts.headers, name)
}

/// The value of the named cookie among `headers`, if sent.
pub fn cookie_in(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
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

/// How long a browser stays "known" to an account after signing in to it.
const DEVICE_COOKIE_MAX_AGE_DAYS: i64 = 365;

/// The `__Host-` prefixed name when the site is served over https, else the plain one.
fn host_cookie_name(
    settings: &Settings,
    plain: &'static str,
    secure: &'static str,
) -> &'static str {
    if settings.server.is_https() {
        secure
    } else {
        plain
    }
}

/// The session cookie's name.
pub fn session_cookie_name(settings: &Settings) -> &'static str {
    host_cookie_name(settings, SESSION_COOKIE, SESSION_COOKIE_SECURE)
}

fn device_cookie_name(settings: &Settings) -> &'static str {
    host_cookie_name(settings, DEVICE_COOKIE, DEVICE_COOKIE_SECURE)
}

fn pending_cookie_name(settings: &Settings) -> &'static str {
    host_cookie_name(settings, PENDING_COOKIE, PENDING_COOKIE_SECURE)
}

fn flash_cookie_name(settings: &Settings) -> &'static str {
    host_cookie_name(settings, FLASH_COOKIE, FLASH_COOKIE_SECURE)
}

/// A necessary cookie: HttpOnly, SameSite=Lax, path `/`, Secure on https. `max_age` None makes
/// it end with the browser session; zero deletes it.
pub fn necessary_cookie(
    settings: &Settings,
    name: &'static str,
    value: String,
    max_age: Option<cookie::time::Duration>,
) -> cookie::Cookie<'static> {
    let mut builder = cookie::Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(settings.server.is_https());
    if let Some(max_age) = max_age {
        builder = builder.max_age(max_age);
    }
    builder.build()
}

fn append_cookie(cookie: &cookie::Cookie<'_>) -> Result<(), AppError> {
    let value = HeaderValue::from_str(&cookie.to_string()).map_err(|error| {
        tracing::error!(%error, cookie = cookie.name(), "cookie is not a valid header value");
        AppError::Internal
    })?;
    if let Some(response) = use_context::<ResponseOptions>() {
        response.append_header(SET_COOKIE, value);
    }
    Ok(())
}

/// Remembers the choice in the necessary consent cookie.
pub fn set_consent_cookie(settings: &Settings, state: &ConsentState) -> Result<(), AppError> {
    append_cookie(&necessary_cookie(
        settings,
        CONSENT_COOKIE,
        state.to_cookie_value(),
        Some(cookie::time::Duration::days(CONSENT_COOKIE_MAX_AGE_DAYS)),
    ))
}

/// Sets the session cookie (until the session's absolute expiry) and the known-device cookie.
pub fn set_sign_in_cookies(settings: &Settings, signed_in: &SignedIn) -> Result<(), AppError> {
    let lifetime = (signed_in.session.expires_at - chrono::Utc::now()).num_seconds();
    append_cookie(&necessary_cookie(
        settings,
        session_cookie_name(settings),
        signed_in.session.token.expose().to_owned(),
        Some(cookie::time::Duration::seconds(lifetime.max(0))),
    ))?;
    set_device_cookie(settings, signed_in.device_cookie.clone())
}

/// Marks this browser as known to an account.
pub fn set_device_cookie(settings: &Settings, value: String) -> Result<(), AppError> {
    append_cookie(&necessary_cookie(
        settings,
        device_cookie_name(settings),
        value,
        Some(cookie::time::Duration::days(DEVICE_COOKIE_MAX_AGE_DAYS)),
    ))
}

/// Deletes a cookie.
fn clear_cookie(settings: &Settings, name: &'static str) -> Result<(), AppError> {
    append_cookie(&necessary_cookie(
        settings,
        name,
        String::new(),
        Some(cookie::time::Duration::ZERO),
    ))
}

/// Deletes the session cookie.
pub fn clear_session_cookie(settings: &Settings) -> Result<(), AppError> {
    clear_cookie(settings, session_cookie_name(settings))
}

/// Remembers a sign-in that waits for its second step.
pub fn set_pending_cookie(settings: &Settings, pending: &PendingLogin) -> Result<(), AppError> {
    let minutes = second_factor::PENDING_LIFETIME.num_minutes();
    append_cookie(&necessary_cookie(
        settings,
        pending_cookie_name(settings),
        pending.expose().to_owned(),
        Some(cookie::time::Duration::minutes(minutes)),
    ))
}

/// The half-finished sign-in's token, if the browser has one.
pub fn pending_cookie(parts: &Parts, settings: &Settings) -> Option<String> {
    cookie(parts, pending_cookie_name(settings))
}

pub fn clear_pending_cookie(settings: &Settings) -> Result<(), AppError> {
    clear_cookie(settings, pending_cookie_name(settings))
}

/// Hands sealed recovery codes to the page that shows them once.
pub fn set_flash_cookie(settings: &Settings, sealed: String) -> Result<(), AppError> {
    append_cookie(&necessary_cookie(
        settings,
        flash_cookie_name(settings),
        sealed,
        Some(cookie::time::Duration::minutes(5)),
    ))
}

/// Takes the sealed recovery codes, if any, deleting the cookie.
pub fn take_flash_cookie(parts: &Parts, settings: &Settings) -> Result<Option<String>, AppError> {
    let value = cookie(parts, flash_cookie_name(settings));
    if value.is_some() {
        clear_cookie(settings, flash_cookie_name(settings))?;
    }
    Ok(value)
}

/// The signed-in viewer the session middleware attached to this request.
pub fn viewer(parts: &Parts) -> Result<Viewer, AppError> {
    parts
        .extensions
        .get::<Viewer>()
        .cloned()
        .ok_or_else(|| AppError::Unauthorized("please sign in to continue".to_owned()))
}

/// The requesting client: address (trusted-proxy aware), user agent, known-device cookie.
pub fn client(parts: &Parts, settings: &Settings) -> Client {
    Client {
        ip: parts
            .extensions
            .get::<ClientIp>()
            .map(|ClientIp(ip)| ip.to_string()),
        user_agent: user_agent(parts),
        device: cookie(parts, device_cookie_name(settings)),
    }
}

/// A local path to continue to after signing in: only paths on this site, never `//host`.
pub fn safe_next(next: Option<&str>, fallback: &str) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.contains(['\r', '\n']) =>
        {
            path.to_owned()
        }
        _ => fallback.to_owned(),
    }
}

/// The `next` parameter of the page a form was posted from, if any.
pub fn next_from_referer(parts: &Parts) -> Option<String> {
    let referer = parts.headers.get(REFERER)?.to_str().ok()?;
    let url = url::Url::parse(referer).ok()?;
    url.query_pairs()
        .find(|(key, _)| key == NEXT_QUERY)
        .map(|(_, value)| value.into_owned())
}

/// Sets the response status for `error` (server functions otherwise answer every error with 500)
/// and returns it, for use as `.map_err(request::fail)` at the end of a server function.
///
/// A plain form post (no JavaScript) keeps its redirect status instead: the error travels back
/// to the form's page in the redirect's query, where the page shows it.
pub fn fail(error: impl Into<AppError>) -> AppError {
    let error = error.into();
    let plain_form = use_context::<Parts>().is_some_and(|parts| accepts_html(&parts));
    if plain_form {
        return error;
    }
    if let (Some(response), Ok(status)) = (
        use_context::<ResponseOptions>(),
        http::StatusCode::from_u16(error.status()),
    ) {
        response.set_status(status);
        if let AppError::TooManyRequests {
            retry_after_secs, ..
        } = &error
        {
            response.insert_header(
                http::header::RETRY_AFTER,
                HeaderValue::from(*retry_after_secs),
            );
        }
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
    fn next_paths_stay_on_this_site() {
        assert_eq!(safe_next(Some("/account?x=1"), "/"), "/account?x=1");
        for hostile in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "account",
        ] {
            assert_eq!(
                safe_next(Some(hostile), "/account"),
                "/account",
                "{hostile}"
            );
        }
        assert_eq!(safe_next(None, "/account"), "/account");
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
