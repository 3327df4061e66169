//! The staff section: accounts and the security log. Who may call each function is in
//! `crate::auth::server_fn_access` (support staff read, admins change).

mod add_provider;
mod adjust_wallet;
mod get_usage;
mod get_user;
mod get_user_wallet;
mod ledger_health;
mod list_providers;
mod list_redemption_batches;
mod list_security_events;
mod list_users;
mod record_payout;
mod set_price;
mod set_provider_enabled;
mod set_role;
mod set_suspended;

pub use add_provider::*;
pub use adjust_wallet::*;
pub use get_usage::*;
pub use get_user::*;
pub use get_user_wallet::*;
pub use ledger_health::*;
pub use list_providers::*;
pub use list_redemption_batches::*;
pub use list_security_events::*;
pub use list_users::*;
pub use record_payout::*;
pub use set_price::*;
pub use set_provider_enabled::*;
pub use set_role::*;
pub use set_suspended::*;
