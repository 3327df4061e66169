//! `resend_verification`: emails a new confirmation link. Signed-in accounts only.

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "resend_verification")]
pub async fn resend_verification() -> Result<(), AppError> {
    use crate::account::Notice;
    use crate::paths;
    use crate::server::request::{fail, Call};

    let call = Call::current()?;
    let viewer = call.viewer()?;
    call.accounts()
        .resend_verification(viewer.user_id, &call.client(), chrono::Utc::now())
        .await
        .map_err(fail)?;
    leptos_axum::redirect(&Notice::VerificationSent.on(paths::ACCOUNT));
    Ok(())
}
