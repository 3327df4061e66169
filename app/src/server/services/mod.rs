//! Business rules. Services take a connection (or transaction) and plain inputs, create ids and
//! timestamps, and return domain values or a [`ServiceError`].

pub mod account_tokens;
pub mod accounts;
pub mod admin_users;
pub mod api_tokens;
pub mod audit;
pub mod consent;
pub mod email;
pub mod error;
pub mod exports;
pub mod ledger;
pub mod legal;
pub mod passwords;
pub mod pricing;
pub mod proxy;
pub mod rate_limit;
pub mod redemption;
pub mod secrets;
pub mod sessions;
pub mod throttle;
pub mod two_factor;
pub mod users;
pub mod wallets;

pub use error::ServiceError;
