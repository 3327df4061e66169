//! `admin_adjust_wallet`: credits or corrects one of a user's wallets with a reason. Admins
//! only, after step-up re-authentication; `key` makes a repeated submit move money once.
#![allow(
    clippy::too_many_arguments,
    reason = "a server function takes one argument per form field"
)]

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "admin_adjust_wallet")]
pub async fn admin_adjust_wallet(
    user_id: i64,
    wallet: String,
    amount: String,
    reason: String,
    key: String,
    password: Option<String>,
    code: Option<String>,
) -> Result<(), AppError> {
    use crate::account::Notice;
    use crate::paths;
    use crate::server::request::{fail, Call};
    use crate::server::services::ledger::WalletKind;
    use crate::server::services::wallets;

    let call = Call::current()?;
    let viewer = call.viewer()?;
    let now = chrono::Utc::now();
    let wallet = match wallet.as_str() {
        "token" => WalletKind::Token,
        "cash" => WalletKind::Cash,
        _ => {
            return Err(fail(AppError::BadRequest(
                "choose the Token or Cash Wallet".to_owned(),
            )))
        }
    };
    let micros = crate::money::parse_amount(&amount).map_err(|m| fail(AppError::BadRequest(m)))?;
    call.step_up(&viewer, password.as_deref(), code.as_deref())
        .await?;
    wallets::admin_adjust(
        call.state.db(),
        &viewer,
        user_id,
        wallet,
        micros,
        &reason,
        &key,
        now,
    )
    .await
    .map_err(fail)?;
    leptos_axum::redirect(&Notice::UserUpdated.on(&paths::admin_user(user_id)));
    Ok(())
}
