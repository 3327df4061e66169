//! Upstream providers: where requests for each public model go, with their keys sealed at rest.
//!
//! An admin-entered base URL is an outbound request the server makes on someone's word, so it
//! is checked here (scheme, no credentials, no private or loopback address literal) and again
//! when connecting (the server's resolver refuses names that resolve to such addresses), unless
//! `proxy.allow_private_upstreams` is on. Redirects are never followed.

use super::super::secrets::{Keys, Sealed};
use super::super::ServiceError;
use chrono::{DateTime, Utc};
use entity::{provider_models, upstream_providers};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use secrecy::SecretString;
use std::net::IpAddr;

/// The wire protocol a provider speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Anthropic,
    OpenAi,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Anthropic => "anthropic",
            Protocol::OpenAi => "openai",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "anthropic" => Some(Protocol::Anthropic),
            "openai" => Some(Protocol::OpenAi),
            _ => None,
        }
    }
}

/// Whether connecting to `ip` could reach the server's own network rather than the internet.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                // 100.64.0.0/10, carrier-grade NAT (cloud metadata proxies live here too).
                || (v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            v6.is_loopback()
                || v6.is_unspecified()
                // fc00::/7 unique local, fe80::/10 link-local.
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
        }
    }
}

/// Checks an admin-entered base URL; returns it without a trailing slash.
pub fn check_base_url(raw: &str, allow_private: bool) -> Result<String, ServiceError> {
    let invalid = |why: &str| ServiceError::Invalid(format!("the base URL {why}"));
    let url = url::Url::parse(raw.trim()).map_err(|_| invalid("is not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("must start with https:// (or http://)"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "must not carry credentials: enter the key separately",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("must not have a query or fragment"));
    }
    let private_literal = match url.host() {
        None => return Err(invalid("needs a host")),
        Some(url::Host::Ipv4(v4)) => is_private(IpAddr::V4(v4)),
        Some(url::Host::Ipv6(v6)) => is_private(IpAddr::V6(v6)),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
    };
    if private_literal && !allow_private {
        return Err(invalid(
            "points at a private or loopback address, which is not allowed \
             (set proxy.allow_private_upstreams for a model server on your own network)",
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// A provider to add.
#[derive(Clone, Debug)]
pub struct NewProvider {
    pub name: String,
    pub protocol: Protocol,
    pub base_url: String,
    pub api_key: SecretString,
    pub priority: i32,
    pub weight: i32,
    /// (public model name, upstream model name); an empty upstream name means the same name.
    pub models: Vec<(String, String)>,
}

/// Adds an enabled provider and the models it serves.
pub async fn create(
    db: &DatabaseConnection,
    keys: &Keys,
    new: NewProvider,
    allow_private: bool,
    now: DateTime<Utc>,
) -> Result<upstream_providers::Model, ServiceError> {
    use secrecy::ExposeSecret as _;
    let name = new.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(ServiceError::Invalid(
            "the provider name must be 1-64 characters".to_owned(),
        ));
    }
    let base_url = check_base_url(&new.base_url, allow_private)?;
    let key = new.api_key.expose_secret().trim();
    if key.is_empty() || key.len() > 512 {
        return Err(ServiceError::Invalid(
            "the API key must be 1-512 characters".to_owned(),
        ));
    }
    if !(1..=1000).contains(&new.weight) {
        return Err(ServiceError::Invalid(
            "the weight must be 1-1000".to_owned(),
        ));
    }
    let mut models = Vec::new();
    for (public, upstream) in new.models {
        let public = public.trim().to_owned();
        let upstream = match upstream.trim() {
            "" => public.clone(),
            other => other.to_owned(),
        };
        let plain = |m: &str| {
            !m.is_empty()
                && m.len() <= 128
                && m.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-._:/@".contains(c))
        };
        if !plain(&public) || !plain(&upstream) {
            return Err(ServiceError::Invalid(format!(
                "'{public}' is not a model name (letters, digits and - . _ : / @)"
            )));
        }
        models.push((public, upstream));
    }
    if models.is_empty() {
        return Err(ServiceError::Invalid(
            "name at least one model the provider serves".to_owned(),
        ));
    }
    let sealed = keys
        .seal(Sealed::ProviderKey, key.as_bytes())
        .map_err(ServiceError::Internal)?;
    let last4: String = key
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let txn = crate::server::services::begin_write(db).await?;
    let provider = upstream_providers::Entity::insert(upstream_providers::ActiveModel {
        id: NotSet,
        name: Set(name),
        protocol: Set(new.protocol.as_str().to_owned()),
        base_url: Set(base_url),
        api_key_sealed: Set(sealed),
        api_key_last4: Set(last4),
        priority: Set(new.priority),
        weight: Set(new.weight),
        enabled: Set(true),
        consecutive_failures: Set(0),
        last_failure_at: Set(None),
        last_failure: Set(None),
        last_success_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(&*txn)
    .await?;
    provider_models::Entity::insert_many(models.into_iter().map(|(public, upstream)| {
        provider_models::ActiveModel {
            id: NotSet,
            provider_id: Set(provider.id),
            public_model: Set(public),
            upstream_model: Set(upstream),
            created_at: Set(now),
            updated_at: Set(now),
        }
    }))
    .exec(&*txn)
    .await?;
    super::catalog::bump(&*txn, now).await?;
    txn.commit().await?;
    Ok(provider)
}

/// Turns a provider on or off.
pub async fn set_enabled(
    db: &DatabaseConnection,
    provider_id: i64,
    enabled: bool,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let updated = upstream_providers::Entity::update_many()
        .col_expr(upstream_providers::Column::Enabled, Expr::value(enabled))
        .col_expr(upstream_providers::Column::UpdatedAt, Expr::value(now))
        .filter(upstream_providers::Column::Id.eq(provider_id))
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        return Err(ServiceError::NotFound);
    }
    super::catalog::bump(db, now).await
}

/// Every provider with the models it serves, by priority.
pub async fn list(
    db: &DatabaseConnection,
) -> Result<Vec<(upstream_providers::Model, Vec<provider_models::Model>)>, ServiceError> {
    let providers = upstream_providers::Entity::find()
        .order_by_asc(upstream_providers::Column::Priority)
        .order_by_asc(upstream_providers::Column::Id)
        .all(db)
        .await?;
    let models = provider_models::Entity::find()
        .order_by_asc(provider_models::Column::PublicModel)
        .all(db)
        .await?;
    Ok(providers
        .into_iter()
        .map(|provider| {
            let served = models
                .iter()
                .filter(|m| m.provider_id == provider.id)
                .cloned()
                .collect();
            (provider, served)
        })
        .collect())
}

/// Where one attempt can go: a provider, the upstream name of the model, and its key.
#[derive(Clone, Debug)]
pub struct Route {
    pub provider_id: i64,
    pub provider_name: String,
    pub protocol: Protocol,
    pub base_url: String,
    pub upstream_model: String,
    pub api_key: SecretString,
    /// Whether a success is news for the provider's health (it had failures, or its last
    /// recorded success is over a minute old); otherwise answering needs no write.
    pub success_is_news: bool,
}

/// Records how an attempt went, for the admin's health view. `failure` is a status or error
/// class (e.g. `status 529`, `connect`), never upstream text.
pub async fn record_outcome(
    db: &DatabaseConnection,
    provider_id: i64,
    failure: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    use upstream_providers::Column;
    let update = upstream_providers::Entity::update_many().filter(Column::Id.eq(provider_id));
    match failure {
        None => update
            .col_expr(Column::ConsecutiveFailures, Expr::value(0))
            .col_expr(Column::LastSuccessAt, Expr::value(Some(now))),
        Some(failure) => update
            .col_expr(
                Column::ConsecutiveFailures,
                Expr::col(Column::ConsecutiveFailures).add(1),
            )
            .col_expr(Column::LastFailureAt, Expr::value(Some(now)))
            .col_expr(Column::LastFailure, Expr::value(Some(failure.to_owned()))),
    }
    .exec(db)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_targets_are_refused_unless_allowed() {
        for url in [
            "http://127.0.0.1:8080",
            "http://localhost/v1",
            "http://10.1.2.3",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]:9000",
            "http://[::ffff:192.168.1.1]",
            "http://100.100.100.200",
        ] {
            assert!(check_base_url(url, false).is_err(), "{url}");
            assert!(check_base_url(url, true).is_ok(), "{url}");
        }
        assert!(check_base_url("ftp://example.com", true).is_err());
        assert!(check_base_url("https://user:pw@example.com", true).is_err());
        assert_eq!(
            check_base_url("https://api.anthropic.com/", false).unwrap(),
            "https://api.anthropic.com"
        );
    }
}
