//! `list_sessions`: the signed-in user's live sessions (devices). Their own only.

use crate::account::SessionItem;
use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "list_sessions")]
pub async fn list_sessions() -> Result<Vec<SessionItem>, AppError> {
    use crate::server::request::{fail, Call};
    use crate::server::services::sessions;
    use crate::server::views;

    let call = Call::current()?;
    let viewer = call.viewer()?;
    let live = sessions::list_active(
        call.state.db(),
        viewer.user_id,
        &call.settings().sessions,
        chrono::Utc::now(),
    )
    .await
    .map_err(fail)?;
    Ok(live
        .into_iter()
        .map(|session| views::session(session, viewer.session_id))
        .collect())
}
