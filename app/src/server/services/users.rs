//! Accounts. This scope is the operator bootstrapping admins from the CLI; sign-up and
//! sign-in build on the same rules.

use super::ServiceError;
use chrono::Utc;
use entity::users;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

/// What an account may do. Stored as text with a check constraint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Customer,
    Support,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Support => "support",
            Role::Admin => "admin",
        }
    }
}

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

/// Creates the account. A taken email or username (compared case-insensitively by the unique
/// indexes) is a [`ServiceError::Conflict`].
pub async fn create<C: ConnectionTrait>(
    db: &C,
    user: NewUser,
) -> Result<users::Model, ServiceError> {
    let email = parse_email(&user.email)?;
    let username = parse_username(&user.username)?;
    let name = user.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ServiceError::Invalid(
            "the name must be 1-100 characters".to_owned(),
        ));
    }
    let now = Utc::now();
    let created = users::Entity::insert(users::ActiveModel {
        id: NotSet,
        email: Set(email),
        username: Set(username),
        name: Set(name),
        password_hash: Set(user.password_hash),
        role: Set(user.role.as_str().to_owned()),
        email_verified_at: Set(user.email_verified.then_some(now)),
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
    fn usernames_are_short_plain_identifiers() {
        assert!(parse_username("ann_01").is_ok());
        assert!(parse_username("an").is_err());
        assert!(parse_username("ann smith").is_err());
        assert!(parse_username(&"a".repeat(33)).is_err());
    }
}
