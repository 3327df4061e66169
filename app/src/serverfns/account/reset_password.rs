//! `reset_password`: spends a reset link to set a new password. Anyone holding the link may
//! call it. Every session ends; the browser that used the link becomes a known device of the
//! account, so throttling aimed at strangers does not stop its owner signing in.

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "reset_password")]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    use crate::account::Notice;
    use crate::paths;
    use crate::server::request::{self, fail, Call};

    let call = Call::current()?;
    let user_id = call
        .accounts()
        .reset_password(&token, &password, &call.client(), chrono::Utc::now())
        .await
        .map_err(fail)?;
    let device = call.accounts().keys.device_cookie(user_id);
    request::set_device_cookie(call.settings(), device).map_err(fail)?;
    request::clear_session_cookie(call.settings()).map_err(fail)?;
    leptos_axum::redirect(&Notice::PasswordReset.on(paths::LOG_IN));
    Ok(())
}
