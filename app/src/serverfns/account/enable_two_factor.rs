//! `enable_two_factor`: confirms enrolment with a first code. Signed-in accounts only. The new
//! recovery codes go to the two-step page once, sealed in a short-lived cookie.

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "enable_two_factor")]
pub async fn enable_two_factor(code: String) -> Result<(), AppError> {
    use crate::account::Notice;
    use crate::paths;
    use crate::server::request::{fail, Call, ShownOnce};

    let call = Call::current()?;
    let viewer = call.viewer()?;
    let codes = call
        .accounts()
        .enable_two_factor(&viewer, &code, &call.client(), chrono::Utc::now())
        .await
        .map_err(fail)?;
    call.show_once(
        viewer.user_id,
        &ShownOnce::RecoveryCodes(codes),
        paths::ACCOUNT_TWO_FACTOR,
        Notice::TwoFactorEnabled,
    )
}
