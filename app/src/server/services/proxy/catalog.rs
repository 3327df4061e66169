//! What the proxy needs to know about every request's model, kept in memory: price histories
//! and the enabled providers with their (decrypted) keys and model names.
//!
//! Reading them from the database on every request cost several statements each; they change
//! only when staff edit them. Every such change bumps one version number in the database
//! ([`bump`]), and each request reads that number (one indexed read) and reloads the catalogue
//! only when it moved, so a price set on one replica is in force on all of them from the next
//! request on: each request is still billed at the price in force when it started. Provider
//! health (failure counts) changes without a bump and is reloaded in the background once the
//! copy in memory is older than [`HEALTH_REFRESH`].
//! The same version guards the proxy's remembered API tokens
//! ([`crate::server::services::api_tokens::TokenCache`]): revoking or rotating a token and
//! suspending an account bump it too.

use super::super::secrets::{Keys, Sealed};
use super::super::ServiceError;
use super::fresh_read::FreshRead;
use super::providers::{Protocol, Route};
use crate::pricing::PriceSheet;
use chrono::{DateTime, Utc};
use entity::{model_prices, provider_models, proxy_catalog, upstream_providers};
use rand::Rng as _;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::ActiveValue::Set;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, QueryOrder};
use secrecy::SecretString;
use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

/// How old the in-memory provider health may get before the catalogue is read again.
pub const HEALTH_REFRESH: Duration = Duration::from_secs(5);

/// How stale a provider's recorded last success may get before a success is written again.
const SUCCESS_RECORDED_EVERY: chrono::Duration = chrono::Duration::minutes(1);

/// One enabled provider as the proxy routes to it.
#[derive(Clone, Debug)]
struct Provider {
    id: i64,
    name: String,
    protocol: Protocol,
    base_url: String,
    key: SecretString,
    priority: i32,
    weight: i32,
    consecutive_failures: i32,
    last_success_at: Option<DateTime<Utc>>,
    /// (public name, upstream name) of each model it serves.
    models: Vec<(String, String)>,
}

/// A snapshot of prices and providers at one catalogue version.
#[derive(Debug)]
pub struct Catalog {
    version: i64,
    loaded_at: Instant,
    /// Each model's prices with the moment they took effect, newest first.
    prices: HashMap<String, Vec<(DateTime<Utc>, PriceSheet)>>,
    providers: Vec<Provider>,
}

impl Catalog {
    fn empty() -> Self {
        Self {
            version: -1,
            loaded_at: Instant::now(),
            prices: HashMap::new(),
            providers: Vec::new(),
        }
    }

    /// The price of `model` in force at `at`, if it has one.
    pub fn price_at(&self, model: &str, at: DateTime<Utc>) -> Option<PriceSheet> {
        self.prices
            .get(model)?
            .iter()
            .find(|(from, _)| *from <= at)
            .map(|(_, sheet)| *sheet)
    }

    /// The providers speaking `protocol` that serve `public_model`, in the order to try them:
    /// by priority, and within one priority a weighted random order.
    pub fn routes(&self, public_model: &str, protocol: Protocol, now: DateTime<Utc>) -> Vec<Route> {
        let mut rng = rand::rng();
        let mut weighted: Vec<(i32, f64, Route)> = self
            .providers
            .iter()
            .filter(|provider| provider.protocol == protocol)
            .filter_map(|provider| {
                let (_, upstream) = provider.models.iter().find(|(p, _)| p == public_model)?;
                // Efraimidis–Spirakis: sorting by u^(1/w) draws a weighted order in one pass.
                let draw = rng
                    .random::<f64>()
                    .powf(1.0 / f64::from(std::cmp::max(provider.weight, 1)));
                let route = Route {
                    provider_id: provider.id,
                    provider_name: provider.name.clone(),
                    protocol,
                    base_url: provider.base_url.clone(),
                    upstream_model: upstream.clone(),
                    api_key: provider.key.clone(),
                    success_is_news: provider.consecutive_failures != 0
                        || provider
                            .last_success_at
                            .is_none_or(|at| now - at >= SUCCESS_RECORDED_EVERY),
                };
                Some((provider.priority, draw, route))
            })
            .collect();
        weighted.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
        weighted.into_iter().map(|(_, _, route)| route).collect()
    }

    /// The public models that have a price at `now` and an enabled provider, sorted.
    pub fn offered_models(&self, now: DateTime<Utc>) -> Vec<String> {
        let mut models: Vec<String> = self
            .providers
            .iter()
            .flat_map(|provider| provider.models.iter().map(|(public, _)| public))
            .filter(|model| self.price_at(model, now).is_some())
            .cloned()
            .collect();
        models.sort();
        models.dedup();
        models
    }
}

/// The catalogue shared by one process's requests.
pub struct CatalogCache {
    current: RwLock<Arc<Catalog>>,
    /// One reload at a time: requests arriving meanwhile wait for it instead of repeating it.
    reloading: Arc<tokio::sync::Mutex<()>>,
    /// Version reads shared by the requests that arrive while one is running.
    version: FreshRead,
}

impl Default for CatalogCache {
    fn default() -> Self {
        Self {
            current: RwLock::new(Arc::new(Catalog::empty())),
            reloading: Arc::default(),
            version: FreshRead::default(),
        }
    }
}

impl CatalogCache {
    /// The configuration version as of a read that began after this call: every change
    /// committed before it is covered.
    pub async fn version<C: ConnectionTrait>(&self, db: &C) -> Result<i64, ServiceError> {
        self.version.get(|| version(db)).await
    }

    /// Version reads made by this process.
    pub fn version_reads(&self) -> u64 {
        self.version.reads()
    }

    fn snapshot(&self) -> Arc<Catalog> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The catalogue at `version` (read by the caller): the copy in memory while its version
    /// is current, else a new one. A copy whose provider health is older than
    /// [`HEALTH_REFRESH`] is still served (its prices and providers are current) while a fresh
    /// one loads in the background, so no request waits for a health refresh.
    pub async fn current_at(
        self: &Arc<Self>,
        db: &DatabaseConnection,
        keys: &Keys,
        version: i64,
    ) -> Result<Arc<Catalog>, ServiceError> {
        let snapshot = self.snapshot();
        if snapshot.version == version {
            if snapshot.loaded_at.elapsed() >= HEALTH_REFRESH {
                self.refresh_health(db, keys, version);
            }
            return Ok(snapshot);
        }
        let _one_at_a_time = self.reloading.lock().await;
        let snapshot = self.snapshot();
        if snapshot.version == version {
            return Ok(snapshot);
        }
        // Read after the version: a change landing in between makes the next request reload
        // again, never keeps a newer version's data marked as current by mistake.
        let loaded = Arc::new(load(db, keys, version).await?);
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = loaded.clone();
        Ok(loaded)
    }

    /// Reloads the catalogue at `version` in the background, unless a reload is under way.
    fn refresh_health(self: &Arc<Self>, db: &DatabaseConnection, keys: &Keys, version: i64) {
        let Ok(turn) = self.reloading.clone().try_lock_owned() else {
            return;
        };
        let (cache, db, keys) = (self.clone(), db.clone(), keys.clone());
        tokio::spawn(async move {
            let _turn = turn;
            match load(&db, &keys, version).await {
                Ok(loaded) => {
                    let mut current = cache
                        .current
                        .write()
                        .unwrap_or_else(PoisonError::into_inner);
                    // A request may have loaded a newer version meanwhile.
                    if current.version == version {
                        *current = Arc::new(loaded);
                    }
                }
                Err(error) => tracing::warn!(%error, "provider health not refreshed"),
            }
        });
    }
}

/// The proxy configuration version: read once per request, before what it guards.
pub async fn version<C: ConnectionTrait>(db: &C) -> Result<i64, ServiceError> {
    Ok(proxy_catalog::Entity::find_by_id(1)
        .one(db)
        .await?
        .map_or(0, |row| row.version))
}

/// Marks prices, providers, tokens or an account's standing as changed; call it in the same
/// transaction as the change.
pub async fn bump<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> Result<(), ServiceError> {
    use proxy_catalog::Column;
    proxy_catalog::Entity::insert(proxy_catalog::ActiveModel {
        id: Set(1),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(Column::Id)
            .value(
                Column::Version,
                Expr::col((proxy_catalog::Entity, Column::Version)).add(1),
            )
            .value(Column::UpdatedAt, Expr::value(now))
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

async fn load<C: ConnectionTrait>(
    db: &C,
    keys: &Keys,
    version: i64,
) -> Result<Catalog, ServiceError> {
    let mut prices: HashMap<String, Vec<(DateTime<Utc>, PriceSheet)>> = HashMap::new();
    for row in model_prices::Entity::find()
        .order_by_desc(model_prices::Column::EffectiveFrom)
        .order_by_desc(model_prices::Column::Id)
        .all(db)
        .await?
    {
        let sheet = super::super::pricing::sheet_of(&row);
        prices
            .entry(row.model)
            .or_default()
            .push((row.effective_from, sheet));
    }
    let served = provider_models::Entity::find()
        .order_by_asc(provider_models::Column::Id)
        .all(db)
        .await?;
    let mut providers = Vec::new();
    for provider in upstream_providers::Entity::find()
        .order_by_asc(upstream_providers::Column::Id)
        .all(db)
        .await?
    {
        let Some(protocol) = Protocol::parse(&provider.protocol) else {
            continue;
        };
        if !provider.enabled {
            continue;
        }
        let Some(key) = keys
            .open(Sealed::ProviderKey, &provider.api_key_sealed)
            .and_then(|bytes| String::from_utf8(bytes).ok())
        else {
            tracing::error!(provider = %provider.name, "provider key unreadable: was security.secret_key changed?");
            continue;
        };
        providers.push(Provider {
            id: provider.id,
            protocol,
            base_url: provider.base_url,
            key: SecretString::from(key),
            priority: provider.priority,
            weight: provider.weight,
            consecutive_failures: provider.consecutive_failures,
            last_success_at: provider.last_success_at,
            models: served
                .iter()
                .filter(|m| m.provider_id == provider.id)
                .map(|m| (m.public_model.clone(), m.upstream_model.clone()))
                .collect(),
            name: provider.name,
        });
    }
    Ok(Catalog {
        version,
        loaded_at: Instant::now(),
        prices,
        providers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn sheet(input: i64) -> PriceSheet {
        PriceSheet {
            input,
            ..PriceSheet::default()
        }
    }

    fn provider(id: i64, priority: i32, protocol: Protocol, models: &[(&str, &str)]) -> Provider {
        Provider {
            id,
            name: format!("p{id}"),
            protocol,
            base_url: format!("https://p{id}.example"),
            key: SecretString::from(format!("key-{id}")),
            priority,
            weight: 1,
            consecutive_failures: 0,
            last_success_at: None,
            models: models
                .iter()
                .map(|(p, u)| ((*p).to_owned(), (*u).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn the_price_in_force_is_the_newest_that_started_by_then() {
        let at = |h| Utc.with_ymd_and_hms(2026, 11, 28, h, 0, 0).unwrap();
        let mut catalog = Catalog::empty();
        catalog.prices.insert(
            "m".to_owned(),
            vec![(at(12), sheet(3)), (at(10), sheet(2)), (at(8), sheet(1))],
        );
        assert_eq!(catalog.price_at("m", at(7)), None);
        assert_eq!(catalog.price_at("m", at(8)), Some(sheet(1)));
        assert_eq!(catalog.price_at("m", at(11)), Some(sheet(2)));
        assert_eq!(catalog.price_at("m", at(12)), Some(sheet(3)));
        assert_eq!(catalog.price_at("other", at(12)), None);
    }

    #[test]
    fn routes_follow_priority_protocol_and_model_names() {
        let mut catalog = Catalog::empty();
        catalog.providers = vec![
            provider(1, 5, Protocol::Anthropic, &[("claude", "claude-upstream")]),
            provider(2, 1, Protocol::Anthropic, &[("claude", "claude")]),
            provider(3, 0, Protocol::OpenAi, &[("claude", "claude")]),
            provider(4, 0, Protocol::Anthropic, &[("other", "other")]),
        ];
        let routes = catalog.routes("claude", Protocol::Anthropic, Utc::now());
        let order: Vec<(i64, &str)> = routes
            .iter()
            .map(|r| (r.provider_id, r.upstream_model.as_str()))
            .collect();
        assert_eq!(order, [(2, "claude"), (1, "claude-upstream")]);
        assert!(routes.iter().all(|r| r.success_is_news));
        assert!(catalog
            .routes("nothing", Protocol::Anthropic, Utc::now())
            .is_empty());
    }

    #[test]
    fn offered_models_need_a_price_and_a_provider() {
        let mut catalog = Catalog::empty();
        let past = Utc::now() - chrono::Duration::hours(1);
        let future = Utc::now() + chrono::Duration::hours(1);
        catalog
            .prices
            .insert("a".to_owned(), vec![(past, sheet(1))]);
        catalog
            .prices
            .insert("b".to_owned(), vec![(future, sheet(1))]);
        catalog
            .prices
            .insert("c".to_owned(), vec![(past, sheet(1))]);
        catalog.providers = vec![
            provider(1, 0, Protocol::Anthropic, &[("a", "a"), ("b", "b")]),
            provider(2, 0, Protocol::OpenAi, &[("a", "a")]),
        ];
        assert_eq!(catalog.offered_models(Utc::now()), ["a"]);
    }
}
