//! `log_in_with_link`: spends an emailed sign-in link. Anyone holding the link may call it;
//! with two-step verification on, the code is still asked.

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "log_in_with_link")]
pub async fn log_in_with_link(token: String) -> Result<(), AppError> {
    use crate::server::request::{fail, Call};
    use crate::server::services::accounts::LogInOutcome;

    let call = Call::current()?;
    let outcome = call
        .accounts()
        .log_in_with_link(&token, &call.client(), chrono::Utc::now())
        .await
        .map_err(fail)?;
    match outcome {
        LogInOutcome::SignedIn(signed_in) => call.finish_sign_in(&signed_in, None),
        LogInOutcome::SecondStep(pending) => call.ask_second_step(&pending, None),
    }
}
