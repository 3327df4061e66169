//! `admin_list_providers`: upstream providers with their models and health. Never a key. Staff.

use crate::error::AppError;
use crate::pricing::ProviderView;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "admin_list_providers")]
pub async fn admin_list_providers() -> Result<Vec<ProviderView>, AppError> {
    use crate::server::request::{fail, Call};
    use crate::server::services::proxy::providers;
    use crate::server::views;

    let call = Call::current()?;
    let listed = providers::list(call.state.db()).await.map_err(fail)?;
    Ok(listed
        .into_iter()
        .map(|(provider, models)| views::provider(provider, models))
        .collect())
}
