//! `admin_list_security_events`: the security log of every account, filterable by account and
//! kind, newest first. Staff only.

use crate::account::SecurityEventPage;
use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "admin_list_security_events")]
pub async fn admin_list_security_events(
    user_id: Option<i64>,
    kind: Option<String>,
    before_id: Option<i64>,
) -> Result<SecurityEventPage, AppError> {
    use crate::server::request::{fail, Call};
    use crate::server::services::audit::{EventFilter, EventKind};
    use crate::server::views;

    let call = Call::current()?;
    let kind = match kind.as_deref().filter(|k| !k.is_empty()) {
        Some(name) => Some(EventKind::parse(name).ok_or_else(|| {
            fail(AppError::BadRequest(format!(
                "{name:?} is not a kind of security event"
            )))
        })?),
        None => None,
    };
    let filter = EventFilter {
        user_id,
        kind,
        before_id,
        ..EventFilter::default()
    };
    views::security_event_page(call.state.db(), &filter)
        .await
        .map_err(fail)
}
