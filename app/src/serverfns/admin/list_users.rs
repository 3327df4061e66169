//! `admin_list_users`: accounts matching a search, a page at a time. Staff only.

use crate::account::UserPage;
use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "admin_list_users")]
pub async fn admin_list_users(
    search: Option<String>,
    after_id: Option<i64>,
) -> Result<UserPage, AppError> {
    use crate::server::request::{fail, Call};
    use crate::server::services::admin_users::{self, PAGE_SIZE};
    use crate::server::views;

    let call = Call::current()?;
    let mut rows = admin_users::list(call.state.db(), search.as_deref().unwrap_or(""), after_id)
        .await
        .map_err(fail)?;
    let more = rows.len() as u64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let next_after = more.then(|| rows.last().map(|row| row.id)).flatten();
    Ok(UserPage {
        users: rows.into_iter().map(views::user_summary).collect(),
        next_after,
    })
}
