//! Signing up, in and out, and the signed-in user's own account.

mod change_password;
mod get_profile;
mod list_my_security_events;
mod list_sessions;
mod log_in;
mod log_out;
mod request_password_reset;
mod resend_verification;
mod reset_password;
mod revoke_other_sessions;
mod revoke_session;
mod sign_up;
mod update_profile;
mod verify_email;

pub use change_password::*;
pub use get_profile::*;
pub use list_my_security_events::*;
pub use list_sessions::*;
pub use log_in::*;
pub use log_out::*;
pub use request_password_reset::*;
pub use resend_verification::*;
pub use reset_password::*;
pub use revoke_other_sessions::*;
pub use revoke_session::*;
pub use sign_up::*;
pub use update_profile::*;
pub use verify_email::*;
