//! API tokens: creation (shown once), listing, revocation, rotation with a grace period, and
//! authenticating a presented token for the proxy.
//!
//! A token reads `cdx_<public id>_<secret>`: the public id (48 random bits, hex) finds the row,
//! the secret (192 random bits) is checked against its stored SHA-256. Nothing can turn a stored
//! row back into a usable token.

use super::secrets::sha256_hex;
use super::ServiceError;
use crate::auth::Viewer;
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use entity::api_tokens::{self, Column};
use entity::users;
use ipnet::IpNet;
use rand::RngCore as _;
use sea_orm::sea_query::Expr;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use std::net::IpAddr;

pub const PREFIX: &str = "cdx_";
/// Most live tokens one account may hold.
pub const MAX_TOKENS_PER_USER: u64 = 100;
/// Longest grace period a rotated token may keep working.
pub const MAX_GRACE_DAYS: i64 = 7;
/// `last_used_at` is written at most this often per token.
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// Where a token's usage is charged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BillingSource {
    /// The Token Wallet only.
    TokenWallet,
    /// The Token Wallet, then the Cash Wallet when it runs out.
    TokenThenCash,
}

impl BillingSource {
    pub fn as_str(self) -> &'static str {
        match self {
            BillingSource::TokenWallet => "token_wallet",
            BillingSource::TokenThenCash => "token_then_cash",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "token_wallet" => Some(BillingSource::TokenWallet),
            "token_then_cash" => Some(BillingSource::TokenThenCash),
            _ => None,
        }
    }
}

/// The options of a token.
#[derive(Clone, Debug)]
pub struct TokenOptions {
    pub name: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub daily_limit: Option<i64>,
    pub monthly_limit: Option<i64>,
    pub total_limit: Option<i64>,
    pub allowed_models: Vec<String>,
    pub allowed_ips: Vec<IpNet>,
    pub billing_source: BillingSource,
}

impl TokenOptions {
    /// A token with no expiry, spend limits or allow-lists, charged to the Token Wallet.
    pub fn open(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            expires_at: None,
            daily_limit: None,
            monthly_limit: None,
            total_limit: None,
            allowed_models: Vec::new(),
            allowed_ips: Vec::new(),
            billing_source: BillingSource::TokenWallet,
        }
    }
}

/// A token's plain text, for the one answer that shows it. `Debug` hides it.
pub struct TokenSecret(String);

impl TokenSecret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSecret([redacted])")
    }
}

/// A new token: its secret (shown once) and its row.
#[derive(Debug)]
pub struct CreatedToken {
    pub secret: TokenSecret,
    pub row: api_tokens::Model,
}

/// Who a valid token speaks for, and its rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiCaller {
    pub token_id: i64,
    pub user_id: i64,
    pub allowed_models: Vec<String>,
    pub billing_source: BillingSource,
    pub daily_limit: Option<i64>,
    pub monthly_limit: Option<i64>,
    pub total_limit: Option<i64>,
}

impl ApiCaller {
    /// Whether the token may use `model` (an empty allow-list allows all).
    pub fn allows_model(&self, model: &str) -> bool {
        self.allowed_models.is_empty() || self.allowed_models.iter().any(|m| m == model)
    }

    /// Whether the token has any spend limit (daily, monthly or total).
    pub fn has_spend_limits(&self) -> bool {
        self.daily_limit.is_some() || self.monthly_limit.is_some() || self.total_limit.is_some()
    }
}

/// Why a presented token was refused; the proxy turns each into its protocol's error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Malformed, unknown, wrong secret, revoked, or its grace period is over.
    Invalid,
    Expired,
    /// The owner's account is suspended.
    Suspended,
    /// The client address is outside the token's allow-list.
    AddressNotAllowed,
}

fn validate(options: &TokenOptions, now: DateTime<Utc>) -> Result<(), ServiceError> {
    let name = options.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ServiceError::Invalid(
            "the token name must be 1-100 characters".to_owned(),
        ));
    }
    if options.expires_at.is_some_and(|at| at <= now) {
        return Err(ServiceError::Invalid(
            "the expiry must be in the future".to_owned(),
        ));
    }
    for limit in [
        options.daily_limit,
        options.monthly_limit,
        options.total_limit,
    ]
    .into_iter()
    .flatten()
    {
        if limit <= 0 {
            return Err(ServiceError::Invalid(
                "spend limits must be positive".to_owned(),
            ));
        }
    }
    if options.allowed_models.len() > 100
        || options
            .allowed_models
            .iter()
            .any(|m| m.is_empty() || m.len() > 200)
    {
        return Err(ServiceError::Invalid(
            "list at most 100 model names of 1-200 characters".to_owned(),
        ));
    }
    if options.allowed_ips.len() > 100 {
        return Err(ServiceError::Invalid(
            "list at most 100 addresses or ranges".to_owned(),
        ));
    }
    Ok(())
}

fn random(bytes: usize) -> Vec<u8> {
    let mut buffer = vec![0_u8; bytes];
    rand::rng().fill_bytes(&mut buffer);
    buffer
}

fn json_list(items: &[String]) -> Option<String> {
    (!items.is_empty()).then(|| serde_json::Value::from(items.to_vec()).to_string())
}

fn parse_list(stored: Option<&str>) -> Vec<String> {
    stored
        .and_then(|text| serde_json::from_str::<Vec<String>>(text).ok())
        .unwrap_or_default()
}

async fn insert_token<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    options: &TokenOptions,
    now: DateTime<Utc>,
) -> Result<CreatedToken, ServiceError> {
    let public_id: String = random(6).iter().map(|b| format!("{b:02x}")).collect();
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random(24));
    let token = format!("{PREFIX}{public_id}_{secret}");
    let ips: Vec<String> = options
        .allowed_ips
        .iter()
        .map(ToString::to_string)
        .collect();
    let row = api_tokens::Entity::insert(api_tokens::ActiveModel {
        id: NotSet,
        user_id: Set(user_id),
        public_id: Set(public_id),
        secret_hash: Set(sha256_hex(&secret)),
        last4: Set(secret[secret.len() - 4..].to_owned()),
        name: Set(options.name.trim().to_owned()),
        expires_at: Set(options.expires_at),
        revoked_at: Set(None),
        replaced_by_id: Set(None),
        daily_limit: Set(options.daily_limit),
        monthly_limit: Set(options.monthly_limit),
        total_limit: Set(options.total_limit),
        allowed_models: Set(json_list(&options.allowed_models)),
        allowed_ips: Set(json_list(&ips)),
        billing_source: Set(options.billing_source.as_str().to_owned()),
        last_used_at: Set(None),
        last_used_ip: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(db)
    .await?;
    Ok(CreatedToken {
        secret: TokenSecret(token),
        row,
    })
}

/// Creates a token for the viewer, whose address must be confirmed (the caller has done the
/// step-up re-authentication).
pub async fn create(
    db: &DatabaseConnection,
    viewer: &Viewer,
    options: TokenOptions,
    now: DateTime<Utc>,
) -> Result<CreatedToken, ServiceError> {
    if !viewer.email_verified {
        return Err(ServiceError::Forbidden(
            "confirm your email address before creating API tokens".to_owned(),
        ));
    }
    validate(&options, now)?;
    let live = api_tokens::Entity::find()
        .filter(Column::UserId.eq(viewer.user_id))
        .filter(live_at(now))
        .count(db)
        .await?;
    if live >= MAX_TOKENS_PER_USER {
        return Err(ServiceError::Invalid(format!(
            "an account can hold {MAX_TOKENS_PER_USER} tokens; revoke unused ones first"
        )));
    }
    insert_token(db, viewer.user_id, &options, now).await
}

/// Tokens that work at `now`: not revoked, or revoked only from a later time (grace period).
fn live_at(now: DateTime<Utc>) -> sea_orm::Condition {
    sea_orm::Condition::any()
        .add(Column::RevokedAt.is_null())
        .add(Column::RevokedAt.gt(now))
}

/// The user's tokens, newest first (revoked ones too, for the record).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
) -> Result<Vec<api_tokens::Model>, ServiceError> {
    Ok(api_tokens::Entity::find()
        .filter(Column::UserId.eq(user_id))
        .order_by_desc(Column::Id)
        .all(db)
        .await?)
}

/// Revokes one of the user's tokens at once (the proxy refuses it from its next request on).
/// Another user's token is "not found".
pub async fn revoke(
    db: &DatabaseConnection,
    user_id: i64,
    token_id: i64,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let txn = crate::server::services::begin_write(db).await?;
    let revoked = api_tokens::Entity::update_many()
        .col_expr(Column::RevokedAt, Expr::value(Some(now)))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(token_id))
        .filter(Column::UserId.eq(user_id))
        .filter(live_at(now))
        .exec(&*txn)
        .await?;
    if revoked.rows_affected != 1 {
        return Err(ServiceError::NotFound);
    }
    super::proxy::catalog::bump(&*txn, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Issues a new secret with the same options; the old token keeps working for `grace_days`
/// (0 to 7), then stops. Returns the new token (shown once).
pub async fn rotate(
    db: &DatabaseConnection,
    user_id: i64,
    token_id: i64,
    grace_days: i64,
    now: DateTime<Utc>,
) -> Result<CreatedToken, ServiceError> {
    if !(0..=MAX_GRACE_DAYS).contains(&grace_days) {
        return Err(ServiceError::Invalid(format!(
            "the grace period is 0-{MAX_GRACE_DAYS} days"
        )));
    }
    let txn = crate::server::services::begin_write(db).await?;
    let old = api_tokens::Entity::find_by_id(token_id)
        .filter(Column::UserId.eq(user_id))
        .filter(Column::RevokedAt.is_null())
        .one(&*txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let options = TokenOptions {
        name: old.name.clone(),
        expires_at: old.expires_at,
        daily_limit: old.daily_limit,
        monthly_limit: old.monthly_limit,
        total_limit: old.total_limit,
        allowed_models: parse_list(old.allowed_models.as_deref()),
        allowed_ips: parse_list(old.allowed_ips.as_deref())
            .iter()
            .filter_map(|ip| ip.parse().ok())
            .collect(),
        billing_source: BillingSource::parse(&old.billing_source)
            .unwrap_or(BillingSource::TokenWallet),
    };
    let created = insert_token(&*txn, user_id, &options, now).await?;
    let retired = api_tokens::Entity::update_many()
        .col_expr(
            Column::RevokedAt,
            Expr::value(Some(now + Duration::days(grace_days))),
        )
        .col_expr(Column::ReplacedById, Expr::value(Some(created.row.id)))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(old.id))
        .filter(Column::RevokedAt.is_null())
        .exec(&*txn)
        .await?;
    if retired.rows_affected != 1 {
        return Err(ServiceError::NotFound);
    }
    super::proxy::catalog::bump(&*txn, now).await?;
    txn.commit().await?;
    Ok(created)
}

/// Compares two strings in time independent of where they differ.
fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0_u8, |diff, (x, y)| diff | (x ^ y))
            == 0
}

/// Checks a presented token (from `Authorization: Bearer` or `x-api-key`) for a request from
/// `client_ip`, recording its use.
pub async fn authenticate<C: ConnectionTrait>(
    db: &C,
    presented: &str,
    client_ip: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<Result<ApiCaller, Refusal>, ServiceError> {
    let Some((public_id, secret)) = split(presented) else {
        return Ok(Err(Refusal::Invalid));
    };
    let Some(known) = find(db, public_id).await? else {
        return Ok(Err(Refusal::Invalid));
    };
    check(db, &known, secret, client_ip, now).await
}

/// A presented token's public id and secret, if it is shaped like one of ours.
fn split(presented: &str) -> Option<(&str, &str)> {
    let (public_id, secret) = presented
        .trim()
        .strip_prefix(PREFIX)
        .and_then(|rest| rest.split_once('_'))?;
    (public_id.len() == 12 && secret.len() <= 64).then_some((public_id, secret))
}

/// A token row and whether its owner may use it.
#[derive(Clone, Debug)]
struct Known {
    token: api_tokens::Model,
    owner_active: bool,
}

async fn find<C: ConnectionTrait>(db: &C, public_id: &str) -> Result<Option<Known>, ServiceError> {
    // The owner comes in the same query: their suspension must stop the token at once.
    Ok(api_tokens::Entity::find()
        .filter(Column::PublicId.eq(public_id))
        .find_also_related(users::Entity)
        .one(db)
        .await?
        .map(|(token, owner)| Known {
            token,
            owner_active: owner.is_some_and(|user| user.suspended_at.is_none()),
        }))
}

/// The rules a found token must pass; records its use at most every [`TOUCH_EVERY`] (or when
/// the address changes).
async fn check<C: ConnectionTrait>(
    db: &C,
    known: &Known,
    secret: &str,
    client_ip: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<Result<ApiCaller, Refusal>, ServiceError> {
    let token = &known.token;
    if !constant_time_eq(&token.secret_hash, &sha256_hex(secret)) {
        return Ok(Err(Refusal::Invalid));
    }
    if token.revoked_at.is_some_and(|at| at <= now) {
        return Ok(Err(Refusal::Invalid));
    }
    if token.expires_at.is_some_and(|at| at <= now) {
        return Ok(Err(Refusal::Expired));
    }
    if !known.owner_active {
        return Ok(Err(Refusal::Suspended));
    }
    let allowed_ips: Vec<IpNet> = parse_list(token.allowed_ips.as_deref())
        .iter()
        .filter_map(|ip| ip.parse().ok())
        .collect();
    if !allowed_ips.is_empty()
        && !client_ip.is_some_and(|ip| allowed_ips.iter().any(|net| net.contains(&ip)))
    {
        return Ok(Err(Refusal::AddressNotAllowed));
    }
    if stale_use(token, client_ip, now) {
        api_tokens::Entity::update_many()
            .col_expr(Column::LastUsedAt, Expr::value(Some(now)))
            .col_expr(
                Column::LastUsedIp,
                Expr::value(client_ip.map(|ip| ip.to_string())),
            )
            .filter(Column::Id.eq(token.id))
            .exec(db)
            .await?;
    }
    Ok(Ok(ApiCaller {
        token_id: token.id,
        user_id: token.user_id,
        allowed_models: parse_list(token.allowed_models.as_deref()),
        billing_source: BillingSource::parse(&token.billing_source)
            .unwrap_or(BillingSource::TokenWallet),
        daily_limit: token.daily_limit,
        monthly_limit: token.monthly_limit,
        total_limit: token.total_limit,
    }))
}

/// Whether the token's recorded last use is old enough, or from another address, to rewrite.
fn stale_use(token: &api_tokens::Model, client_ip: Option<IpAddr>, now: DateTime<Utc>) -> bool {
    token.last_used_at.is_none_or(|at| now - at >= TOUCH_EVERY)
        || token.last_used_ip != client_ip.map(|ip| ip.to_string())
}

/// Tokens (with their owner's standing) the proxy already read, each tagged with the proxy
/// configuration version it was read at ([`super::proxy::catalog::bump`], which revocation,
/// rotation and suspension bump in the same transaction). A request reads that version anyway
/// for the catalogue; a token read at the same version is still exactly what the database
/// holds, so no request needs a second read, and a change is seen from the next request on.
#[derive(Default)]
pub struct TokenCache {
    known: std::sync::Mutex<Remembered>,
}

/// Each remembered token by public id, with the version it was read at; shared, not copied,
/// by the requests that use it.
type Remembered = std::collections::HashMap<String, (i64, std::sync::Arc<Known>)>;

/// Tokens remembered before the cache starts over.
const REMEMBERED_TOKENS: usize = 100_000;

impl TokenCache {
    /// [`authenticate`] at configuration `version`.
    pub async fn authenticate(
        &self,
        db: &DatabaseConnection,
        presented: &str,
        client_ip: Option<IpAddr>,
        now: DateTime<Utc>,
        version: i64,
    ) -> Result<Result<ApiCaller, Refusal>, ServiceError> {
        let Some((public_id, secret)) = split(presented) else {
            return Ok(Err(Refusal::Invalid));
        };
        let remembered = self
            .lock()
            .get(public_id)
            .filter(|(at, _)| *at == version)
            .map(|(_, known)| known.clone());
        let known = match remembered {
            Some(known) => known,
            None => {
                let Some(known) = find(db, public_id).await? else {
                    return Ok(Err(Refusal::Invalid));
                };
                let known = std::sync::Arc::new(known);
                let mut cache = self.lock();
                if cache.len() >= REMEMBERED_TOKENS {
                    cache.clear();
                }
                cache.insert(public_id.to_owned(), (version, known.clone()));
                known
            }
        };
        let touched = stale_use(&known.token, client_ip, now);
        let checked = check(db, &known, secret, client_ip, now).await?;
        if touched && checked.is_ok() {
            // The write is not a configuration change: remember it here, or every request
            // would repeat it.
            if let Some((_, known)) = self.lock().get_mut(public_id) {
                let known = std::sync::Arc::make_mut(known);
                known.token.last_used_at = Some(now);
                known.token.last_used_ip = client_ip.map(|ip| ip.to_string());
            }
        }
        Ok(checked)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Remembered> {
        self.known
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_comparison_agrees_with_equality() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }

    #[test]
    fn model_allow_lists_allow_everything_when_empty() {
        let mut caller = ApiCaller {
            token_id: 1,
            user_id: 1,
            allowed_models: Vec::new(),
            billing_source: BillingSource::TokenWallet,
            daily_limit: None,
            monthly_limit: None,
            total_limit: None,
        };
        assert!(caller.allows_model("claude-sonnet-4-5"));
        caller.allowed_models = vec!["gpt-5-codex".to_owned()];
        assert!(caller.allows_model("gpt-5-codex"));
        assert!(!caller.allows_model("claude-sonnet-4-5"));
    }
}
