//! What the account and admin pages show, as sent from server functions to the browser.

use crate::auth::Role;
use serde::{Deserialize, Serialize};

/// The signed-in user's profile.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileView {
    pub name: String,
    pub username: String,
    pub email: String,
    pub email_verified: bool,
    pub country: String,
    pub phone: String,
    pub company: String,
    pub member_since: String,
}

/// The two-step verification page: state, the enrolment secret while it is off, and recovery
/// codes made a moment ago (shown once).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorView {
    pub enabled: bool,
    pub unused_recovery_codes: u64,
    pub secret_base32: Option<String>,
    pub otpauth_url: Option<String>,
    pub qr_svg: Option<String>,
    pub new_recovery_codes: Vec<String>,
}

/// One signed-in device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionItem {
    pub id: i64,
    pub ip: String,
    pub user_agent: String,
    pub created_at: String,
    pub last_seen_at: String,
    /// The session this page was loaded with.
    pub current: bool,
}

/// One entry of a security log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityEventView {
    pub id: i64,
    pub kind: String,
    pub description: String,
    pub user_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub ip: String,
    pub user_agent: String,
    pub at: String,
}

/// A page of the security log: entries, and the id to continue before when there are more.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityEventPage {
    pub events: Vec<SecurityEventView>,
    pub next_before: Option<i64>,
}

/// An account as staff see it in the user list and detail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: i64,
    pub name: String,
    pub username: String,
    pub email: String,
    pub role: Role,
    pub email_verified: bool,
    pub suspended: bool,
    pub created_at: String,
}

/// A page of the user list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPage {
    pub users: Vec<UserSummary>,
    pub next_after: Option<i64>,
}

/// Confirmations shown after a form redirects, named in the `notice` query parameter so they
/// survive the redirect with or without JavaScript.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    SignedUp,
    EmailVerified,
    VerificationSent,
    ResetSent,
    PasswordReset,
    PasswordChanged,
    ProfileSaved,
    SessionRevoked,
    OtherSessionsRevoked,
    SignedOut,
    UserUpdated,
    TwoFactorEnabled,
    TwoFactorDisabled,
    RecoveryCodesRegenerated,
    MagicLinkSent,
    EmailChangeSent,
    EmailChanged,
    TransferDone,
    CodeRedeemed,
    TokenCreated,
    TokenRotated,
    TokenRevoked,
    ProviderSaved,
    PriceSaved,
}

impl Notice {
    const ALL: [Notice; 24] = [
        Notice::SignedUp,
        Notice::EmailVerified,
        Notice::VerificationSent,
        Notice::ResetSent,
        Notice::PasswordReset,
        Notice::PasswordChanged,
        Notice::ProfileSaved,
        Notice::SessionRevoked,
        Notice::OtherSessionsRevoked,
        Notice::SignedOut,
        Notice::UserUpdated,
        Notice::TwoFactorEnabled,
        Notice::TwoFactorDisabled,
        Notice::RecoveryCodesRegenerated,
        Notice::MagicLinkSent,
        Notice::EmailChangeSent,
        Notice::EmailChanged,
        Notice::TransferDone,
        Notice::CodeRedeemed,
        Notice::TokenCreated,
        Notice::TokenRotated,
        Notice::TokenRevoked,
        Notice::ProviderSaved,
        Notice::PriceSaved,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Notice::SignedUp => "signed-up",
            Notice::EmailVerified => "email-verified",
            Notice::VerificationSent => "verification-sent",
            Notice::ResetSent => "reset-sent",
            Notice::PasswordReset => "password-reset",
            Notice::PasswordChanged => "password-changed",
            Notice::ProfileSaved => "profile-saved",
            Notice::SessionRevoked => "session-revoked",
            Notice::OtherSessionsRevoked => "other-sessions-revoked",
            Notice::SignedOut => "signed-out",
            Notice::UserUpdated => "user-updated",
            Notice::TwoFactorEnabled => "two-factor-enabled",
            Notice::TwoFactorDisabled => "two-factor-disabled",
            Notice::RecoveryCodesRegenerated => "recovery-codes-regenerated",
            Notice::MagicLinkSent => "magic-link-sent",
            Notice::EmailChangeSent => "email-change-sent",
            Notice::EmailChanged => "email-changed",
            Notice::TransferDone => "transfer-done",
            Notice::CodeRedeemed => "code-redeemed",
            Notice::TokenCreated => "token-created",
            Notice::TokenRotated => "token-rotated",
            Notice::TokenRevoked => "token-revoked",
            Notice::ProviderSaved => "provider-saved",
            Notice::PriceSaved => "price-saved",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|notice| notice.key() == key)
    }

    pub fn message(self) -> &'static str {
        match self {
            Notice::SignedUp => {
                "Thanks for signing up. We have emailed you a link to confirm your address; you \
                 can sign in now."
            }
            Notice::EmailVerified => "Your email address is confirmed.",
            Notice::VerificationSent => "We have sent you a new confirmation link.",
            Notice::ResetSent => {
                "If an account uses that address, we have emailed it a link to reset the \
                 password. The link works for 60 minutes."
            }
            Notice::PasswordReset => {
                "Your password has been reset and every device was signed out. Please sign in \
                 with the new password."
            }
            Notice::PasswordChanged => {
                "Your password has been changed and your other devices were signed out."
            }
            Notice::ProfileSaved => "Your profile has been saved.",
            Notice::SessionRevoked => "That device has been signed out.",
            Notice::OtherSessionsRevoked => "All your other devices have been signed out.",
            Notice::SignedOut => "You have signed out.",
            Notice::UserUpdated => "The account has been updated.",
            Notice::TwoFactorEnabled => {
                "Two-step verification is on. Save your recovery codes now: they are shown only \
                 this once."
            }
            Notice::TwoFactorDisabled => "Two-step verification is off.",
            Notice::RecoveryCodesRegenerated => {
                "New recovery codes are ready and the old ones no longer work. Save them now: \
                 they are shown only this once."
            }
            Notice::MagicLinkSent => {
                "If an account uses that address, we have emailed it a sign-in link. The link \
                 works once, for 15 minutes."
            }
            Notice::EmailChangeSent => {
                "We have emailed a confirmation link to the new address. Your address changes \
                 when you open it."
            }
            Notice::EmailChanged => "Your email address has been changed.",
            Notice::TransferDone => "The money is in your Token Wallet.",
            Notice::CodeRedeemed => "The code was redeemed into your Token Wallet.",
            Notice::TokenCreated => {
                "Your new API token is below. Copy it now: it is shown only this once."
            }
            Notice::TokenRotated => {
                "The new secret is below; copy it now. The old one keeps working until the time \
                 shown in the list."
            }
            Notice::TokenRevoked => "The token no longer works.",
            Notice::ProviderSaved => "The provider has been saved.",
            Notice::PriceSaved => "The new price is in force for requests from now on.",
        }
    }

    /// `path` with this notice in its query.
    pub fn on(self, path: &str) -> String {
        let separator = if path.contains('?') { '&' } else { '?' };
        format!(
            "{path}{separator}{}={}",
            crate::paths::NOTICE_QUERY,
            self.key()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_round_trip_through_the_query() {
        for notice in Notice::ALL {
            assert_eq!(Notice::parse(notice.key()), Some(notice));
        }
        assert_eq!(Notice::SignedOut.on("/"), "/?notice=signed-out");
        assert_eq!(
            Notice::ProfileSaved.on("/account?tab=1"),
            "/account?tab=1&notice=profile-saved"
        );
    }
}
