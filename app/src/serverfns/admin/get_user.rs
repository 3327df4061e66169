//! `admin_get_user`: one account. Staff only.

use crate::account::UserSummary;
use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "admin_get_user")]
pub async fn admin_get_user(user_id: i64) -> Result<UserSummary, AppError> {
    use crate::server::request::{fail, Call};
    use crate::server::services::admin_users;
    use crate::server::views;

    let call = Call::current()?;
    let user = admin_users::get(call.state.db(), user_id)
        .await
        .map_err(fail)?;
    Ok(views::user_summary(user))
}
