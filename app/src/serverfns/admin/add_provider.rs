//! `admin_add_provider`: adds an upstream provider. The key is sealed at once and never shown
//! again. `models` holds one model per line, `public` or `public=upstream`. Admins only, after
//! step-up.
#![allow(
    clippy::too_many_arguments,
    reason = "a server function takes one argument per form field"
)]

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "admin_add_provider")]
pub async fn admin_add_provider(
    name: String,
    protocol: String,
    base_url: String,
    api_key: String,
    priority: i32,
    weight: i32,
    models: String,
    password: Option<String>,
    code: Option<String>,
) -> Result<(), AppError> {
    use crate::account::Notice;
    use crate::paths;
    use crate::server::request::{fail, Call};
    use crate::server::services::audit;
    use crate::server::services::proxy::providers::{self, NewProvider, Protocol};

    let call = Call::current()?;
    let viewer = call.viewer()?;
    let protocol = Protocol::parse(&protocol).ok_or_else(|| {
        fail(AppError::BadRequest(
            "choose the anthropic or openai protocol".to_owned(),
        ))
    })?;
    let models = models
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| match line.split_once('=') {
            Some((public, upstream)) => (public.trim().to_owned(), upstream.trim().to_owned()),
            None => (line.to_owned(), String::new()),
        })
        .collect();
    call.step_up(&viewer, password.as_deref(), code.as_deref())
        .await?;
    let state = &call.state;
    let provider = providers::create(
        state.db(),
        state.keys(),
        NewProvider {
            name,
            protocol,
            base_url,
            api_key: secrecy::SecretString::from(api_key),
            priority,
            weight,
            models,
        },
        state.settings().proxy.allow_private_upstreams,
        chrono::Utc::now(),
    )
    .await
    .map_err(fail)?;
    audit::admin_action(
        state.db(),
        viewer.user_id,
        None,
        serde_json::json!({
            "action": "provider_added",
            "provider_id": provider.id,
            "name": provider.name,
        }),
    )
    .await
    .map_err(fail)?;
    leptos_axum::redirect(&Notice::ProviderSaved.on(paths::ADMIN_PROVIDERS));
    Ok(())
}
