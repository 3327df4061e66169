//! Two-step verification with TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps, ±1 step of
//! drift) and single-use recovery codes.
//!
//! The secret is stored encrypted ([`Keys::seal`]); a code is accepted only for a time step later
//! than the last accepted one, by one conditional update, so a code cannot be replayed even by
//! two requests racing. Recovery codes are stored as keyed hashes and spent the same way.

use super::secrets::{Keys, Sealed};
use super::ServiceError;
use chrono::{DateTime, Utc};
use entity::recovery_codes;
use entity::users::{self, Column};
use rand::RngCore as _;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use totp_rs::{Algorithm, Builder, Secret, Totp};

/// How many recovery codes a user gets.
pub const RECOVERY_CODES: usize = 10;
/// Letters and digits that cannot be mistaken for each other (no 0/o, 1/l/i).
const CODE_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
const CODE_LENGTH: usize = 12;

/// What the enrolment page shows: the secret in the two forms authenticator apps take.
#[derive(Clone, Debug)]
pub struct Enrollment {
    pub secret_base32: String,
    pub otpauth_url: String,
    pub qr_svg: String,
}

fn totp(secret: Vec<u8>, issuer: &str, account: &str) -> Result<Totp, ServiceError> {
    // A colon would break the otpauth label; replace it rather than fail.
    let clean = |text: &str| text.replace(':', " ");
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(Secret::from(secret))
        .with_issuer(Some(clean(issuer)))
        .with_account_name(clean(account))
        .build()
        .map_err(|e| ServiceError::Internal(format!("totp: {e}")))
}

fn unix_seconds(now: DateTime<Utc>) -> u64 {
    u64::try_from(now.timestamp()).unwrap_or(0)
}

/// The enrolment secret for `user`: the pending one if enrolment already started, else a new
/// 160-bit secret, stored sealed until a code confirms it.
pub async fn enrollment<C: ConnectionTrait>(
    db: &C,
    keys: &Keys,
    user: &users::Model,
    issuer: &str,
    now: DateTime<Utc>,
) -> Result<Enrollment, ServiceError> {
    if user.totp_enabled_at.is_some() {
        return Err(ServiceError::Invalid(
            "two-step verification is already on".to_owned(),
        ));
    }
    let existing = user
        .totp_pending_enc
        .as_deref()
        .and_then(|sealed| keys.open(Sealed::TotpSecret(user.id), sealed));
    let secret = match existing {
        Some(secret) => secret,
        None => {
            let mut fresh = vec![0_u8; 20];
            rand::rng().fill_bytes(&mut fresh);
            let sealed = keys
                .seal(Sealed::TotpSecret(user.id), &fresh)
                .map_err(ServiceError::Internal)?;
            users::Entity::update_many()
                .col_expr(Column::TotpPendingEnc, Expr::value(Some(sealed)))
                .col_expr(Column::UpdatedAt, Expr::value(now))
                .filter(Column::Id.eq(user.id))
                .exec(db)
                .await?;
            fresh
        }
    };
    let totp = totp(secret, issuer, &user.email)?;
    let otpauth_url = totp
        .to_url()
        .map_err(|e| ServiceError::Internal(format!("otpauth url: {e}")))?;
    let qr_svg = qrcode::QrCode::new(otpauth_url.as_bytes())
        .map_err(|e| ServiceError::Internal(format!("qr code: {e}")))?
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build();
    Ok(Enrollment {
        secret_base32: totp.secret().to_base32(),
        otpauth_url,
        qr_svg,
    })
}

/// Confirms enrolment with a code from the app: turns two-step verification on and returns the
/// first recovery codes (shown once).
pub async fn confirm<C: ConnectionTrait>(
    db: &C,
    keys: &Keys,
    user: &users::Model,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Vec<String>, ServiceError> {
    if user.totp_enabled_at.is_some() {
        return Err(ServiceError::Invalid(
            "two-step verification is already on".to_owned(),
        ));
    }
    let secret = user
        .totp_pending_enc
        .as_deref()
        .and_then(|sealed| keys.open(Sealed::TotpSecret(user.id), sealed))
        .ok_or_else(|| {
            ServiceError::Invalid(
                "start setting up two-step verification first (open the page again)".to_owned(),
            )
        })?;
    let step = totp(secret, "", "")?
        .check(&digits_of(code), unix_seconds(now))
        .ok_or_else(wrong_code)?;
    let step = i64::try_from(step).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let enabled = users::Entity::update_many()
        .col_expr(Column::TotpSecretEnc, Expr::col(Column::TotpPendingEnc))
        .col_expr(Column::TotpPendingEnc, Expr::value(None::<String>))
        .col_expr(Column::TotpEnabledAt, Expr::value(Some(now)))
        .col_expr(Column::TotpLastStep, Expr::value(Some(step)))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(user.id))
        .filter(Column::TotpEnabledAt.is_null())
        .exec(db)
        .await?;
    if enabled.rows_affected != 1 {
        return Err(ServiceError::Invalid(
            "two-step verification is already on".to_owned(),
        ));
    }
    replace_recovery_codes(db, keys, user.id, now).await
}

fn wrong_code() -> ServiceError {
    ServiceError::Invalid("that code is not correct; check the app and try again".to_owned())
}

fn digits_of(code: &str) -> String {
    code.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Normalises a typed recovery code: no spaces or dashes, lower case.
fn normalise_recovery(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Whether `code` (a current TOTP code, or an unused recovery code) proves the second factor.
/// Spends what it accepts: the TOTP step, or the recovery code. Returns false for a wrong code,
/// a replayed code, or a user without two-step verification.
pub async fn verify<C: ConnectionTrait>(
    db: &C,
    keys: &Keys,
    user: &users::Model,
    code: &str,
    now: DateTime<Utc>,
) -> Result<bool, ServiceError> {
    let Some(sealed) = user.totp_secret_enc.as_deref() else {
        return Ok(false);
    };
    let typed = digits_of(code);
    if typed.len() == 6 && typed.chars().all(|c| c.is_ascii_digit()) {
        let secret = keys
            .open(Sealed::TotpSecret(user.id), sealed)
            .ok_or_else(|| {
                ServiceError::Internal(format!(
                    "the TOTP secret of user {} cannot be decrypted (was security.secret_key changed?)",
                    user.id
                ))
            })?;
        let Some(step) = totp(secret, "", "")?.check(&typed, unix_seconds(now)) else {
            return Ok(false);
        };
        let step = i64::try_from(step).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let accepted = users::Entity::update_many()
            .col_expr(Column::TotpLastStep, Expr::value(Some(step)))
            .filter(Column::Id.eq(user.id))
            .filter(
                Expr::col(Column::TotpLastStep)
                    .is_null()
                    .or(Expr::col(Column::TotpLastStep).lt(step)),
            )
            .exec(db)
            .await?;
        return Ok(accepted.rows_affected == 1);
    }
    let normalised = normalise_recovery(code);
    if normalised.len() != CODE_LENGTH {
        return Ok(false);
    }
    let spent = recovery_codes::Entity::update_many()
        .col_expr(recovery_codes::Column::UsedAt, Expr::value(Some(now)))
        .col_expr(recovery_codes::Column::UpdatedAt, Expr::value(now))
        .filter(recovery_codes::Column::UserId.eq(user.id))
        .filter(recovery_codes::Column::CodeHash.eq(keys.recovery_code_hash(user.id, &normalised)))
        .filter(recovery_codes::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(spent.rows_affected == 1)
}

/// Replaces the user's recovery codes with new ones and returns them (shown once).
pub async fn replace_recovery_codes<C: ConnectionTrait>(
    db: &C,
    keys: &Keys,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<String>, ServiceError> {
    recovery_codes::Entity::delete_many()
        .filter(recovery_codes::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
    let rows = codes.iter().map(|code| recovery_codes::ActiveModel {
        id: NotSet,
        user_id: Set(user_id),
        code_hash: Set(keys.recovery_code_hash(user_id, &normalise_recovery(code))),
        used_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    });
    recovery_codes::Entity::insert_many(rows).exec(db).await?;
    Ok(codes)
}

/// How many of the user's recovery codes are unused.
pub async fn unused_recovery_codes<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
) -> Result<u64, ServiceError> {
    use sea_orm::PaginatorTrait;
    Ok(recovery_codes::Entity::find()
        .filter(recovery_codes::Column::UserId.eq(user_id))
        .filter(recovery_codes::Column::UsedAt.is_null())
        .count(db)
        .await?)
}

/// Turns two-step verification off and deletes the recovery codes.
pub async fn disable<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    users::Entity::update_many()
        .col_expr(Column::TotpSecretEnc, Expr::value(None::<String>))
        .col_expr(Column::TotpPendingEnc, Expr::value(None::<String>))
        .col_expr(Column::TotpEnabledAt, Expr::value(None::<DateTime<Utc>>))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(user_id))
        .exec(db)
        .await?;
    recovery_codes::Entity::delete_many()
        .filter(recovery_codes::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// `xxxx-xxxx-xxxx` from an unambiguous alphabet: 12 characters, about 59 bits.
fn new_recovery_code() -> String {
    let mut bytes = [0_u8; CODE_LENGTH];
    rand::rng().fill_bytes(&mut bytes);
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| char::from(CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()]))
        .collect();
    chars
        .chunks(4)
        .map(|chunk| chunk.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_within_one_step_of_drift_are_accepted_and_no_further() {
        let totp = totp(vec![3; 20], "CodexAPI", "ann@example.com").unwrap();
        let now = 1_800_000_000_u64;
        let code = totp.generate(now).to_string();
        assert!(totp.check(&code, now + 30).is_some(), "one step late");
        assert!(totp.check(&code, now - 30).is_some(), "one step early");
        assert!(totp.check(&code, now + 60).is_none(), "two steps late");
    }

    #[test]
    fn recovery_codes_are_grouped_unambiguous_and_normalise() {
        let code = new_recovery_code();
        assert_eq!(code.len(), 14);
        assert_eq!(code.matches('-').count(), 2);
        assert!(!code.contains(['0', 'o', '1', 'l', 'i']));
        assert_eq!(normalise_recovery(&code.to_uppercase()).len(), CODE_LENGTH);
        assert_eq!(normalise_recovery(" abcd efgh-jkmn "), "abcdefghjkmn");
    }

    #[test]
    fn the_otpauth_url_names_issuer_and_account() {
        let totp = totp(vec![3; 20], "Codex:API", "ann@example.com").unwrap();
        let url = totp.to_url().unwrap();
        assert!(url.starts_with("otpauth://totp/"), "{url}");
        assert!(url.contains("ann%40example.com"), "{url}");
        assert!(!url.contains("Codex:API"), "{url}");
    }
}
