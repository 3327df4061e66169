//! `regenerate_recovery_codes`: replaces the recovery codes. Signed-in accounts only, after
//! step-up re-authentication.

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "regenerate_recovery_codes")]
pub async fn regenerate_recovery_codes(
    password: Option<String>,
    code: Option<String>,
) -> Result<(), AppError> {
    use crate::account::Notice;
    use crate::paths;
    use crate::server::request::{fail, Call, ShownOnce};

    let call = Call::current()?;
    let viewer = call.viewer()?;
    let codes = call
        .accounts()
        .regenerate_recovery_codes(
            &viewer,
            password.as_deref().unwrap_or(""),
            code.as_deref().unwrap_or(""),
            &call.client(),
            chrono::Utc::now(),
        )
        .await
        .map_err(fail)?;
    call.show_once(
        viewer.user_id,
        &ShownOnce::RecoveryCodes(codes),
        paths::ACCOUNT_TWO_FACTOR,
        Notice::RecoveryCodesRegenerated,
    )
}
