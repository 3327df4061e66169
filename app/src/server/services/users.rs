//! Account rows: creating them and the rules for their fields.

use super::ServiceError;
use chrono::Utc;
use entity::users;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

pub use crate::auth::Role;

/// An account to create; the password is already hashed.
pub struct NewUser {
    pub email: String,
    pub username: String,
    pub name: String,
    pub password_hash: String,
    pub role: Role,
    /// Admins created by the operator are trusted to own their address.
    pub email_verified: bool,
}

/// Normalises and checks an email address: trimmed, one `@`, a dotted domain, 3-254 chars.
pub fn parse_email(raw: &str) -> Result<String, ServiceError> {
    let email = raw.trim();
    let valid = email.len() >= 3
        && email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && !domain.contains('@') && domain.contains('.')
        });
    if valid {
        Ok(email.to_owned())
    } else {
        Err(ServiceError::Invalid(format!(
            "{email:?} is not an email address such as name@example.com"
        )))
    }
}

/// Usernames: 3-32 characters of letters, digits, `_`, `-` and `.`.
pub fn parse_username(raw: &str) -> Result<String, ServiceError> {
    let username = raw.trim();
    let valid = (3..=32).contains(&username.len())
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if valid {
        Ok(username.to_owned())
    } else {
        Err(ServiceError::Invalid(
            "the username must be 3-32 letters, digits, '_', '-' or '.'".to_owned(),
        ))
    }
}

/// Display names: 1-100 characters after trimming.
pub fn parse_name(raw: &str) -> Result<String, ServiceError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(ServiceError::Invalid(
            "the name must be 1-100 characters".to_owned(),
        ));
    }
    Ok(name.to_owned())
}

/// Countries as ISO 3166-1 alpha-2 codes (`DE`, `US`); empty means not given.
pub fn parse_country(raw: Option<&str>) -> Result<Option<String>, ServiceError> {
    let Some(code) = raw.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    if code.len() == 2 && code.chars().all(|c| c.is_ascii_alphabetic()) {
        Ok(Some(code.to_ascii_uppercase()))
    } else {
        Err(ServiceError::Invalid(
            "the country must be a two-letter code such as DE or US".to_owned(),
        ))
    }
}

/// An optional free-text field of at most `max` characters; empty means not given.
pub fn parse_optional_text(
    field: &str,
    raw: Option<&str>,
    max: usize,
) -> Result<Option<String>, ServiceError> {
    let Some(value) = raw.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.chars().count() > max || value.chars().any(char::is_control) {
        return Err(ServiceError::Invalid(format!(
            "the {field} must be at most {max} characters on one line"
        )));
    }
    Ok(Some(value.to_owned()))
}

/// Creates the account. A taken email or username (compared case-insensitively by the unique
/// indexes) is a [`ServiceError::Conflict`].
pub async fn create<C: ConnectionTrait>(
    db: &C,
    user: NewUser,
) -> Result<users::Model, ServiceError> {
    let email = parse_email(&user.email)?;
    let username = parse_username(&user.username)?;
    let name = parse_name(&user.name)?;
    let now = Utc::now();
    let created = users::Entity::insert(users::ActiveModel {
        id: NotSet,
        email: Set(email),
        username: Set(username),
        name: Set(name),
        password_hash: Set(user.password_hash),
        role: Set(user.role.as_str().to_owned()),
        email_verified_at: Set(user.email_verified.then_some(now)),
        suspended_at: Set(None),
        country: Set(None),
        phone: Set(None),
        company: Set(None),
        totp_secret_enc: Set(None),
        totp_pending_enc: Set(None),
        totp_enabled_at: Set(None),
        totp_last_step: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(db)
    .await?;
    Ok(created)
}

/// Whether any admin account exists.
pub async fn admin_exists<C: ConnectionTrait>(db: &C) -> Result<bool, ServiceError> {
    let count = users::Entity::find()
        .filter(users::Column::Role.eq(Role::Admin.as_str()))
        .count(db)
        .await?;
    Ok(count > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_checked() {
        assert_eq!(
            parse_email("  Ann@Example.com ").unwrap(),
            "Ann@Example.com"
        );
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "a n@example.com",
            "a@b@c.d",
        ] {
            assert!(parse_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn profile_fields_are_checked() {
        assert_eq!(parse_country(Some(" de ")).unwrap().as_deref(), Some("DE"));
        assert_eq!(parse_country(Some("")).unwrap(), None);
        assert!(parse_country(Some("Germany")).is_err());
        assert!(parse_name("  ").is_err());
        assert!(parse_optional_text("phone", Some("+49 30 1234"), 40).is_ok());
        assert!(parse_optional_text("phone", Some("a\nb"), 40).is_err());
    }

    #[test]
    fn usernames_are_short_plain_identifiers() {
        assert!(parse_username("ann_01").is_ok());
        assert!(parse_username("an").is_err());
        assert!(parse_username("ann smith").is_err());
        assert!(parse_username(&"a".repeat(33)).is_err());
    }
}
