//! `disable_two_factor`: turns two-step verification off. Signed-in accounts only; always needs
//! the password and a current code.

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "disable_two_factor")]
pub async fn disable_two_factor(password: String, code: String) -> Result<(), AppError> {
    use crate::account::Notice;
    use crate::paths;
    use crate::server::request::{fail, Call};

    let call = Call::current()?;
    let viewer = call.viewer()?;
    call.accounts()
        .disable_two_factor(
            &viewer,
            &password,
            &code,
            &call.client(),
            chrono::Utc::now(),
        )
        .await
        .map_err(fail)?;
    leptos_axum::redirect(&Notice::TwoFactorDisabled.on(paths::ACCOUNT_TWO_FACTOR));
    Ok(())
}
