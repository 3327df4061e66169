//! Consent choices.
pub mod record_consent;
pub use record_consent::{record_consent, RecordConsent};
