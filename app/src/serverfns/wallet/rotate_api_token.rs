//! `rotate_api_token`: a new secret for one of the user's tokens, the old one working for the
//! chosen grace period. Their own tokens only; needs step-up re-authentication.

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "rotate_api_token")]
pub async fn rotate_api_token(
    token_id: i64,
    grace_days: i64,
    password: Option<String>,
    code: Option<String>,
) -> Result<(), AppError> {
    use crate::account::Notice;
    use crate::paths;
    use crate::server::request::{fail, Call, ShownOnce};
    use crate::server::services::api_tokens;

    let call = Call::current()?;
    let viewer = call.viewer()?;
    let now = chrono::Utc::now();
    call.step_up(&viewer, password.as_deref(), code.as_deref())
        .await?;
    let created = api_tokens::rotate(call.state.db(), viewer.user_id, token_id, grace_days, now)
        .await
        .map_err(fail)?;
    call.show_once(
        viewer.user_id,
        &ShownOnce::ApiToken(created.secret.expose().to_owned()),
        paths::ACCOUNT_TOKENS,
        Notice::TokenRotated,
    )
}
