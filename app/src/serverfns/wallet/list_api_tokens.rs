//! `list_api_tokens`: the signed-in user's API tokens (never a secret), and a token created a
//! moment ago, handed over once from its encrypted cookie.

use crate::error::AppError;
use crate::wallet::ApiTokensView;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "list_api_tokens")]
pub async fn list_api_tokens() -> Result<ApiTokensView, AppError> {
    use crate::server::request::{fail, Call, ShownOnce};
    use crate::server::services::api_tokens;
    use crate::server::views;

    let call = Call::current()?;
    let viewer = call.viewer()?;
    let now = chrono::Utc::now();
    let currency = call.settings().site.currency.clone();
    let tokens = api_tokens::list(call.state.db(), viewer.user_id)
        .await
        .map_err(fail)?;
    let new_token = match call.take_shown_once(viewer.user_id)? {
        Some(ShownOnce::ApiToken(token)) => Some(token),
        _ => None,
    };
    Ok(ApiTokensView {
        tokens: tokens
            .into_iter()
            .map(|token| views::api_token(token, &currency, now))
            .collect(),
        new_token,
        email_verified: viewer.email_verified,
    })
}
