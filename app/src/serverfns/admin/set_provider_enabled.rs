//! `admin_set_provider_enabled`: takes a provider out of rotation or puts it back. Admins only.

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "admin_set_provider_enabled")]
pub async fn admin_set_provider_enabled(provider_id: i64, enabled: bool) -> Result<(), AppError> {
    use crate::account::Notice;
    use crate::paths;
    use crate::server::request::{fail, Call};
    use crate::server::services::proxy::providers;

    let call = Call::current()?;
    call.viewer()?;
    providers::set_enabled(call.state.db(), provider_id, enabled, chrono::Utc::now())
        .await
        .map_err(fail)?;
    leptos_axum::redirect(&Notice::ProviderSaved.on(paths::ADMIN_PROVIDERS));
    Ok(())
}
