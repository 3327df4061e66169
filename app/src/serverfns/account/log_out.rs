//! `log_out`: ends the current session. Signed-in accounts only.

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "log_out")]
pub async fn log_out() -> Result<(), AppError> {
    use crate::account::Notice;
    use crate::paths;
    use crate::server::request::{self, fail, Call};

    let call = Call::current()?;
    let viewer = call.viewer()?;
    call.accounts()
        .log_out(&viewer, &call.client(), chrono::Utc::now())
        .await
        .map_err(fail)?;
    request::clear_session_cookie(call.settings()).map_err(fail)?;
    leptos_axum::redirect(&Notice::SignedOut.on(paths::LOG_IN));
    Ok(())
}
