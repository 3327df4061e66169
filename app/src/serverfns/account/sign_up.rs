//! `sign_up`: creates a customer account and emails a confirmation link. Anyone may call it.
//! The answer is the same whether or not the address already has an account.

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "sign_up")]
pub async fn sign_up(
    name: String,
    email: String,
    username: String,
    password: String,
) -> Result<(), AppError> {
    use crate::account::Notice;
    use crate::paths;
    use crate::server::request::{fail, Call};
    use crate::server::services::accounts::SignUp;

    let call = Call::current()?;
    let form = SignUp {
        name,
        email,
        username,
        password,
    };
    call.accounts()
        .sign_up(form, &call.client(), chrono::Utc::now())
        .await
        .map_err(fail)?;
    leptos_axum::redirect(&Notice::SignedUp.on(paths::LOG_IN));
    Ok(())
}
