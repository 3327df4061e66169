//! `redeem_code`: redeems a code into the signed-in user's Token Wallet.

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "redeem_code")]
pub async fn redeem_code(code: String) -> Result<(), AppError> {
    use crate::account::Notice;
    use crate::paths;
    use crate::server::request::{fail, Call};
    use crate::server::services::redemption;

    let call = Call::current()?;
    let viewer = call.viewer()?;
    redemption::redeem(call.state.db(), viewer.user_id, &code, chrono::Utc::now())
        .await
        .map_err(fail)?;
    leptos_axum::redirect(&Notice::CodeRedeemed.on(paths::ACCOUNT_WALLET));
    Ok(())
}
