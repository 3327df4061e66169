//! `revoke_session`: signs one of the user's devices out. Their own sessions only: another
//! account's session id is "not found".

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "revoke_session")]
pub async fn revoke_session(session_id: i64) -> Result<(), AppError> {
    use crate::account::Notice;
    use crate::paths;
    use crate::server::request::{fail, Call};

    let call = Call::current()?;
    let viewer = call.viewer()?;
    call.accounts()
        .revoke_session(&viewer, session_id, &call.client(), chrono::Utc::now())
        .await
        .map_err(fail)?;
    let next = if session_id == viewer.session_id {
        paths::LOG_IN
    } else {
        paths::ACCOUNT_SECURITY
    };
    leptos_axum::redirect(&Notice::SessionRevoked.on(next));
    Ok(())
}
