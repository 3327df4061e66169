//! `admin_record_payout`: records money paid out of a user's Cash Wallet (bank transfer,
//! PayPal…), with a reason. Admins only, after step-up; `key` makes a repeated submit record
//! the payout once.
#![allow(
    clippy::too_many_arguments,
    reason = "a server function takes one argument per form field"
)]

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "admin_record_payout")]
pub async fn admin_record_payout(
    user_id: i64,
    amount: String,
    reason: String,
    key: String,
    password: Option<String>,
    code: Option<String>,
) -> Result<(), AppError> {
    use crate::account::Notice;
    use crate::paths;
    use crate::server::request::{fail, Call};
    use crate::server::services::wallets;

    let call = Call::current()?;
    let viewer = call.viewer()?;
    let micros = crate::money::parse_amount(&amount).map_err(|m| fail(AppError::BadRequest(m)))?;
    call.step_up(&viewer, password.as_deref(), code.as_deref())
        .await?;
    wallets::admin_record_payout(
        call.state.db(),
        &viewer,
        user_id,
        micros,
        &reason,
        &key,
        chrono::Utc::now(),
    )
    .await
    .map_err(fail)?;
    leptos_axum::redirect(&Notice::UserUpdated.on(&paths::admin_user(user_id)));
    Ok(())
}
