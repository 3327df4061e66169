//! Single-use tokens sent by email: verify an address, reset a password, sign in by link,
//! confirm a new address. The token exists in plaintext only in the email that carries it;
//! the database keeps its SHA-256. Spending one is a single conditional update, so two requests
//! racing with the same link cannot both succeed.

use super::secrets::{random_token, sha256_hex};
use super::ServiceError;
use crate::paths;
use chrono::{DateTime, Duration, Utc};
use entity::account_tokens::{self, Column};
use sea_orm::sea_query::Expr;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

/// What a token is for. Stored as its snake_case name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenPurpose {
    VerifyEmail,
    ResetPassword,
    MagicLogin,
    ChangeEmail,
}

impl TokenPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::VerifyEmail => "verify_email",
            TokenPurpose::ResetPassword => "reset_password",
            TokenPurpose::MagicLogin => "magic_login",
            TokenPurpose::ChangeEmail => "change_email",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [
            TokenPurpose::VerifyEmail,
            TokenPurpose::ResetPassword,
            TokenPurpose::MagicLogin,
            TokenPurpose::ChangeEmail,
        ]
        .into_iter()
        .find(|purpose| purpose.as_str() == value)
    }

    /// How long a link stays usable. Password reset is at most an hour; sign-in links are
    /// shorter still, since they sign in by themselves.
    pub fn lifetime(self) -> Duration {
        match self {
            TokenPurpose::VerifyEmail | TokenPurpose::ChangeEmail => Duration::hours(24),
            TokenPurpose::ResetPassword => Duration::minutes(60),
            TokenPurpose::MagicLogin => Duration::minutes(15),
        }
    }

    /// The page the emailed link opens.
    pub fn page(self) -> &'static str {
        match self {
            TokenPurpose::VerifyEmail | TokenPurpose::ChangeEmail => paths::VERIFY_EMAIL,
            TokenPurpose::ResetPassword => paths::RESET_PASSWORD,
            TokenPurpose::MagicLogin => paths::LOG_IN_LINK,
        }
    }
}

/// A token's plaintext, for the one email that carries it. `Debug` hides it.
pub struct IssuedToken(String);

impl IssuedToken {
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The link to put in the email.
    pub fn link(&self, base_url: &str, purpose: TokenPurpose) -> String {
        format!(
            "{}{}?{}={}",
            base_url.trim_end_matches('/'),
            purpose.page(),
            paths::TOKEN_QUERY,
            self.0
        )
    }
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IssuedToken([redacted])")
    }
}

/// Creates a token. Earlier unspent tokens of the same purpose stay valid until they expire, so
/// someone requesting links for another person's account cannot void the link the owner is
/// about to click.
pub async fn issue<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    purpose: TokenPurpose,
    new_email: Option<String>,
    now: DateTime<Utc>,
) -> Result<IssuedToken, ServiceError> {
    let token = random_token();
    account_tokens::Entity::insert(account_tokens::ActiveModel {
        id: NotSet,
        user_id: Set(user_id),
        purpose: Set(purpose.as_str().to_owned()),
        token_hash: Set(sha256_hex(&token)),
        new_email: Set(new_email),
        expires_at: Set(now + purpose.lifetime()),
        used_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(db)
    .await?;
    Ok(IssuedToken(token))
}

/// The message for a link that cannot be used; deliberately the same for unknown, spent and
/// expired links.
fn unusable() -> ServiceError {
    ServiceError::Invalid(
        "this link is invalid, already used or expired; please request a new one".to_owned(),
    )
}

/// Whether `token` is a live token of `purpose`, without spending it (to show the right form).
pub async fn check<C: ConnectionTrait>(
    db: &C,
    token: &str,
    purpose: TokenPurpose,
    now: DateTime<Utc>,
) -> Result<account_tokens::Model, ServiceError> {
    if token.is_empty() || token.len() > 128 {
        return Err(unusable());
    }
    account_tokens::Entity::find()
        .filter(Column::TokenHash.eq(sha256_hex(token)))
        .filter(Column::Purpose.eq(purpose.as_str()))
        .filter(Column::UsedAt.is_null())
        .filter(Column::ExpiresAt.gt(now))
        .one(db)
        .await?
        .ok_or_else(unusable)
}

/// Spends `token`: succeeds once, for a live token of `purpose`, and returns its row.
pub async fn consume<C: ConnectionTrait>(
    db: &C,
    token: &str,
    purpose: TokenPurpose,
    now: DateTime<Utc>,
) -> Result<account_tokens::Model, ServiceError> {
    let row = check(db, token, purpose, now).await?;
    let spent = account_tokens::Entity::update_many()
        .col_expr(Column::UsedAt, Expr::value(Some(now)))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(row.id))
        .filter(Column::UsedAt.is_null())
        .exec(db)
        .await?;
    if spent.rows_affected != 1 {
        return Err(unusable());
    }
    Ok(row)
}

/// Voids every unspent token of `purpose` for the user (e.g. the other reset links once the
/// password has been reset).
pub async fn void_all<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    purpose: TokenPurpose,
    now: DateTime<Utc>,
) -> Result<u64, ServiceError> {
    Ok(account_tokens::Entity::update_many()
        .col_expr(Column::UsedAt, Expr::value(Some(now)))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::UserId.eq(user_id))
        .filter(Column::Purpose.eq(purpose.as_str()))
        .filter(Column::UsedAt.is_null())
        .exec(db)
        .await?
        .rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_round_trip_and_resets_last_at_most_an_hour() {
        for purpose in [
            TokenPurpose::VerifyEmail,
            TokenPurpose::ResetPassword,
            TokenPurpose::MagicLogin,
            TokenPurpose::ChangeEmail,
        ] {
            assert_eq!(TokenPurpose::parse(purpose.as_str()), Some(purpose));
        }
        assert!(TokenPurpose::ResetPassword.lifetime() <= Duration::minutes(60));
        assert!(TokenPurpose::MagicLogin.lifetime() <= Duration::minutes(15));
    }

    #[test]
    fn links_point_at_the_purposes_page_and_hide_in_debug() {
        let token = IssuedToken("abc".to_owned());
        assert_eq!(
            token.link("https://example.com/", TokenPurpose::ResetPassword),
            "https://example.com/reset-password?token=abc"
        );
        assert_eq!(format!("{token:?}"), "IssuedToken([redacted])");
    }
}
