//! Who is signed in and what they may reach: roles, the signed-in viewer as pages see it, and
//! the access policy of every page and server function.
//!
//! The policy is one table for the whole application. The server enforces it before any page
//! renders or server function runs; an endpoint missing from the table is refused, so a new
//! server function is unreachable until someone decides who may call it.

use crate::paths;
use serde::{Deserialize, Serialize};

/// What an account may do. Stored as text with a check constraint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Customer,
    Support,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Support => "support",
            Role::Admin => "admin",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "customer" => Some(Role::Customer),
            "support" => Some(Role::Support),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// Support staff and admins.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Support | Role::Admin)
    }
}

/// The signed-in account as every page sees it (rendered into the page bootstrap). Holds no
/// secret: the session token never leaves its HttpOnly cookie.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub user_id: i64,
    pub session_id: i64,
    pub name: String,
    pub username: String,
    pub email: String,
    pub role: Role,
    pub email_verified: bool,
    /// Two-step verification is on.
    pub two_factor: bool,
}

/// Who may reach a page or call a server function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in account.
    SignedIn,
    /// Support staff and admins.
    Staff,
    /// Admins only.
    Admin,
}

/// Why a viewer was turned away.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Denial {
    /// Not signed in: sign in first.
    SignIn,
    /// Signed in, but not allowed; the message says why.
    Forbidden(&'static str),
}

impl Access {
    /// Whether `viewer` (None: anonymous) may pass. Staff functions also need two-step
    /// verification on: a stolen staff password alone must not open them.
    pub fn check(self, viewer: Option<&Viewer>) -> Result<(), Denial> {
        let Some(viewer) = viewer else {
            return match self {
                Access::Public => Ok(()),
                _ => Err(Denial::SignIn),
            };
        };
        let staff_ready = || {
            if viewer.two_factor {
                Ok(())
            } else {
                Err(Denial::Forbidden(
                    "staff functions need two-step verification: turn it on under Account, \
                     Security first",
                ))
            }
        };
        match self {
            Access::Public | Access::SignedIn => Ok(()),
            Access::Staff if viewer.role.is_staff() => staff_ready(),
            Access::Admin if viewer.role == Role::Admin => staff_ready(),
            Access::Staff => Err(Denial::Forbidden("this needs you to be a member of staff")),
            Access::Admin => Err(Denial::Forbidden("this needs you to be an administrator")),
        }
    }

    /// Whether `viewer` may pass.
    pub fn allows(self, viewer: Option<&Viewer>) -> bool {
        self.check(viewer).is_ok()
    }
}

/// Who may call each server function, by endpoint name (the part after `/api/`).
pub const SERVER_FNS: &[(&str, Access)] = &[
    ("list_prices", Access::Public),
    ("get_privacy_policy", Access::Public),
    ("record_consent", Access::Public),
    ("sign_up", Access::Public),
    ("log_in", Access::Public),
    ("verify_email", Access::Public),
    ("request_password_reset", Access::Public),
    ("reset_password", Access::Public),
    ("log_out", Access::SignedIn),
    ("resend_verification", Access::SignedIn),
    ("change_password", Access::SignedIn),
    ("get_profile", Access::SignedIn),
    ("update_profile", Access::SignedIn),
    ("list_sessions", Access::SignedIn),
    ("revoke_session", Access::SignedIn),
    ("revoke_other_sessions", Access::SignedIn),
    ("list_my_security_events", Access::SignedIn),
    ("complete_login", Access::Public),
    ("request_magic_link", Access::Public),
    ("log_in_with_link", Access::Public),
    ("two_factor_setup", Access::SignedIn),
    ("enable_two_factor", Access::SignedIn),
    ("disable_two_factor", Access::SignedIn),
    ("regenerate_recovery_codes", Access::SignedIn),
    ("request_email_change", Access::SignedIn),
    ("get_wallet", Access::SignedIn),
    ("transfer_to_token_wallet", Access::SignedIn),
    ("redeem_code", Access::SignedIn),
    ("list_api_tokens", Access::SignedIn),
    ("create_api_token", Access::SignedIn),
    ("rotate_api_token", Access::SignedIn),
    ("revoke_api_token", Access::SignedIn),
    ("get_usage", Access::SignedIn),
    ("admin_list_users", Access::Staff),
    ("admin_get_user", Access::Staff),
    ("admin_list_security_events", Access::Staff),
    ("admin_get_user_wallet", Access::Staff),
    ("admin_adjust_wallet", Access::Admin),
    ("admin_record_payout", Access::Admin),
    ("admin_list_redemption_batches", Access::Staff),
    ("admin_list_providers", Access::Staff),
    ("admin_get_usage", Access::Staff),
    ("admin_add_provider", Access::Admin),
    ("admin_set_provider_enabled", Access::Admin),
    ("admin_set_price", Access::Admin),
    ("admin_ledger_health", Access::Admin),
    ("admin_set_suspended", Access::Admin),
    ("admin_set_role", Access::Admin),
];

/// Who may call the server function at `endpoint`; `None` (nobody) when it is not in
/// [`SERVER_FNS`].
pub fn server_fn_access(endpoint: &str) -> Option<Access> {
    SERVER_FNS
        .iter()
        .find(|(name, _)| *name == endpoint)
        .map(|(_, access)| *access)
}

/// Paths that need more than their section grants (downloads that move money or hold codes).
pub const STRICTER_PATHS: &[(&str, Access)] = &[(paths::ADMIN_REDEMPTION_CSV, Access::Admin)];

/// Who may open a page, by path. Everything under the account and admin sections is guarded;
/// the rest of the site is public.
pub fn page_access(path: &str) -> Access {
    if let Some((_, access)) = STRICTER_PATHS.iter().find(|(p, _)| *p == path) {
        return *access;
    }
    let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
    if under(paths::ADMIN) {
        Access::Staff
    } else if under(paths::ACCOUNT) {
        Access::SignedIn
    } else {
        Access::Public
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(role: Role) -> Viewer {
        Viewer {
            user_id: 1,
            session_id: 1,
            name: "Ann".to_owned(),
            username: "ann".to_owned(),
            email: "ann@example.com".to_owned(),
            role,
            email_verified: true,
            two_factor: true,
        }
    }

    #[test]
    fn roles_round_trip_through_their_stored_names() {
        for role in [Role::Customer, Role::Support, Role::Admin] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn access_levels_nest() {
        let customer = viewer(Role::Customer);
        let support = viewer(Role::Support);
        let admin = viewer(Role::Admin);
        assert!(Access::Public.allows(None));
        assert!(!Access::SignedIn.allows(None));
        assert!(Access::SignedIn.allows(Some(&customer)));
        assert!(!Access::Staff.allows(Some(&customer)));
        assert!(Access::Staff.allows(Some(&support)));
        assert!(!Access::Admin.allows(Some(&support)));
        assert!(Access::Admin.allows(Some(&admin)));
    }

    #[test]
    fn staff_without_two_step_verification_are_turned_away() {
        let mut admin = viewer(Role::Admin);
        admin.two_factor = false;
        assert!(
            matches!(Access::Admin.check(Some(&admin)), Err(Denial::Forbidden(m)) if m.contains("two-step"))
        );
        assert!(Access::SignedIn.allows(Some(&admin)));
        assert_eq!(Access::Staff.check(None), Err(Denial::SignIn));
    }

    #[test]
    fn unknown_endpoints_are_nobodys_and_sections_are_guarded() {
        assert_eq!(server_fn_access("drop_everything"), None);
        assert_eq!(server_fn_access("log_in"), Some(Access::Public));
        assert_eq!(page_access("/admin"), Access::Staff);
        assert_eq!(page_access("/admin/users/7"), Access::Staff);
        assert_eq!(page_access("/account"), Access::SignedIn);
        assert_eq!(page_access("/account/sessions"), Access::SignedIn);
        assert_eq!(page_access("/administrator"), Access::Public);
        assert_eq!(page_access("/pricing"), Access::Public);
        assert_eq!(page_access(paths::ACCOUNT_WALLET_CSV), Access::SignedIn);
        assert_eq!(page_access(paths::ADMIN_REDEMPTION_CSV), Access::Admin);
    }
}
