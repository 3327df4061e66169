//! `log_in`: checks an email and password. Without two-step verification it opens a session
//! and continues to `next` (a local path) or the account page; with it, the browser gets a
//! short-lived pending sign-in and is sent to enter a code. Anyone may call it.

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "log_in")]
pub async fn log_in(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use crate::server::request::{fail, Call};
    use crate::server::services::accounts::LogInOutcome;

    let call = Call::current()?;
    let outcome = call
        .accounts()
        .log_in(&email, &password, &call.client(), chrono::Utc::now())
        .await
        .map_err(fail)?;
    match outcome {
        LogInOutcome::SignedIn(signed_in) => call.finish_sign_in(&signed_in, next.as_deref()),
        LogInOutcome::SecondStep(pending) => call.ask_second_step(&pending, next.as_deref()),
    }
}
