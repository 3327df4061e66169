//! `verify_email`: spends an emailed address link, confirming the sign-up address or switching
//! to a new one. Anyone holding the link may call it (the link is the credential); the page asks
//! for a click first, so mail scanners that open links do not spend it.

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "verify_email")]
pub async fn verify_email(token: String) -> Result<(), AppError> {
    use crate::account::Notice;
    use crate::paths;
    use crate::server::request::{fail, Call};
    use crate::server::services::accounts::EmailConfirmed;

    let call = Call::current()?;
    let confirmed = call
        .accounts()
        .confirm_email(&token, &call.client(), chrono::Utc::now())
        .await
        .map_err(fail)?;
    let notice = match confirmed {
        EmailConfirmed::Verified => Notice::EmailVerified,
        EmailConfirmed::Changed => Notice::EmailChanged,
    };
    let next = if call.signed_in().is_some() {
        paths::ACCOUNT
    } else {
        paths::LOG_IN
    };
    leptos_axum::redirect(&notice.on(next));
    Ok(())
}
