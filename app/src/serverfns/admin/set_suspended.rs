//! `admin_set_suspended`: suspends or reinstates an account. Admins only.

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "admin_set_suspended")]
pub async fn admin_set_suspended(user_id: i64, suspended: bool) -> Result<(), AppError> {
    use crate::account::Notice;
    use crate::paths;
    use crate::server::request::{fail, Call};
    use crate::server::services::admin_users;

    let call = Call::current()?;
    let viewer = call.viewer()?;
    admin_users::set_suspended(
        call.state.db(),
        &viewer,
        user_id,
        suspended,
        &call.client(),
        chrono::Utc::now(),
    )
    .await
    .map_err(fail)?;
    leptos_axum::redirect(&Notice::UserUpdated.on(&paths::admin_user(user_id)));
    Ok(())
}
