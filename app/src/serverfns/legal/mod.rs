//! Legal documents.
pub mod get_privacy_policy;
pub use get_privacy_policy::{get_privacy_policy, GetPrivacyPolicy};
