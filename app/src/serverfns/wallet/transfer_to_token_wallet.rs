//! `transfer_to_token_wallet`: moves money from the user's Cash Wallet to their Token Wallet.
//! Their own only; `key` (a one-time value in the form) makes a repeated submit move money once.

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "transfer_to_token_wallet")]
pub async fn transfer_to_token_wallet(amount: String, key: String) -> Result<(), AppError> {
    use crate::account::Notice;
    use crate::paths;
    use crate::server::request::{fail, Call};
    use crate::server::services::wallets;

    let call = Call::current()?;
    let viewer = call.viewer()?;
    let micros = crate::money::parse_amount(&amount).map_err(|m| fail(AppError::BadRequest(m)))?;
    wallets::transfer_cash_to_token(
        call.state.db(),
        viewer.user_id,
        micros,
        &key,
        chrono::Utc::now(),
    )
    .await
    .map_err(fail)?;
    leptos_axum::redirect(&Notice::TransferDone.on(paths::ACCOUNT_WALLET));
    Ok(())
}
