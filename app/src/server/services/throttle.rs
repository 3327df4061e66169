//! Throttling of the account endpoints attackers hammer: signing in, signing up, and asking for
//! emailed links. Built on the shared database counters of [`super::rate_limit`], so every
//! replica enforces the same budget.
//!
//! Sign-in is limited twice: per client address (one machine guessing many accounts) and per
//! account (many machines guessing one account). The per-account budget applies only to
//! browsers that have never signed in to that account: the owner's browser carries a signed
//! known-device cookie and is never locked out by strangers' failures. An owner on a new
//! browser whose account is under attack resets the password by email; the reset marks that
//! browser as known.

use super::rate_limit::{self, Decision, Limit};
use super::ServiceError;
use chrono::{DateTime, Duration, Utc};
use sea_orm::ConnectionTrait;

/// One budget and what to tell someone who exceeds it.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    pub scope: &'static str,
    pub limit: Limit,
    pub message: &'static str,
}

const fn policy(
    scope: &'static str,
    max_hits: i64,
    window: Duration,
    message: &'static str,
) -> Policy {
    Policy {
        scope,
        limit: Limit { max_hits, window },
        message,
    }
}

const SLOW_DOWN_NETWORK: &str =
    "Too many attempts from your network. Please wait a while and try again.";
const SLOW_DOWN_ACCOUNT: &str = "Too many sign-in attempts for this account. Sign in from a \
     browser you have signed in with before, or reset your password by email (that browser then \
     counts as known).";

/// Sign-in attempts from one client address: 20 per 15 minutes.
pub const LOGIN_PER_IP: Policy = policy("login_ip", 20, Duration::minutes(15), SLOW_DOWN_NETWORK);
/// Sign-in attempts on one account from unknown browsers: a burst of 10 per 5 minutes, and at
/// most 100 per hour in all.
pub const LOGIN_PER_ACCOUNT_BURST: Policy = policy(
    "login_account_5m",
    10,
    Duration::minutes(5),
    SLOW_DOWN_ACCOUNT,
);
pub const LOGIN_PER_ACCOUNT_HOURLY: Policy = policy(
    "login_account_1h",
    100,
    Duration::hours(1),
    SLOW_DOWN_ACCOUNT,
);
/// Sign-ups from one client address: 10 per hour.
pub const SIGN_UP_PER_IP: Policy = policy("sign_up_ip", 10, Duration::hours(1), SLOW_DOWN_NETWORK);
/// Requests for emailed links (reset, verification, sign-in) from one address: 10 per hour.
pub const EMAIL_LINKS_PER_IP: Policy =
    policy("email_link_ip", 10, Duration::hours(1), SLOW_DOWN_NETWORK);
/// Emailed links sent to one account: 5 per hour; further requests are answered the same but
/// send nothing, so nobody can flood an inbox.
pub const EMAIL_LINKS_PER_ACCOUNT: Policy = policy(
    "email_link_account",
    5,
    Duration::hours(1),
    "Too many emails were requested for this account; please use the latest one or wait an hour.",
);
/// Uses of emailed links (right or wrong) from one address: 30 per hour.
pub const LINK_USES_PER_IP: Policy =
    policy("link_use_ip", 30, Duration::hours(1), SLOW_DOWN_NETWORK);
/// Current-password checks by a signed-in user (password change, re-authentication): 10 per
/// hour, so a stolen session cannot be used to guess the password.
pub const PASSWORD_CHECKS_PER_ACCOUNT: Policy = policy(
    "password_check_account",
    10,
    Duration::hours(1),
    "Too many password attempts; please wait an hour and try again.",
);

/// Consent choices recorded from one address: 100 per hour. A visitor makes one or two; the
/// budget is for the many visitors behind one shared address, while a script cannot fill the
/// consent log.
pub const CONSENTS_PER_IP: Policy =
    policy("consent_ip", 100, Duration::hours(1), SLOW_DOWN_NETWORK);

/// Redemption attempts by one user: 20 per hour (codes cannot be guessed, but nobody should
/// try).
pub const REDEMPTIONS_PER_USER: Policy = policy(
    "redeem_user",
    20,
    Duration::hours(1),
    "Too many redemption attempts; please wait an hour and try again.",
);

/// Counts one attempt and refuses it with the policy's message once over budget.
pub async fn enforce<C: ConnectionTrait>(
    db: &C,
    policy: &Policy,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    match rate_limit::hit(db, policy.scope, subject, policy.limit, now).await? {
        Decision::Allowed { .. } => Ok(()),
        Decision::Limited { retry_after } => Err(ServiceError::Throttled {
            message: policy.message.to_owned(),
            retry_after_secs: u64::try_from(retry_after.num_seconds().max(1)).unwrap_or(1),
        }),
    }
}

/// Counts one attempt and says whether it is within budget, for callers that must answer the
/// same either way.
pub async fn within<C: ConnectionTrait>(
    db: &C,
    policy: &Policy,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<bool, ServiceError> {
    Ok(matches!(
        rate_limit::hit(db, policy.scope, subject, policy.limit, now).await?,
        Decision::Allowed { .. }
    ))
}
