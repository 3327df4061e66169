//! SeaORM entities, one module per table. They describe rows as stored; behaviour lives in the
//! services of `app::server`.

pub mod account_tokens;
pub mod api_tokens;
pub mod consent_records;
pub mod email_outbox;
pub mod ledger_accounts;
pub mod ledger_entries;
pub mod ledger_holds;
pub mod ledger_transactions;
pub mod model_prices;
pub mod pending_logins;
pub mod provider_models;
pub mod proxy_catalog;
pub mod rate_limit_counters;
pub mod recovery_codes;
pub mod redemption_batches;
pub mod redemption_codes;
pub mod redemptions;
pub mod security_events;
pub mod sessions;
pub mod token_holds;
pub mod token_spend;
pub mod upstream_providers;
pub mod usage_records;
pub mod users;

pub mod prelude {
    //! The entities under their conventional short names.
    pub use super::account_tokens::Entity as AccountTokens;
    pub use super::api_tokens::Entity as ApiTokens;
    pub use super::consent_records::Entity as ConsentRecords;
    pub use super::email_outbox::Entity as EmailOutbox;
    pub use super::ledger_accounts::Entity as LedgerAccounts;
    pub use super::ledger_entries::Entity as LedgerEntries;
    pub use super::ledger_holds::Entity as LedgerHolds;
    pub use super::ledger_transactions::Entity as LedgerTransactions;
    pub use super::model_prices::Entity as ModelPrices;
    pub use super::pending_logins::Entity as PendingLogins;
    pub use super::provider_models::Entity as ProviderModels;
    pub use super::proxy_catalog::Entity as ProxyCatalog;
    pub use super::rate_limit_counters::Entity as RateLimitCounters;
    pub use super::recovery_codes::Entity as RecoveryCodes;
    pub use super::redemption_batches::Entity as RedemptionBatches;
    pub use super::redemption_codes::Entity as RedemptionCodes;
    pub use super::redemptions::Entity as Redemptions;
    pub use super::security_events::Entity as SecurityEvents;
    pub use super::sessions::Entity as Sessions;
    pub use super::token_holds::Entity as TokenHolds;
    pub use super::token_spend::Entity as TokenSpend;
    pub use super::upstream_providers::Entity as UpstreamProviders;
    pub use super::usage_records::Entity as UsageRecords;
    pub use super::users::Entity as Users;
}
