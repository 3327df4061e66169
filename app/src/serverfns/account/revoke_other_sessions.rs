//! `revoke_other_sessions`: signs out every device of the user but this one.

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "revoke_other_sessions")]
pub async fn revoke_other_sessions() -> Result<u64, AppError> {
    use crate::account::Notice;
    use crate::paths;
    use crate::server::request::{fail, Call};

    let call = Call::current()?;
    let viewer = call.viewer()?;
    let ended = call
        .accounts()
        .revoke_other_sessions(&viewer, &call.client(), chrono::Utc::now())
        .await
        .map_err(fail)?;
    leptos_axum::redirect(&Notice::OtherSessionsRevoked.on(paths::ACCOUNT_SECURITY));
    Ok(ended)
}
