//! `get_profile`: the signed-in user's profile. Signed-in accounts only, their own only.

use crate::account::ProfileView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "get_profile")]
pub async fn get_profile() -> Result<ProfileView, AppError> {
    use crate::server::request::{fail, Call};
    use crate::server::views;

    let call = Call::current()?;
    let viewer = call.viewer()?;
    let user = call
        .accounts()
        .profile(viewer.user_id)
        .await
        .map_err(fail)?;
    Ok(views::profile(user))
}
