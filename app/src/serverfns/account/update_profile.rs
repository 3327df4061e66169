//! `update_profile`: corrects the signed-in user's name, username and contact details.
//! Signed-in accounts only, their own only.

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "update_profile")]
pub async fn update_profile(
    name: String,
    username: String,
    country: Option<String>,
    phone: Option<String>,
    company: Option<String>,
) -> Result<(), AppError> {
    use crate::account::Notice;
    use crate::paths;
    use crate::server::request::{fail, Call};
    use crate::server::services::accounts::ProfileUpdate;

    let call = Call::current()?;
    let viewer = call.viewer()?;
    let update = ProfileUpdate {
        name,
        username,
        country,
        phone,
        company,
    };
    call.accounts()
        .update_profile(viewer.user_id, update, chrono::Utc::now())
        .await
        .map_err(fail)?;
    leptos_axum::redirect(&Notice::ProfileSaved.on(paths::ACCOUNT));
    Ok(())
}
