//! Schema migrations. Applied migrations are never edited: a change is a new file.
//!
//! Migrations are written as SQL, once for both backends (column types are tokens expanded per
//! backend, see `sql::run`), rather than with the schema builder: every constraint must carry a
//! name (so errors can be mapped by name), and the builder cannot name check constraints or
//! build expression indexes portably.

pub use sea_orm_migration::prelude::*;

mod m20261127_000001_create_users;
mod m20261127_000002_create_consent_records;
mod m20261127_000003_create_model_prices;
mod m20261127_000004_create_email_outbox;
mod m20261127_000005_create_sessions;
mod m20261127_000006_create_security_events;
mod m20261127_000007_create_rate_limit_counters;
mod m20261127_000008_create_account_tokens;
mod m20261127_000009_create_two_factor;
mod m20261127_000010_create_ledger;
mod m20261127_000011_create_redemption_codes;
mod m20261127_000012_create_api_tokens;
mod m20261128_000013_create_proxy;
mod m20261128_000014_create_proxy_catalog;
mod m20261128_000015_add_usage_failovers;
mod sql;

/// Every migration of the project, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_create_users::Migration),
            Box::new(m20261127_000002_create_consent_records::Migration),
            Box::new(m20261127_000003_create_model_prices::Migration),
            Box::new(m20261127_000004_create_email_outbox::Migration),
            Box::new(m20261127_000005_create_sessions::Migration),
            Box::new(m20261127_000006_create_security_events::Migration),
            Box::new(m20261127_000007_create_rate_limit_counters::Migration),
            Box::new(m20261127_000008_create_account_tokens::Migration),
            Box::new(m20261127_000009_create_two_factor::Migration),
            Box::new(m20261127_000010_create_ledger::Migration),
            Box::new(m20261127_000011_create_redemption_codes::Migration),
            Box::new(m20261127_000012_create_api_tokens::Migration),
            Box::new(m20261128_000013_create_proxy::Migration),
            Box::new(m20261128_000014_create_proxy_catalog::Migration),
            Box::new(m20261128_000015_add_usage_failovers::Migration),
        ]
    }
}
