//! `request_email_change`: sends a confirmation link to a new address and tells the current
//! one. Signed-in accounts only, after step-up re-authentication.

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "request_email_change")]
pub async fn request_email_change(
    new_email: String,
    password: Option<String>,
    code: Option<String>,
) -> Result<(), AppError> {
    use crate::account::Notice;
    use crate::paths;
    use crate::server::request::{fail, Call};

    let call = Call::current()?;
    let viewer = call.viewer()?;
    call.accounts()
        .request_email_change(
            &viewer,
            &new_email,
            password.as_deref().unwrap_or(""),
            code.as_deref().unwrap_or(""),
            &call.client(),
            chrono::Utc::now(),
        )
        .await
        .map_err(fail)?;
    leptos_axum::redirect(&Notice::EmailChangeSent.on(paths::ACCOUNT));
    Ok(())
}
