//! `change_password`: sets a new password given the current one. Signed-in accounts only;
//! ends the account's other sessions.

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    use crate::account::Notice;
    use crate::paths;
    use crate::server::request::{fail, Call};

    let call = Call::current()?;
    let viewer = call.viewer()?;
    call.accounts()
        .change_password(
            &viewer,
            &current_password,
            &new_password,
            &call.client(),
            chrono::Utc::now(),
        )
        .await
        .map_err(fail)?;
    leptos_axum::redirect(&Notice::PasswordChanged.on(paths::ACCOUNT_SECURITY));
    Ok(())
}
