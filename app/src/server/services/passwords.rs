//! Password hashing with argon2id at the configured cost.

use super::ServiceError;
use crate::server::config::PasswordSettings;
use argon2::password_hash::{phc::PasswordHash, PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use std::collections::HashSet;
use std::sync::{Arc, LazyLock};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Passwords attackers try first; refused when choosing a new password.
static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("passwords/common-passwords.txt")
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .collect()
});

/// Shortest and longest accepted password, in characters. The upper bound stops a huge input
/// from burning CPU before it is rejected.
pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Hashes and verifies passwords with one set of parameters. At most one hash per CPU runs at
/// a time: a flood of sign-in attempts queues here instead of starving every other request of
/// CPU and memory.
#[derive(Clone)]
pub struct Passwords {
    params: Params,
    permits: Arc<Semaphore>,
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
        let cpus = std::thread::available_parallelism().map_or(1, usize::from);
        Ok(Self {
            params,
            permits: Arc::new(Semaphore::new(cpus)),
        })
    }

    async fn permit(&self) -> Result<OwnedSemaphorePermit, ServiceError> {
        self.permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| ServiceError::Internal(format!("hashing semaphore closed: {e}")))
    }

    /// Whether a stored hash was made with other parameters than the configured ones (or another
    /// algorithm) and should be replaced after the next successful sign-in.
    pub fn needs_rehash(&self, stored: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(stored) else {
            return true;
        };
        if parsed.algorithm.as_str() != "argon2id" {
            return true;
        }
        match Params::try_from(&parsed) {
            Ok(params) => {
                params.m_cost() != self.params.m_cost()
                    || params.t_cost() != self.params.t_cost()
                    || params.p_cost() != self.params.p_cost()
            }
            Err(_) => true,
        }
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
        let permit = self.permit().await?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
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
        if validate_length(password).is_err() {
            return Ok(false);
        }
        let argon2 = self.argon2();
        let password = password.to_owned();
        let stored = stored.to_owned();
        let permit = self.permit().await?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let parsed = PasswordHash::new(&stored)
                .map_err(|e| ServiceError::Internal(format!("stored hash unreadable: {e}")))?;
            Ok(argon2.verify_password(password.as_bytes(), &parsed).is_ok())
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("verification task failed: {e}")))?
    }
}

/// The rules for a password being chosen (sign-up, reset, change): the length rules, and not one
/// of the few thousand most common passwords (compared case-insensitively).
pub fn validate_new(password: &str) -> Result<(), ServiceError> {
    validate_length(password)?;
    if COMMON_PASSWORDS.contains(password.to_lowercase().as_str()) {
        return Err(ServiceError::Invalid(
            "this password is one of the most commonly used ones, which attackers try first; \
             please choose another (a few unrelated words make a strong one)"
                .to_owned(),
        ));
    }
    Ok(())
}

/// 8 to 128 characters; no composition rules. The byte length is checked first, so a
/// megabyte-sized input is refused without even being scanned.
pub fn validate_length(password: &str) -> Result<(), ServiceError> {
    const MAX_UTF8_BYTES: usize = MAX_PASSWORD_CHARS * 4;
    let chars = if password.len() > MAX_UTF8_BYTES {
        MAX_PASSWORD_CHARS + 1
    } else {
        password.chars().count()
    };
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
        // 128 four-byte characters are fine; a megabyte is refused at once.
        assert!(validate_length(&"🔑".repeat(128)).is_ok());
        let started = std::time::Instant::now();
        assert!(passwords.hash(&"x".repeat(1 << 20)).await.is_err());
        assert!(!passwords
            .verify(
                &"x".repeat(1 << 20),
                "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA"
            )
            .await
            .unwrap());
        assert!(
            started.elapsed() < std::time::Duration::from_millis(50),
            "no hashing happened"
        );
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        assert_eq!(COMMON_PASSWORDS.len(), 5000);
        assert!(validate_new("password").is_err());
        assert!(validate_new("PassWord1").is_err());
        assert!(validate_new("Baseball").is_err());
        assert!(validate_new("correct horse battery").is_ok());
        assert!(validate_new("short").is_err());
    }

    #[tokio::test]
    async fn hashes_made_with_other_parameters_need_a_rehash() {
        let current = Passwords::new(&PasswordSettings::default()).unwrap();
        let fresh = current.hash("correct horse battery").await.unwrap();
        assert!(!current.needs_rehash(&fresh));

        let stronger = Passwords::new(&PasswordSettings {
            memory_kib: 65_536,
            iterations: 3,
            parallelism: 1,
        })
        .unwrap();
        assert!(stronger.needs_rehash(&fresh));
        assert!(current.needs_rehash("not a phc string"));
        assert!(current.needs_rehash("$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA"));
    }
}
