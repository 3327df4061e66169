//! The second sign-in step, step-up re-authentication, and managing two-step verification.

use super::{event, Accounts, Client, SignedIn};
use crate::auth::Viewer;
use crate::server::services::audit::{self, EventKind};
use crate::server::services::secrets::{random_token, sha256_hex};
use crate::server::services::two_factor::{self, Enrollment};
use crate::server::services::{sessions, throttle, ServiceError};
use chrono::{DateTime, Duration, Utc};
use entity::pending_logins::{self, Column};
use entity::users;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

/// How long the code may take after the password.
pub const PENDING_LIFETIME: Duration = Duration::minutes(10);
/// Codes a half-finished sign-in may try; the next one ends it.
pub const MAX_CODE_ATTEMPTS: i32 = 5;

/// How the first step was passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Password,
    MagicLink,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Password => "password",
            Method::MagicLink => "magic_link",
        }
    }
}

/// A half-finished sign-in's token, for its own short-lived cookie. `Debug` hides it.
pub struct PendingLogin(pub(super) String);

impl PendingLogin {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for PendingLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PendingLogin([redacted])")
    }
}

/// Two-step verification as the security page shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TwoFactorStatus {
    pub enabled: bool,
    pub unused_recovery_codes: u64,
}

fn expired_sign_in() -> ServiceError {
    ServiceError::Unauthenticated(
        "This sign-in has expired or was ended after too many wrong codes; please sign in again."
            .to_owned(),
    )
}

fn needs_confirmation() -> ServiceError {
    ServiceError::Forbidden(
        "please confirm your password (and a code from your authenticator app, if you use \
         two-step verification) to do this"
            .to_owned(),
    )
}

impl Accounts<'_> {
    pub(super) async fn start_second_step(
        &self,
        user_id: i64,
        method: Method,
        client: &Client,
        now: DateTime<Utc>,
    ) -> Result<PendingLogin, ServiceError> {
        let token = random_token();
        pending_logins::Entity::insert(pending_logins::ActiveModel {
            id: NotSet,
            token_hash: Set(sha256_hex(&token)),
            user_id: Set(user_id),
            method: Set(method.as_str().to_owned()),
            attempts: Set(0),
            ip: Set(client.ip.clone()),
            user_agent: Set(client.user_agent.clone()),
            expires_at: Set(now + PENDING_LIFETIME),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec(self.db)
        .await?;
        Ok(PendingLogin(token))
    }

    /// The second sign-in step: a TOTP or recovery code for a half-finished sign-in. Each try
    /// is counted before the code is checked, so concurrent guesses cannot exceed the limit;
    /// the sixth try finds the sign-in gone.
    pub async fn complete_second_step(
        &self,
        pending_token: &str,
        code: &str,
        client: &Client,
        now: DateTime<Utc>,
    ) -> Result<SignedIn, ServiceError> {
        if pending_token.is_empty() || pending_token.len() > 128 {
            return Err(expired_sign_in());
        }
        let hash = sha256_hex(pending_token);
        let counted = pending_logins::Entity::update_many()
            .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
            .col_expr(Column::UpdatedAt, Expr::value(now))
            .filter(Column::TokenHash.eq(hash.as_str()))
            .filter(Column::Attempts.lt(MAX_CODE_ATTEMPTS))
            .filter(Column::ExpiresAt.gt(now))
            .exec(self.db)
            .await?;
        let Some(pending) = pending_logins::Entity::find()
            .filter(Column::TokenHash.eq(hash.as_str()))
            .one(self.db)
            .await?
        else {
            return Err(expired_sign_in());
        };
        if counted.rows_affected != 1 {
            pending_logins::Entity::delete_by_id(pending.id)
                .exec(self.db)
                .await?;
            return Err(expired_sign_in());
        }
        let user = self.user(pending.user_id).await?;
        if user.suspended_at.is_some() {
            return Err(super::suspended(self.settings));
        }
        if !two_factor::verify(self.db, self.keys, &user, code, now).await? {
            let mut failed = event(EventKind::LoginFailed, Some(user.id), client);
            failed.actor_id = None;
            failed.detail = json!({ "reason": "wrong_code", "attempt": pending.attempts });
            audit::record(self.db, failed).await?;
            if pending.attempts >= MAX_CODE_ATTEMPTS {
                pending_logins::Entity::delete_by_id(pending.id)
                    .exec(self.db)
                    .await?;
                return Err(ServiceError::Unauthenticated(
                    "That code is not correct, and it was the last try: please sign in again."
                        .to_owned(),
                ));
            }
            return Err(ServiceError::Unauthenticated(
                "That code is not correct. Check your authenticator app and try again.".to_owned(),
            ));
        }
        let gone = pending_logins::Entity::delete_by_id(pending.id)
            .exec(self.db)
            .await?;
        if gone.rows_affected != 1 {
            return Err(expired_sign_in());
        }
        let method = match pending.method.as_str() {
            "magic_link" => "magic_link+totp",
            _ => "password+totp",
        };
        self.open_session(user.id, method, pending.method == "password", client, now)
            .await
    }

    /// Step-up: the current session confirmed the password (and code) within the configured
    /// minutes, or does so now. An empty password relies on a recent confirmation.
    pub async fn step_up(
        &self,
        viewer: &Viewer,
        password: &str,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        if password.is_empty() {
            let window = Duration::minutes(i64::from(self.settings.security.step_up_minutes));
            let recent = sessions::reauthenticated_at(self.db, viewer.user_id, viewer.session_id)
                .await?
                .is_some_and(|at| at + window > now);
            return if recent {
                Ok(())
            } else {
                Err(needs_confirmation())
            };
        }
        self.confirm_identity(viewer, password, code, now).await?;
        sessions::mark_reauthenticated(self.db, viewer.session_id, now).await
    }

    /// Checks the password and, when two-step verification is on, a code; no window applies.
    async fn confirm_identity(
        &self,
        viewer: &Viewer,
        password: &str,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<users::Model, ServiceError> {
        self.check_current_password(viewer.user_id, password, now)
            .await?;
        let user = self.user(viewer.user_id).await?;
        if user.totp_enabled_at.is_some() {
            throttle::enforce(
                self.db,
                &throttle::PASSWORD_CHECKS_PER_ACCOUNT,
                &format!("code:{}", user.id),
                now,
            )
            .await?;
            if !two_factor::verify(self.db, self.keys, &user, code, now).await? {
                return Err(ServiceError::Invalid(
                    "the code from your authenticator app is not correct".to_owned(),
                ));
            }
        }
        Ok(user)
    }

    pub async fn two_factor_status(&self, user_id: i64) -> Result<TwoFactorStatus, ServiceError> {
        let user = self.user(user_id).await?;
        Ok(TwoFactorStatus {
            enabled: user.totp_enabled_at.is_some(),
            unused_recovery_codes: two_factor::unused_recovery_codes(self.db, user_id).await?,
        })
    }

    /// The secret and QR code to enrol an authenticator app.
    pub async fn two_factor_enrollment(
        &self,
        viewer: &Viewer,
        now: DateTime<Utc>,
    ) -> Result<Enrollment, ServiceError> {
        let user = self.user(viewer.user_id).await?;
        two_factor::enrollment(self.db, self.keys, &user, &self.settings.site.name, now).await
    }

    /// Turns two-step verification on with a first code; returns the recovery codes.
    pub async fn enable_two_factor(
        &self,
        viewer: &Viewer,
        code: &str,
        client: &Client,
        now: DateTime<Utc>,
    ) -> Result<Vec<String>, ServiceError> {
        let user = self.user(viewer.user_id).await?;
        let txn = crate::server::services::begin_write(self.db).await?;
        let codes = two_factor::confirm(&*txn, self.keys, &user, code, now).await?;
        audit::record(
            &*txn,
            event(EventKind::TwoFactorEnabled, Some(user.id), client),
        )
        .await?;
        txn.commit().await?;
        Ok(codes)
    }

    /// Turns two-step verification off: always needs the password and a current code.
    pub async fn disable_two_factor(
        &self,
        viewer: &Viewer,
        password: &str,
        code: &str,
        client: &Client,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        let user = self.confirm_identity(viewer, password, code, now).await?;
        if user.totp_enabled_at.is_none() {
            return Err(ServiceError::Invalid(
                "two-step verification is not on".to_owned(),
            ));
        }
        let txn = crate::server::services::begin_write(self.db).await?;
        two_factor::disable(&*txn, user.id, now).await?;
        audit::record(
            &*txn,
            event(EventKind::TwoFactorDisabled, Some(user.id), client),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Replaces the recovery codes (step-up first); returns the new ones.
    pub async fn regenerate_recovery_codes(
        &self,
        viewer: &Viewer,
        password: &str,
        code: &str,
        client: &Client,
        now: DateTime<Utc>,
    ) -> Result<Vec<String>, ServiceError> {
        self.step_up(viewer, password, code, now).await?;
        if !viewer.two_factor {
            return Err(ServiceError::Invalid(
                "turn on two-step verification first".to_owned(),
            ));
        }
        let txn = crate::server::services::begin_write(self.db).await?;
        let codes =
            two_factor::replace_recovery_codes(&*txn, self.keys, viewer.user_id, now).await?;
        audit::record(
            &*txn,
            event(
                EventKind::RecoveryCodesRegenerated,
                Some(viewer.user_id),
                client,
            ),
        )
        .await?;
        txn.commit().await?;
        Ok(codes)
    }
}
