//! Business rules. Services take a connection (or transaction) and plain inputs, create ids and
//! timestamps, and return domain values or a [`ServiceError`].

pub mod account_tokens;
pub mod accounts;
pub mod admin_users;
pub mod api_tokens;
pub mod audit;
pub mod consent;
pub mod email;
pub mod error;
pub mod exports;
pub mod ledger;
pub mod legal;
pub mod passwords;
pub mod pricing;
pub mod proxy;
pub mod rate_limit;
pub mod redemption;
pub mod secrets;
pub mod sessions;
pub mod throttle;
pub mod two_factor;
pub mod users;
pub mod wallets;

pub use error::ServiceError;

/// Starts a transaction that will write. On SQLite it takes the write lock at `BEGIN`
/// (IMMEDIATE): a deferred transaction that reads first and writes later fails at once with
/// "database is locked" when another connection wrote in between, where this one waits its
/// turn (busy timeout). PostgreSQL ignores the mode.
pub async fn begin_write(
    db: &sea_orm::DatabaseConnection,
) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
    use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait as _};
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}
