//! `revoke_api_token`: stops one of the user's tokens from the next request on. Their own
//! tokens only: another account's id is "not found".

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "revoke_api_token")]
pub async fn revoke_api_token(token_id: i64) -> Result<(), AppError> {
    use crate::account::Notice;
    use crate::paths;
    use crate::server::request::{fail, Call};
    use crate::server::services::api_tokens;

    let call = Call::current()?;
    let viewer = call.viewer()?;
    api_tokens::revoke(
        call.state.db(),
        viewer.user_id,
        token_id,
        chrono::Utc::now(),
    )
    .await
    .map_err(fail)?;
    leptos_axum::redirect(&Notice::TokenRevoked.on(paths::ACCOUNT_TOKENS));
    Ok(())
}
