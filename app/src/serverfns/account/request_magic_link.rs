//! `request_magic_link`: emails a single-use sign-in link if the address has an account. Anyone
//! may call it; the answer never says whether it had.

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "request_magic_link")]
pub async fn request_magic_link(email: String) -> Result<(), AppError> {
    use crate::account::Notice;
    use crate::paths;
    use crate::server::request::{fail, Call};

    let call = Call::current()?;
    call.accounts()
        .request_magic_link(&email, &call.client(), chrono::Utc::now())
        .await
        .map_err(fail)?;
    leptos_axum::redirect(&Notice::MagicLinkSent.on(paths::LOG_IN));
    Ok(())
}
