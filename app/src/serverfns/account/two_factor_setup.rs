//! `two_factor_setup`: the two-step verification page's data for the signed-in user: whether
//! it is on, the enrolment secret and QR code while it is off, and recovery codes made a moment
//! ago (handed over once in an encrypted cookie, then deleted).

use crate::account::TwoFactorView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "two_factor_setup")]
pub async fn two_factor_setup() -> Result<TwoFactorView, AppError> {
    use crate::server::request::{self, fail, Call};
    use crate::server::services::secrets::Sealed;

    let call = Call::current()?;
    let viewer = call.viewer()?;
    let accounts = call.accounts();
    let status = accounts
        .two_factor_status(viewer.user_id)
        .await
        .map_err(fail)?;
    let new_recovery_codes = request::take_flash_cookie(&call.parts, call.settings())
        .map_err(fail)?
        .and_then(|sealed| {
            accounts
                .keys
                .open(Sealed::RecoveryCodes(viewer.user_id), &sealed)
        })
        .and_then(|json| serde_json::from_slice::<Vec<String>>(&json).ok())
        .unwrap_or_default();
    let mut view = TwoFactorView {
        enabled: status.enabled,
        unused_recovery_codes: status.unused_recovery_codes,
        new_recovery_codes,
        ..TwoFactorView::default()
    };
    if !status.enabled {
        let enrollment = accounts
            .two_factor_enrollment(&viewer, chrono::Utc::now())
            .await
            .map_err(fail)?;
        view.secret_base32 = Some(enrollment.secret_base32);
        view.otpauth_url = Some(enrollment.otpauth_url);
        view.qr_svg = Some(enrollment.qr_svg);
    }
    Ok(view)
}
