//! `request_password_reset`: emails a reset link if the address has an account. Anyone may call
//! it; the answer never says whether it had.

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "request_password_reset")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    use crate::account::Notice;
    use crate::paths;
    use crate::server::request::{fail, Call};

    let call = Call::current()?;
    call.accounts()
        .request_password_reset(&email, &call.client(), chrono::Utc::now())
        .await
        .map_err(fail)?;
    leptos_axum::redirect(&Notice::ResetSent.on(paths::FORGOT_PASSWORD));
    Ok(())
}
