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

/// A write transaction. On SQLite it also holds this process's turn to write: SQLite has one
/// writer at a time, and connections waiting in its busy handler sleep in steps of a
/// millisecond or more, which under load costs more than the writes themselves; waiting for the
/// turn here wakes the next writer the moment the last one finishes. Derefs to the transaction.
pub struct WriteTransaction {
    txn: sea_orm::DatabaseTransaction,
    _turn: Option<tokio::sync::MutexGuard<'static, ()>>,
}

impl std::ops::Deref for WriteTransaction {
    type Target = sea_orm::DatabaseTransaction;

    fn deref(&self) -> &Self::Target {
        &self.txn
    }
}

impl WriteTransaction {
    pub async fn commit(self) -> Result<(), sea_orm::DbErr> {
        self.txn.commit().await
    }
}

/// One writer at a time per process on SQLite (other processes still meet SQLite's own lock).
static SQLITE_WRITE_TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Starts a transaction that will write. On SQLite it waits for this process's write turn and
/// takes the write lock at `BEGIN` (IMMEDIATE): a deferred transaction that reads first and
/// writes later fails at once with "database is locked" when another connection wrote in
/// between, where this one waits its turn. Never start one while holding another.
pub async fn begin_write(
    db: &sea_orm::DatabaseConnection,
) -> Result<WriteTransaction, sea_orm::DbErr> {
    use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait as _};
    let turn = match db.get_database_backend() {
        sea_orm::DbBackend::Sqlite => Some(SQLITE_WRITE_TURN.lock().await),
        _ => None,
    };
    let txn = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        })
        .await?;
    Ok(WriteTransaction { txn, _turn: turn })
}
