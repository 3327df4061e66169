//! `log_in`: checks an email and password, opens a session and continues to `next` (a local
//! path) or the account page. Anyone may call it.

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "log_in")]
pub async fn log_in(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use crate::paths;
    use crate::server::request::{self, fail, Call};

    let call = Call::current()?;
    let signed_in = call
        .accounts()
        .log_in(&email, &password, &call.client(), chrono::Utc::now())
        .await
        .map_err(fail)?;
    request::set_sign_in_cookies(call.settings(), &signed_in).map_err(fail)?;
    leptos_axum::redirect(&request::safe_next(next.as_deref(), paths::ACCOUNT));
    Ok(())
}
