//! The visitor's consent to optional analytics and advertising measurement.
//!
//! Necessary storage (session, consent record, referral attribution) needs no consent. Anything
//! optional is loaded only after an explicit "Accept analytics", and withdrawing removes it.

use serde::{Deserialize, Serialize};

/// The two equally prominent answers of the banner.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConsentChoice {
    Accept,
    Reject,
}

impl ConsentChoice {
    /// Parses the banner's form value.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "accept" => Some(ConsentChoice::Accept),
            "reject" => Some(ConsentChoice::Reject),
            _ => None,
        }
    }

    /// Whether optional measurement is allowed under this choice.
    pub fn allows_analytics(self) -> bool {
        matches!(self, ConsentChoice::Accept)
    }
}

/// A recorded choice as the browser and the server keep it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentState {
    /// Anonymous identifier linking the browser to its consent records (a UUID).
    pub consent_id: String,
    pub analytics: bool,
    pub policy_version: String,
}

impl ConsentState {
    /// The consent cookie's value: `<consent id>:<policy version>:<a|r>`.
    pub fn to_cookie_value(&self) -> String {
        let flag = if self.analytics { "a" } else { "r" };
        format!("{}:{}:{flag}", self.consent_id, self.policy_version)
    }

    /// Parses a consent cookie value; anything malformed is treated as no choice at all.
    pub fn parse_cookie_value(value: &str) -> Option<Self> {
        let mut parts = value.split(':');
        let consent_id = parts.next()?;
        let policy_version = parts.next()?;
        let analytics = match parts.next()? {
            "a" => true,
            "r" => false,
            _ => return None,
        };
        if parts.next().is_some()
            || !is_valid_consent_id(consent_id)
            || !is_valid_policy_version(policy_version)
        {
            return None;
        }
        Some(Self {
            consent_id: consent_id.to_owned(),
            analytics,
            policy_version: policy_version.to_owned(),
        })
    }
}

/// A consent id is a lower-case hyphenated UUID, as the server generates them.
pub fn is_valid_consent_id(value: &str) -> bool {
    value.len() == 36
        && value.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_digit() || ('a'..='f').contains(&c),
        })
}

/// Policy versions appear in cookies, so they are short and made of `[A-Za-z0-9._-]`.
pub fn is_valid_policy_version(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 32
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

#[cfg(feature = "hydrate")]
pub mod browser;

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0b6f3b9e-8d2a-4c1e-9f00-123456789abc";

    #[test]
    fn cookie_value_round_trips() {
        let state = ConsentState {
            consent_id: ID.to_owned(),
            analytics: true,
            policy_version: "2026-11-27".to_owned(),
        };
        assert_eq!(
            ConsentState::parse_cookie_value(&state.to_cookie_value()),
            Some(state)
        );
    }

    #[test]
    fn malformed_cookie_values_mean_no_choice() {
        for bad in [
            "",
            "x:2026-11-27:a",
            &format!("{ID}:2026-11-27:yes"),
            &format!("{ID}:2026-11-27:a:extra"),
            &format!("{ID}::a"),
            &format!("{}:v1:a", ID.to_uppercase()),
        ] {
            assert_eq!(ConsentState::parse_cookie_value(bad), None, "{bad}");
        }
    }

    #[test]
    fn policy_versions_are_cookie_safe() {
        assert!(is_valid_policy_version("2026-11-27"));
        assert!(is_valid_policy_version("v1.2_beta"));
        assert!(!is_valid_policy_version("has space"));
        assert!(!is_valid_policy_version("semi;colon"));
        assert!(!is_valid_policy_version(&"9".repeat(33)));
    }
}
