//! Self-service accounts: signing up, verifying the address, signing in and out, resetting and
//! changing the password, the profile, and the signed-in viewer of each request.
//!
//! Enumeration resistance: sign-up, sign-in and password reset answer exactly the same whether
//! or not an address has an account, and do the same expensive work (one password hash) either
//! way. What differs goes to the address's inbox, never to the requester.

mod emails;
pub mod second_factor;

pub use second_factor::{PendingLogin, TwoFactorStatus};

use super::account_tokens::{self, TokenPurpose};
use super::audit::{self, EventKind, NewEvent};
use super::passwords::{self, Passwords};
use super::secrets::{sha256_hex, Keys};
use super::sessions::{self, IssuedSession, NewSession};
use super::throttle;
use super::users::{self, NewUser};
use super::{email, ServiceError};
use crate::auth::{Role, Viewer};
use crate::server::config::Settings;
use chrono::{DateTime, Utc};
use entity::users as user_rows;
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::json;
use tokio::sync::OnceCell;

/// The one answer to a wrong email or password, whichever was wrong.
pub const WRONG_CREDENTIALS: &str = "The email or password is incorrect.";

/// Who is making the request: metadata kept with sessions and audit events.
#[derive(Clone, Debug, Default)]
pub struct Client {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The known-device cookie, if the browser sent one.
    pub device: Option<String>,
}

impl Client {
    /// What per-address budgets count against; clients whose address is unknown share one.
    pub fn ip_subject(&self) -> &str {
        self.ip.as_deref().unwrap_or("unknown")
    }
}

/// A sign-up form.
pub struct SignUp {
    pub name: String,
    pub email: String,
    pub username: String,
    pub password: String,
}

/// A successful sign-in: the session to set as a cookie and a fresh known-device cookie.
#[derive(Debug)]
pub struct SignedIn {
    pub user_id: i64,
    pub session: IssuedSession,
    pub device_cookie: String,
}

/// What an emailed address link did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmailConfirmed {
    Verified,
    Changed,
}

/// Where a first sign-in step leads.
#[derive(Debug)]
pub enum LogInOutcome {
    SignedIn(SignedIn),
    /// Two-step verification is on: the code is asked next.
    SecondStep(PendingLogin),
}

/// The editable part of a profile.
#[derive(Clone, Debug, Default)]
pub struct ProfileUpdate {
    pub name: String,
    pub username: String,
    pub country: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
}

/// Account operations over the application's database, password hasher and keys. Borrowed from
/// the application state for the duration of one request.
pub struct Accounts<'a> {
    pub db: &'a DatabaseConnection,
    pub passwords: &'a Passwords,
    pub keys: &'a Keys,
    pub settings: &'a Settings,
    /// A hash of a random password, verified against when the account does not exist so that
    /// answering takes as long as for a real account.
    pub dummy_hash: &'a OnceCell<String>,
}

/// Finds an account by email, case-insensitively (the same `lower()` the unique index uses).
pub async fn find_by_email<C: ConnectionTrait>(
    db: &C,
    email: &str,
) -> Result<Option<user_rows::Model>, ServiceError> {
    Ok(user_rows::Entity::find()
        .filter(
            Expr::expr(Func::lower(Expr::col(user_rows::Column::Email)))
                .eq(Func::lower(Expr::val(email.trim()))),
        )
        .one(db)
        .await?)
}

/// The throttling subject for an address: its hash, so counters hold no email addresses.
fn account_subject(email: &str) -> String {
    sha256_hex(&email.trim().to_lowercase())
}

fn event(kind: EventKind, user_id: Option<i64>, client: &Client) -> NewEvent {
    NewEvent {
        kind,
        user_id,
        actor_id: user_id,
        ip: client.ip.clone(),
        user_agent: client.user_agent.clone(),
        detail: json!({}),
    }
}

impl Accounts<'_> {
    /// Counts one attempt by the requesting client address against `policy`.
    async fn throttle_client(
        &self,
        policy: &throttle::Policy,
        client: &Client,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        throttle::enforce(self.db, policy, client.ip_subject(), now).await
    }

    async fn dummy_hash(&self) -> Result<&str, ServiceError> {
        self.dummy_hash
            .get_or_try_init(|| async {
                self.passwords.hash(&super::secrets::random_token()).await
            })
            .await
            .map(String::as_str)
    }

    fn site_name(&self) -> &str {
        &self.settings.site.name
    }

    /// Creates a customer account and emails a verification link. If the address already has
    /// an account, that inbox is told instead and the answer is the same.
    pub async fn sign_up(
        &self,
        form: SignUp,
        client: &Client,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        self.throttle_client(&throttle::SIGN_UP_PER_IP, client, now)
            .await?;
        let email = users::parse_email(&form.email)?;
        let username = users::parse_username(&form.username)?;
        passwords::validate_new(&form.password)?;
        // Hash before looking the address up: both outcomes cost the same.
        let password_hash = self.passwords.hash(&form.password).await?;
        if let Some(existing) = find_by_email(self.db, &email).await? {
            self.notify_existing_account(&existing, now).await?;
            return Ok(());
        }
        let txn = crate::server::services::begin_write(self.db).await?;
        let created = users::create(
            &*txn,
            NewUser {
                email: email.clone(),
                username,
                name: form.name,
                password_hash,
                role: Role::Customer,
                email_verified: false,
            },
        )
        .await;
        let user = match created {
            Ok(user) => user,
            Err(ServiceError::Conflict { constraint }) if constraint.contains("email") => {
                // Another sign-up for this address won the race.
                drop(txn);
                if let Some(existing) = find_by_email(self.db, &email).await? {
                    self.notify_existing_account(&existing, now).await?;
                }
                return Ok(());
            }
            Err(ServiceError::Conflict { .. }) => {
                return Err(ServiceError::Invalid(
                    "that username is taken; please choose another".to_owned(),
                ))
            }
            Err(other) => return Err(other),
        };
        audit::record(
            &*txn,
            event(EventKind::AccountCreated, Some(user.id), client),
        )
        .await?;
        email::enqueue(&*txn, emails::verify_email(self.site_name(), &user)).await?;
        txn.commit().await?;
        Ok(())
    }

    async fn notify_existing_account(
        &self,
        user: &user_rows::Model,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        let subject = account_subject(&user.email);
        if throttle::within(self.db, &throttle::EMAIL_LINKS_PER_ACCOUNT, &subject, now).await? {
            email::enqueue(
                self.db,
                emails::sign_up_with_existing_address(self.site_name(), self.settings, user),
            )
            .await?;
        }
        Ok(())
    }

    /// Sends a new verification link to a signed-in user whose address is not yet verified.
    pub async fn resend_verification(
        &self,
        user_id: i64,
        client: &Client,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        self.throttle_client(&throttle::EMAIL_LINKS_PER_IP, client, now)
            .await?;
        let user = self.user(user_id).await?;
        if user.email_verified_at.is_some() {
            return Err(ServiceError::Invalid(
                "your email address is already verified".to_owned(),
            ));
        }
        throttle::enforce(
            self.db,
            &throttle::EMAIL_LINKS_PER_ACCOUNT,
            &account_subject(&user.email),
            now,
        )
        .await?;
        email::enqueue(self.db, emails::verify_email(self.site_name(), &user)).await?;
        Ok(())
    }

    /// Spends an emailed address link: confirms the sign-up address, or switches the account to
    /// a new address it confirms. Returns which.
    pub async fn confirm_email(
        &self,
        token: &str,
        client: &Client,
        now: DateTime<Utc>,
    ) -> Result<EmailConfirmed, ServiceError> {
        self.throttle_client(&throttle::LINK_USES_PER_IP, client, now)
            .await?;
        let is_change = account_tokens::check(self.db, token, TokenPurpose::ChangeEmail, now)
            .await
            .is_ok();
        let txn = crate::server::services::begin_write(self.db).await?;
        if !is_change {
            let spent =
                account_tokens::consume(&*txn, token, TokenPurpose::VerifyEmail, now).await?;
            user_rows::Entity::update_many()
                .col_expr(user_rows::Column::EmailVerifiedAt, Expr::value(Some(now)))
                .col_expr(user_rows::Column::UpdatedAt, Expr::value(now))
                .filter(user_rows::Column::Id.eq(spent.user_id))
                .filter(user_rows::Column::EmailVerifiedAt.is_null())
                .exec(&*txn)
                .await?;
            audit::record(
                &*txn,
                event(EventKind::EmailVerified, Some(spent.user_id), client),
            )
            .await?;
            txn.commit().await?;
            return Ok(EmailConfirmed::Verified);
        }
        let spent = account_tokens::consume(&*txn, token, TokenPurpose::ChangeEmail, now).await?;
        let new_email = spent
            .new_email
            .clone()
            .ok_or_else(|| ServiceError::Internal("email change without an address".to_owned()))?;
        let old = user_rows::Entity::find_by_id(spent.user_id)
            .one(&*txn)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let switched = user_rows::Entity::update_many()
            .col_expr(user_rows::Column::Email, Expr::value(new_email.clone()))
            .col_expr(user_rows::Column::EmailVerifiedAt, Expr::value(Some(now)))
            .col_expr(user_rows::Column::UpdatedAt, Expr::value(now))
            .filter(user_rows::Column::Id.eq(spent.user_id))
            .exec(&*txn)
            .await
            .map_err(ServiceError::from);
        if let Err(ServiceError::Conflict { .. }) = switched {
            return Err(ServiceError::Invalid(
                "that address now belongs to another account; your address was not changed"
                    .to_owned(),
            ));
        }
        switched?;
        account_tokens::void_all(&*txn, spent.user_id, TokenPurpose::ChangeEmail, now).await?;
        let mut changed = event(EventKind::EmailChanged, Some(spent.user_id), client);
        changed.detail = json!({ "from": old.email, "to": new_email });
        audit::record(&*txn, changed).await?;
        txn.commit().await?;
        Ok(EmailConfirmed::Changed)
    }

    /// Emails a confirmation link to a new address (after step-up) and tells the current one.
    pub async fn request_email_change(
        &self,
        viewer: &Viewer,
        new_email: &str,
        password: &str,
        code: &str,
        client: &Client,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        self.throttle_client(&throttle::EMAIL_LINKS_PER_IP, client, now)
            .await?;
        let new_email = users::parse_email(new_email)?;
        self.step_up(viewer, password, code, now).await?;
        throttle::enforce(
            self.db,
            &throttle::EMAIL_LINKS_PER_ACCOUNT,
            &account_subject(&viewer.email),
            now,
        )
        .await?;
        let user = self.user(viewer.user_id).await?;
        if user.email.eq_ignore_ascii_case(&new_email) {
            return Err(ServiceError::Invalid(
                "that is already your email address".to_owned(),
            ));
        }
        if find_by_email(self.db, &new_email).await?.is_some() {
            return Err(ServiceError::Invalid(
                "that address belongs to another account".to_owned(),
            ));
        }
        let txn = crate::server::services::begin_write(self.db).await?;
        email::enqueue(
            &*txn,
            emails::confirm_new_email(self.site_name(), &user, &new_email),
        )
        .await?;
        email::enqueue(
            &*txn,
            emails::email_change_requested(self.site_name(), self.settings, &user, &new_email),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Emails a single-use sign-in link if the address has an account. Answers the same either
    /// way.
    pub async fn request_magic_link(
        &self,
        email: &str,
        client: &Client,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        self.email_link_on_request(email, emails::magic_link, client, now)
            .await
    }

    /// Spends a sign-in link: a session, or the code step when two-step verification is on.
    pub async fn log_in_with_link(
        &self,
        token: &str,
        client: &Client,
        now: DateTime<Utc>,
    ) -> Result<LogInOutcome, ServiceError> {
        self.throttle_client(&throttle::LINK_USES_PER_IP, client, now)
            .await?;
        let spent = account_tokens::consume(self.db, token, TokenPurpose::MagicLogin, now).await?;
        let user = self.user(spent.user_id).await?;
        if user.suspended_at.is_some() {
            return Err(suspended(self.settings));
        }
        if user.totp_enabled_at.is_some() {
            let pending = self
                .start_second_step(user.id, second_factor::Method::MagicLink, client, now)
                .await?;
            return Ok(LogInOutcome::SecondStep(pending));
        }
        let signed_in = self
            .open_session(user.id, "magic_link", false, client, now)
            .await?;
        Ok(LogInOutcome::SignedIn(signed_in))
    }

    /// Checks an email and password and opens a session.
    pub async fn log_in(
        &self,
        email: &str,
        password: &str,
        client: &Client,
        now: DateTime<Utc>,
    ) -> Result<LogInOutcome, ServiceError> {
        // A megabyte "password" is refused before any work, and before it can cost a hash.
        if password.len() > passwords::MAX_PASSWORD_CHARS * 4 {
            return Err(ServiceError::Invalid(format!(
                "the password must be at most {} characters",
                passwords::MAX_PASSWORD_CHARS
            )));
        }
        self.throttle_client(&throttle::LOGIN_PER_IP, client, now)
            .await?;
        let user = find_by_email(self.db, email).await?;
        let known_device = match (&user, &client.device) {
            (Some(user), Some(cookie)) => self.keys.device_cookie_user(cookie) == Some(user.id),
            _ => false,
        };
        if !known_device {
            // Both budgets count every attempt, so the hourly one keeps counting while the
            // burst one refuses.
            let subject = account_subject(email);
            let burst =
                throttle::enforce(self.db, &throttle::LOGIN_PER_ACCOUNT_BURST, &subject, now).await;
            let hourly =
                throttle::enforce(self.db, &throttle::LOGIN_PER_ACCOUNT_HOURLY, &subject, now)
                    .await;
            hourly?;
            burst?;
        }
        let Some(user) = user else {
            // Same work as for a real account (a hash check and an audit write), same answer.
            let _ = self
                .passwords
                .verify(password, self.dummy_hash().await?)
                .await?;
            let mut failed = event(EventKind::LoginFailed, None, client);
            failed.detail = json!({ "reason": "unknown_account" });
            audit::record(self.db, failed).await?;
            return Err(ServiceError::Unauthenticated(WRONG_CREDENTIALS.to_owned()));
        };
        if !self.passwords.verify(password, &user.password_hash).await? {
            let mut failed = event(EventKind::LoginFailed, Some(user.id), client);
            failed.actor_id = None;
            failed.detail = json!({ "reason": "wrong_password", "known_device": known_device });
            audit::record(self.db, failed).await?;
            return Err(ServiceError::Unauthenticated(WRONG_CREDENTIALS.to_owned()));
        }
        if user.suspended_at.is_some() {
            return Err(suspended(self.settings));
        }
        if self.passwords.needs_rehash(&user.password_hash) {
            let upgraded = self.passwords.hash(password).await?;
            self.set_password_hash(self.db, user.id, upgraded, now)
                .await?;
        }
        if user.totp_enabled_at.is_some() {
            let pending = self
                .start_second_step(user.id, second_factor::Method::Password, client, now)
                .await?;
            return Ok(LogInOutcome::SecondStep(pending));
        }
        let signed_in = self
            .open_session(user.id, "password", true, client, now)
            .await?;
        Ok(LogInOutcome::SignedIn(signed_in))
    }

    /// Opens a session for a user who has proved who they are, and audits it.
    async fn open_session(
        &self,
        user_id: i64,
        method: &str,
        password_confirmed: bool,
        client: &Client,
        now: DateTime<Utc>,
    ) -> Result<SignedIn, ServiceError> {
        let txn = crate::server::services::begin_write(self.db).await?;
        let session = sessions::create(
            &*txn,
            NewSession {
                user_id,
                ip: client.ip.clone(),
                user_agent: client.user_agent.clone(),
                password_confirmed,
            },
            &self.settings.sessions,
            now,
        )
        .await?;
        let mut succeeded = event(EventKind::LoginSucceeded, Some(user_id), client);
        succeeded.detail = json!({ "session_id": session.id, "method": method });
        audit::record(&*txn, succeeded).await?;
        txn.commit().await?;
        Ok(SignedIn {
            user_id,
            session,
            device_cookie: self.keys.device_cookie(user_id),
        })
    }

    /// Ends the viewer's current session.
    pub async fn log_out(
        &self,
        viewer: &Viewer,
        client: &Client,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        let txn = crate::server::services::begin_write(self.db).await?;
        sessions::revoke(&*txn, viewer.user_id, viewer.session_id, now).await?;
        let mut logged_out = event(EventKind::Logout, Some(viewer.user_id), client);
        logged_out.detail = json!({ "session_id": viewer.session_id });
        audit::record(&*txn, logged_out).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Emails a password-reset link if the address has an account. Answers the same either way.
    pub async fn request_password_reset(
        &self,
        email: &str,
        client: &Client,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        self.email_link_on_request(email, emails::reset_password, client, now)
            .await
    }

    /// Someone asked for an emailed link for `email`: throttled per client address, answered
    /// the same whether or not the address has an account.
    async fn email_link_on_request(
        &self,
        email: &str,
        compose: fn(&str, &user_rows::Model) -> email::NewEmail,
        client: &Client,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        self.throttle_client(&throttle::EMAIL_LINKS_PER_IP, client, now)
            .await?;
        let email = users::parse_email(email)?;
        let user = find_by_email(self.db, &email).await?;
        self.email_link_in_background(user, compose, now);
        Ok(())
    }

    /// Queues an emailed link for `user` (if any, not suspended, and within the per-account
    /// budget) after the answer has gone: whether an address has an account must not show in
    /// how long the answer takes. A lost queueing (the process dying within milliseconds) costs
    /// one email the person can ask for again.
    fn email_link_in_background(
        &self,
        user: Option<user_rows::Model>,
        compose: fn(&str, &user_rows::Model) -> email::NewEmail,
        now: DateTime<Utc>,
    ) {
        let Some(user) = user.filter(|u| u.suspended_at.is_none()) else {
            return;
        };
        let db = self.db.clone();
        let message = compose(self.site_name(), &user);
        tokio::spawn(async move {
            // A newly spawned task runs next on this worker; waiting a moment lets the answer
            // leave first, so the database writes below do not delay it.
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
            let subject = account_subject(&user.email);
            let queued = async {
                if throttle::within(&db, &throttle::EMAIL_LINKS_PER_ACCOUNT, &subject, now).await? {
                    email::enqueue(&db, message).await?;
                }
                Ok::<(), ServiceError>(())
            };
            if let Err(error) = queued.await {
                tracing::error!(%error, user.id = user.id, "could not queue an emailed link");
            }
        });
    }

    /// Whether a reset link is still usable (to show the form or say it is not).
    pub async fn check_reset_token(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        account_tokens::check(self.db, token, TokenPurpose::ResetPassword, now).await?;
        Ok(())
    }

    /// Spends a reset link: sets the new password, voids the account's other reset links and
    /// ends every session. It does not sign in: the owner signs in next, with the second factor
    /// when one is enabled. Returns the account id (its browser is then a known device).
    pub async fn reset_password(
        &self,
        token: &str,
        new_password: &str,
        client: &Client,
        now: DateTime<Utc>,
    ) -> Result<i64, ServiceError> {
        self.throttle_client(&throttle::LINK_USES_PER_IP, client, now)
            .await?;
        passwords::validate_new(new_password)?;
        account_tokens::check(self.db, token, TokenPurpose::ResetPassword, now).await?;
        let hash = self.passwords.hash(new_password).await?;
        let txn = crate::server::services::begin_write(self.db).await?;
        let spent = account_tokens::consume(&*txn, token, TokenPurpose::ResetPassword, now).await?;
        account_tokens::void_all(&*txn, spent.user_id, TokenPurpose::ResetPassword, now).await?;
        self.replace_password(&*txn, spent.user_id, hash, None, "reset_link", client, now)
            .await?;
        txn.commit().await?;
        Ok(spent.user_id)
    }

    /// Stores a new password hash, ends the account's sessions but `keep`, audits the change
    /// and tells the owner by email, all in the caller's transaction.
    #[allow(
        clippy::too_many_arguments,
        reason = "one step of two flows, all inputs needed"
    )]
    async fn replace_password<C: ConnectionTrait>(
        &self,
        txn: &C,
        user_id: i64,
        hash: String,
        keep: Option<i64>,
        via: &str,
        client: &Client,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        self.set_password_hash(txn, user_id, hash, now).await?;
        let ended = sessions::revoke_all_except(txn, user_id, keep, now).await?;
        let mut changed = event(EventKind::PasswordChanged, Some(user_id), client);
        changed.detail = json!({ "via": via, "sessions_ended": ended });
        audit::record(txn, changed).await?;
        let user = user_rows::Entity::find_by_id(user_id)
            .one(txn)
            .await?
            .ok_or(ServiceError::NotFound)?;
        email::enqueue(
            txn,
            emails::password_changed(self.site_name(), self.settings, &user),
        )
        .await?;
        Ok(())
    }

    /// Changes the password of a signed-in user who knows the current one; ends their other
    /// sessions.
    pub async fn change_password(
        &self,
        viewer: &Viewer,
        current: &str,
        new_password: &str,
        client: &Client,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        passwords::validate_new(new_password)?;
        self.check_current_password(viewer.user_id, current, now)
            .await?;
        let hash = self.passwords.hash(new_password).await?;
        let txn = crate::server::services::begin_write(self.db).await?;
        self.replace_password(
            &*txn,
            viewer.user_id,
            hash,
            Some(viewer.session_id),
            "settings",
            client,
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Checks a signed-in user's current password, throttled per account.
    pub async fn check_current_password(
        &self,
        user_id: i64,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        throttle::enforce(
            self.db,
            &throttle::PASSWORD_CHECKS_PER_ACCOUNT,
            &user_id.to_string(),
            now,
        )
        .await?;
        let user = self.user(user_id).await?;
        if self.passwords.verify(password, &user.password_hash).await? {
            Ok(())
        } else {
            Err(ServiceError::Invalid(
                "the current password is not correct".to_owned(),
            ))
        }
    }

    async fn set_password_hash<C: ConnectionTrait>(
        &self,
        db: &C,
        user_id: i64,
        hash: String,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        user_rows::Entity::update_many()
            .col_expr(user_rows::Column::PasswordHash, Expr::value(hash))
            .col_expr(user_rows::Column::UpdatedAt, Expr::value(now))
            .filter(user_rows::Column::Id.eq(user_id))
            .exec(db)
            .await?;
        Ok(())
    }

    async fn user(&self, user_id: i64) -> Result<user_rows::Model, ServiceError> {
        user_rows::Entity::find_by_id(user_id)
            .one(self.db)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// The account's profile.
    pub async fn profile(&self, user_id: i64) -> Result<user_rows::Model, ServiceError> {
        self.user(user_id).await
    }

    /// Saves the editable profile fields.
    pub async fn update_profile(
        &self,
        user_id: i64,
        update: ProfileUpdate,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        let name = users::parse_name(&update.name)?;
        let username = users::parse_username(&update.username)?;
        let country = users::parse_country(update.country.as_deref())?;
        let phone = users::parse_optional_text("phone", update.phone.as_deref(), 40)?;
        let company = users::parse_optional_text("company", update.company.as_deref(), 100)?;
        let result = user_rows::Entity::update_many()
            .col_expr(user_rows::Column::Name, Expr::value(name))
            .col_expr(user_rows::Column::Username, Expr::value(username))
            .col_expr(user_rows::Column::Country, Expr::value(country))
            .col_expr(user_rows::Column::Phone, Expr::value(phone))
            .col_expr(user_rows::Column::Company, Expr::value(company))
            .col_expr(user_rows::Column::UpdatedAt, Expr::value(now))
            .filter(user_rows::Column::Id.eq(user_id))
            .exec(self.db)
            .await;
        match result.map_err(ServiceError::from) {
            Ok(_) => Ok(()),
            Err(ServiceError::Conflict { .. }) => Err(ServiceError::Invalid(
                "that username is taken; please choose another".to_owned(),
            )),
            Err(other) => Err(other),
        }
    }

    /// The signed-in account behind a session cookie, if the session is live and the account
    /// not suspended.
    pub async fn viewer(
        &self,
        session_token: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Viewer>, ServiceError> {
        let Some(session) =
            sessions::authenticate(self.db, session_token, &self.settings.sessions, now).await?
        else {
            return Ok(None);
        };
        let Some(user) = user_rows::Entity::find_by_id(session.user_id)
            .one(self.db)
            .await?
        else {
            return Ok(None);
        };
        if user.suspended_at.is_some() {
            return Ok(None);
        }
        let role = Role::parse(&user.role)
            .ok_or_else(|| ServiceError::Internal(format!("unknown role {:?}", user.role)))?;
        Ok(Some(Viewer {
            user_id: user.id,
            session_id: session.id,
            name: user.name,
            username: user.username,
            email: user.email,
            role,
            email_verified: user.email_verified_at.is_some(),
            two_factor: user.totp_enabled_at.is_some(),
        }))
    }

    /// Ends one of the viewer's other sessions.
    pub async fn revoke_session(
        &self,
        viewer: &Viewer,
        session_id: i64,
        client: &Client,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        let txn = crate::server::services::begin_write(self.db).await?;
        sessions::revoke(&*txn, viewer.user_id, session_id, now).await?;
        let mut revoked = event(EventKind::SessionRevoked, Some(viewer.user_id), client);
        revoked.detail = json!({ "session_id": session_id });
        audit::record(&*txn, revoked).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Ends every session of the viewer but the current one; returns how many ended.
    pub async fn revoke_other_sessions(
        &self,
        viewer: &Viewer,
        client: &Client,
        now: DateTime<Utc>,
    ) -> Result<u64, ServiceError> {
        let txn = crate::server::services::begin_write(self.db).await?;
        let ended =
            sessions::revoke_all_except(&*txn, viewer.user_id, Some(viewer.session_id), now)
                .await?;
        let mut revoked = event(EventKind::SessionRevoked, Some(viewer.user_id), client);
        revoked.detail = json!({ "all_others": true, "sessions_ended": ended });
        audit::record(&*txn, revoked).await?;
        txn.commit().await?;
        Ok(ended)
    }
}

fn suspended(settings: &Settings) -> ServiceError {
    ServiceError::Forbidden(format!(
        "This account is suspended. Contact {} if you think this is a mistake.",
        settings.site.support_email
    ))
}
