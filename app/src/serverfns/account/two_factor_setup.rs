//! `two_factor_setup`: the two-step verification page's data for the signed-in user: whether
//! it is on, the enrolment secret and QR code while it is off, and recovery codes made a moment
//! ago (handed over once in an encrypted cookie, then deleted).

use crate::account::TwoFactorView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "two_factor_setup")]
pub async fn two_factor_setup() -> Result<TwoFactorView, AppError> {
    use crate::server::request::{fail, Call, ShownOnce};

    let call = Call::current()?;
    let viewer = call.viewer()?;
    let accounts = call.accounts();
    let status = accounts
        .two_factor_status(viewer.user_id)
        .await
        .map_err(fail)?;
    let new_recovery_codes = match call.take_shown_once(viewer.user_id)? {
        Some(ShownOnce::RecoveryCodes(codes)) => codes,
        _ => Vec::new(),
    };
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
