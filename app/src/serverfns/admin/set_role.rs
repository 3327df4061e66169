//! `admin_set_role`: changes an account's role. Admins only.

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "admin_set_role")]
pub async fn admin_set_role(user_id: i64, role: String) -> Result<(), AppError> {
    use crate::account::Notice;
    use crate::auth::Role;
    use crate::paths;
    use crate::server::request::{fail, Call};
    use crate::server::services::admin_users;

    let call = Call::current()?;
    let viewer = call.viewer()?;
    let role = Role::parse(&role).ok_or_else(|| {
        fail(AppError::BadRequest(
            "the role must be customer, support or admin".to_owned(),
        ))
    })?;
    admin_users::set_role(
        call.state.db(),
        &viewer,
        user_id,
        role,
        &call.client(),
        chrono::Utc::now(),
    )
    .await
    .map_err(fail)?;
    leptos_axum::redirect(&Notice::UserUpdated.on(&paths::admin_user(user_id)));
    Ok(())
}
