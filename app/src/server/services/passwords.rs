//! Password hashing with argon2id at the configured cost.

use super::ServiceError;
use crate::server::config::PasswordSettings;
use argon2::password_hash::{phc::PasswordHash, PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

/// Shortest and longest accepted password, in characters. The upper bound stops a huge input
/// from burning CPU before it is rejected.
pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Hashes and verifies passwords with one set of parameters.
#[derive(Clone)]
pub struct Passwords {
    params: Params,
}

impl Passwords {
    pub fn new(settings: &PasswordSettings) -> Result<Self, ServiceError> {
        let params = Params::new(
            settings.memory_kib,
            settings.iterations,
            settings.parallelism,
            None,
        )
        .map_err(|e| ServiceError::Invalid(format!("invalid argon2 parameters: {e}")))?;
        Ok(Self { params })
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// Checks the length rules, then hashes on a blocking thread (hashing takes tens of
    /// milliseconds of CPU and must not stall the async runtime).
    pub async fn hash(&self, password: &str) -> Result<String, ServiceError> {
        validate_length(password)?;
        let argon2 = self.argon2();
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || {
            argon2
                .hash_password(password.as_bytes())
                .map(|hash| hash.to_string())
                .map_err(|e| ServiceError::Internal(format!("argon2 hashing failed: {e}")))
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("hashing task failed: {e}")))?
    }

    /// Whether `password` matches the stored PHC string.
    pub async fn verify(&self, password: &str, stored: &str) -> Result<bool, ServiceError> {
        if password.chars().count() > MAX_PASSWORD_CHARS {
            return Ok(false);
        }
        let argon2 = self.argon2();
        let password = password.to_owned();
        let stored = stored.to_owned();
        tokio::task::spawn_blocking(move || {
            let parsed = PasswordHash::new(&stored)
                .map_err(|e| ServiceError::Internal(format!("stored hash unreadable: {e}")))?;
            Ok(argon2.verify_password(password.as_bytes(), &parsed).is_ok())
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("verification task failed: {e}")))?
    }
}

/// 8 to 128 characters; no composition rules.
pub fn validate_length(password: &str) -> Result<(), ServiceError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(ServiceError::Invalid(format!(
            "the password must be at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(ServiceError::Invalid(format!(
            "the password must be at most {MAX_PASSWORD_CHARS} characters"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let passwords = Passwords::new(&PasswordSettings::default()).unwrap();
        let hash = passwords.hash("correct horse battery").await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(passwords
            .verify("correct horse battery", &hash)
            .await
            .unwrap());
        assert!(!passwords
            .verify("wrong horse battery", &hash)
            .await
            .unwrap());
    }

    #[tokio::test]
    async fn out_of_range_lengths_are_rejected_before_hashing() {
        let passwords = Passwords::new(&PasswordSettings::default()).unwrap();
        assert!(passwords.hash("short").await.is_err());
        assert!(passwords.hash(&"x".repeat(129)).await.is_err());
    }
}
