//! Random tokens, their stored hashes, and keyed MACs: the primitives every credential uses.

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, KeyInit, Mac};
use rand::RngCore as _;
use sha2::{Digest, Sha256};

/// A 256-bit random token, base64url without padding (43 characters).
pub fn random_token() -> String {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The SHA-256 of a token, lower-case hex: what the database keeps instead of the token. A
/// plain hash suffices because the tokens are 256 random bits; nothing can be guessed from it.
pub fn sha256_hex(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Keys derived from the configured secret, one per use, so no two features share a key.
#[derive(Clone)]
pub struct Keys {
    device: [u8; 32],
    sealing: [u8; 32],
    recovery: [u8; 32],
}

/// What a sealed value is, bound into its encryption so one kind cannot pass for another.
#[derive(Clone, Copy, Debug)]
pub enum Sealed {
    /// A user's TOTP secret (with the user id).
    TotpSecret(i64),
    /// Secrets shown once after they are made, on their way to the page that shows them
    /// (recovery codes, a new API token), with the user id.
    ShownOnce(i64),
    /// An upstream provider's API key.
    ProviderKey,
}

impl Sealed {
    fn context(self) -> String {
        match self {
            Sealed::TotpSecret(user_id) => format!("totp-secret:{user_id}"),
            Sealed::ShownOnce(user_id) => format!("shown-once:{user_id}"),
            Sealed::ProviderKey => "provider-key".to_owned(),
        }
    }
}

impl Keys {
    pub fn new(master: &[u8]) -> Self {
        Self {
            device: derive(master, b"codexapi known-device cookie v1"),
            sealing: derive(master, b"codexapi sealing v1"),
            recovery: derive(master, b"codexapi recovery codes v1"),
        }
    }

    /// Encrypts `plaintext` (XChaCha20-Poly1305, random nonce): `base64url(nonce || ciphertext)`.
    pub fn seal(&self, kind: Sealed, plaintext: &[u8]) -> Result<String, String> {
        let cipher = XChaCha20Poly1305::new_from_slice(&self.sealing)
            .map_err(|e| format!("sealing key: {e}"))?;
        let mut nonce = [0_u8; 24];
        rand::rng().fill_bytes(&mut nonce);
        let aad = kind.context();
        let ciphertext = cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| "encryption failed".to_owned())?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ciphertext);
        Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(out))
    }

    /// Decrypts what [`Keys::seal`] made for the same `kind`; `None` if it was altered, made
    /// for another kind or user, or under another key.
    pub fn open(&self, kind: Sealed, sealed: &str) -> Option<Vec<u8>> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(sealed)
            .ok()?;
        if bytes.len() < 24 {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().ok()?;
        let cipher = XChaCha20Poly1305::new_from_slice(&self.sealing).ok()?;
        let aad = kind.context();
        cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: aad.as_bytes(),
                },
            )
            .ok()
    }

    /// The stored form of a recovery code: keyed, so a copy of the database alone cannot be
    /// searched for the codes.
    pub fn recovery_code_hash(&self, user_id: i64, code: &str) -> String {
        let tag = derive(&self.recovery, format!("{user_id}:{code}").as_bytes());
        tag.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    /// A cookie value proving this browser signed in to `user_id` before:
    /// `<user id>.<nonce>.<mac>`.
    pub fn device_cookie(&self, user_id: i64) -> String {
        let nonce = random_token();
        let mac = mac(&self.device, format!("{user_id}.{nonce}").as_bytes());
        format!("{user_id}.{nonce}.{mac}")
    }

    /// The account a device cookie vouches for, if its MAC is ours.
    pub fn device_cookie_user(&self, value: &str) -> Option<i64> {
        let (signed, tag) = value.rsplit_once('.')?;
        let (user_id, _nonce) = signed.split_once('.')?;
        let tag = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(tag)
            .ok()?;
        let mut check = Hmac::<Sha256>::new_from_slice(&self.device).ok()?;
        check.update(signed.as_bytes());
        check.verify_slice(&tag).ok()?;
        user_id.parse().ok()
    }
}

fn derive(master: &[u8], label: &[u8]) -> [u8; 32] {
    let mut out = [0_u8; 32];
    if let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(master) {
        mac.update(label);
        out.copy_from_slice(&mac.finalize().into_bytes());
    }
    out
}

fn mac(key: &[u8], message: &[u8]) -> String {
    let tag = derive(key, message);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hash_to_hex() {
        let a = random_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_token());
        assert_eq!(sha256_hex(&a).len(), 64);
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn sealed_values_open_only_as_what_they_were_sealed_as() {
        let keys = Keys::new(&[7; 32]);
        let sealed = keys.seal(Sealed::TotpSecret(1), b"secret bytes").unwrap();
        assert_eq!(
            keys.open(Sealed::TotpSecret(1), &sealed).as_deref(),
            Some(&b"secret bytes"[..])
        );
        assert_eq!(
            keys.open(Sealed::TotpSecret(2), &sealed),
            None,
            "another user's"
        );
        assert_eq!(
            keys.open(Sealed::ShownOnce(1), &sealed),
            None,
            "another kind"
        );
        assert_eq!(
            Keys::new(&[8; 32]).open(Sealed::TotpSecret(1), &sealed),
            None
        );
        assert_ne!(
            sealed,
            keys.seal(Sealed::TotpSecret(1), b"secret bytes").unwrap(),
            "fresh nonce"
        );
        assert!(!sealed.contains("secret"));
    }

    #[test]
    fn device_cookies_verify_only_with_our_key_and_unchanged() {
        let keys = Keys::new(&[7; 32]);
        let cookie = keys.device_cookie(42);
        assert_eq!(keys.device_cookie_user(&cookie), Some(42));
        let forged = cookie.replacen("42.", "43.", 1);
        assert_eq!(keys.device_cookie_user(&forged), None);
        assert_eq!(Keys::new(&[8; 32]).device_cookie_user(&cookie), None);
        assert_eq!(keys.device_cookie_user("garbage"), None);
    }
}
