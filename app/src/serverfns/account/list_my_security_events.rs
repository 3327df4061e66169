//! `list_my_security_events`: the signed-in user's own security log, newest first, a page at a
//! time.

use crate::account::SecurityEventPage;
use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "list_my_security_events")]
pub async fn list_my_security_events(
    before_id: Option<i64>,
) -> Result<SecurityEventPage, AppError> {
    use crate::server::request::{fail, Call};
    use crate::server::services::audit::EventFilter;
    use crate::server::views;

    let call = Call::current()?;
    let viewer = call.viewer()?;
    let filter = EventFilter {
        user_id: Some(viewer.user_id),
        before_id,
        ..EventFilter::default()
    };
    views::security_event_page(call.state.db(), &filter)
        .await
        .map_err(fail)
}
