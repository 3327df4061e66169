//! `complete_login`: the second sign-in step, a code from the authenticator app or a recovery
//! code for the sign-in pending in this browser. Anyone may call it; without a pending sign-in
//! it fails.

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "complete_login")]
pub async fn complete_login(code: String, next: Option<String>) -> Result<(), AppError> {
    use crate::server::request::{self, fail, Call};

    let call = Call::current()?;
    let pending = request::pending_cookie(&call.parts, call.settings()).unwrap_or_default();
    let signed_in = call
        .accounts()
        .complete_second_step(&pending, &code, &call.client(), chrono::Utc::now())
        .await
        .map_err(fail)?;
    request::clear_pending_cookie(call.settings()).map_err(fail)?;
    call.finish_sign_in(&signed_in, next.as_deref())
}
