//! The double-entry ledger every movement of money goes through.
//!
//! Amounts are `i64` micro-units (1 USD = 1,000,000); nothing here uses floating point. A
//! transaction has at least two entries summing to zero and a unique idempotency key, so a
//! retried request finds the first transaction instead of moving money twice. Entries are only
//! ever inserted; a correction is a reversing transaction. Each account's cached balance changes
//! in the same database transaction as its entries, by conditional updates that hold under
//! concurrency across server processes (PostgreSQL re-checks the condition on the locked row;
//! SQLite has one writer at a time).
//!
//! Holds are two-phase: `reserve` lowers what is available only if enough is, `settle` posts the
//! actual amount and releases the hold, `void` releases it. Each is idempotent.

mod invariants;

pub use invariants::check_invariants;

use super::ServiceError;
use crate::money::decimal_micros;
use chrono::{DateTime, Utc};
use entity::{ledger_accounts, ledger_entries, ledger_holds, ledger_transactions};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::BTreeSet;

/// A user's accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WalletKind {
    /// Prepaid API credit; spent by usage, never paid out.
    Token,
    /// Money owed to the customer (commissions, refunds); spendable or paid out by an admin.
    Cash,
    /// A subscription's included usage.
    SubscriptionAllowance,
}

impl WalletKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WalletKind::Token => "token_wallet",
            WalletKind::Cash => "cash_wallet",
            WalletKind::SubscriptionAllowance => "subscription_allowance",
        }
    }
}

/// The platform's own accounts: the other side of customer balances.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SystemAccount {
    PaymentsClearing,
    Revenue,
    Promotions,
    ReferralExpense,
    Refunds,
    Adjustments,
    Payouts,
}

impl SystemAccount {
    pub fn code(self) -> &'static str {
        match self {
            SystemAccount::PaymentsClearing => "payments_clearing",
            SystemAccount::Revenue => "revenue",
            SystemAccount::Promotions => "promotions",
            SystemAccount::ReferralExpense => "referral_expense",
            SystemAccount::Refunds => "refunds",
            SystemAccount::Adjustments => "adjustments",
            SystemAccount::Payouts => "payouts",
        }
    }
}

/// One side of a transaction: `amount` raises (positive) or lowers (negative) the account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Posting {
    pub account_id: i64,
    pub amount: i64,
}

/// A transaction to post.
#[derive(Clone, Debug)]
pub struct NewTransaction {
    pub idempotency_key: String,
    pub kind: &'static str,
    pub reference: Option<String>,
    pub memo: String,
    pub actor_user_id: Option<i64>,
    pub postings: Vec<Posting>,
}

/// The result of posting: a new transaction, or the one an earlier request with the same key
/// already made (nothing moved this time).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Posted {
    New(i64),
    Existing(i64),
}

impl Posted {
    pub fn id(self) -> i64 {
        match self {
            Posted::New(id) | Posted::Existing(id) => id,
        }
    }
}

/// An account's money: `available` = `posted` − `held`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Balance {
    pub posted: i64,
    pub held: i64,
    pub available: i64,
}

/// Why money could not move.
fn insufficient() -> ServiceError {
    ServiceError::Forbidden("the balance is too low for this".to_owned())
}

/// The user's account of `kind`, created (empty) on first use.
pub async fn user_account<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    kind: WalletKind,
    now: DateTime<Utc>,
) -> Result<ledger_accounts::Model, ServiceError> {
    let find = || {
        ledger_accounts::Entity::find()
            .filter(ledger_accounts::Column::UserId.eq(user_id))
            .filter(ledger_accounts::Column::Kind.eq(kind.as_str()))
    };
    if let Some(found) = find().one(db).await? {
        return Ok(found);
    }
    insert_account(db, Some(user_id), kind.as_str(), None, now).await?;
    find().one(db).await?.ok_or(ServiceError::NotFound)
}

/// The system account, created on first use.
pub async fn system_account<C: ConnectionTrait>(
    db: &C,
    account: SystemAccount,
    now: DateTime<Utc>,
) -> Result<ledger_accounts::Model, ServiceError> {
    let find = || {
        ledger_accounts::Entity::find()
            .filter(ledger_accounts::Column::SystemCode.eq(account.code()))
    };
    if let Some(found) = find().one(db).await? {
        return Ok(found);
    }
    insert_account(db, None, "system", Some(account.code()), now).await?;
    find().one(db).await?.ok_or(ServiceError::NotFound)
}

/// Inserts an account unless a concurrent request just did.
async fn insert_account<C: ConnectionTrait>(
    db: &C,
    user_id: Option<i64>,
    kind: &str,
    system_code: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let row = ledger_accounts::ActiveModel {
        id: NotSet,
        user_id: Set(user_id),
        kind: Set(kind.to_owned()),
        system_code: Set(system_code.map(str::to_owned)),
        posted_balance: Set(0),
        held_balance: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let insert = ledger_accounts::Entity::insert(row);
    if user_id.is_some() {
        insert
            .on_conflict_do_nothing_on([
                ledger_accounts::Column::UserId,
                ledger_accounts::Column::Kind,
            ])
            .exec(db)
            .await?;
    } else {
        insert
            .on_conflict_do_nothing_on([ledger_accounts::Column::SystemCode])
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Checks the shape of a transaction before anything is written.
fn validate(tx: &NewTransaction) -> Result<(), ServiceError> {
    if tx.idempotency_key.is_empty() || tx.idempotency_key.len() > 200 {
        return Err(ServiceError::Invalid(
            "an idempotency key of 1-200 characters is required".to_owned(),
        ));
    }
    if tx.postings.len() < 2 {
        return Err(ServiceError::Internal(format!(
            "transaction {} has fewer than two entries",
            tx.idempotency_key
        )));
    }
    let mut sum: i64 = 0;
    for posting in &tx.postings {
        if posting.amount == 0 {
            return Err(ServiceError::Internal("a zero entry".to_owned()));
        }
        sum = sum
            .checked_add(posting.amount)
            .ok_or_else(|| ServiceError::Invalid("the amount is too large".to_owned()))?;
    }
    if sum != 0 {
        return Err(ServiceError::Internal(format!(
            "transaction {} does not balance (sum {sum})",
            tx.idempotency_key
        )));
    }
    Ok(())
}

/// Posts a transaction. A customer account may not end below zero available (posted minus
/// held) because of it; system accounts may. Retrying with the same idempotency key returns
/// the first transaction and moves nothing.
pub async fn post(db: &DatabaseConnection, tx: NewTransaction) -> Result<Posted, ServiceError> {
    validate(&tx)?;
    if let Some(existing) = find_transaction(db, &tx.idempotency_key).await? {
        return Ok(Posted::Existing(existing));
    }
    let txn = crate::server::services::begin_write(db).await?;
    match post_in(&txn, &tx, Utc::now()).await {
        Ok(id) => {
            txn.commit().await?;
            Ok(Posted::New(id))
        }
        Err(ServiceError::Conflict { constraint })
            if constraint.contains("idempotency_key")
                || constraint.contains("ledger_transactions") =>
        {
            // A concurrent request with the same key committed first.
            drop(txn);
            find_transaction(db, &tx.idempotency_key)
                .await?
                .map(Posted::Existing)
                .ok_or(ServiceError::Conflict { constraint })
        }
        Err(other) => Err(other),
    }
}

/// Posts a transaction inside the caller's database transaction, for operations that must
/// commit together with other writes (a redemption and its counter). A repeated idempotency key
/// fails with [`ServiceError::Conflict`]; the caller's transaction then rolls back.
pub async fn post_within(
    txn: &DatabaseTransaction,
    tx: &NewTransaction,
    now: DateTime<Utc>,
) -> Result<i64, ServiceError> {
    validate(tx)?;
    post_in(txn, tx, now).await
}

async fn find_transaction<C: ConnectionTrait>(
    db: &C,
    key: &str,
) -> Result<Option<i64>, ServiceError> {
    Ok(ledger_transactions::Entity::find()
        .filter(ledger_transactions::Column::IdempotencyKey.eq(key))
        .one(db)
        .await?
        .map(|t| t.id))
}

/// Whether a posting may take a customer account below zero available.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Overdraft {
    /// Ordinary movements: never.
    Refuse,
    /// Settling a hold: the money was reserved, and any excess is owed for work already done.
    Allow,
}

/// Writes a validated transaction inside the caller's database transaction.
async fn post_in(
    txn: &DatabaseTransaction,
    tx: &NewTransaction,
    now: DateTime<Utc>,
) -> Result<i64, ServiceError> {
    write_transaction(txn, tx, Overdraft::Refuse, now).await
}

async fn write_transaction(
    txn: &DatabaseTransaction,
    tx: &NewTransaction,
    overdraft: Overdraft,
    now: DateTime<Utc>,
) -> Result<i64, ServiceError> {
    let inserted = ledger_transactions::Entity::insert(ledger_transactions::ActiveModel {
        id: NotSet,
        idempotency_key: Set(tx.idempotency_key.clone()),
        kind: Set(tx.kind.to_owned()),
        reference: Set(tx.reference.clone()),
        memo: Set(tx.memo.clone()),
        actor_user_id: Set(tx.actor_user_id),
        reverses_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(txn)
    .await?;
    let transaction_id = inserted.last_insert_id;
    // A fixed lock order (by account id) keeps concurrent transfers from deadlocking.
    let mut postings = tx.postings.clone();
    postings.sort_by_key(|p| p.account_id);
    for posting in &postings {
        apply(txn, posting, overdraft, now).await?;
    }
    ledger_entries::Entity::insert_many(postings.iter().map(|posting| {
        ledger_entries::ActiveModel {
            id: NotSet,
            transaction_id: Set(transaction_id),
            account_id: Set(posting.account_id),
            amount: Set(posting.amount),
            created_at: Set(now),
            updated_at: Set(now),
        }
    }))
    .exec(txn)
    .await?;
    Ok(transaction_id)
}

/// Moves one account's posted balance; a debit of a customer account must leave its available
/// balance at zero or more, checked in the same statement.
async fn apply(
    txn: &DatabaseTransaction,
    posting: &Posting,
    overdraft: Overdraft,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    use ledger_accounts::Column;
    let mut update = ledger_accounts::Entity::update_many()
        .col_expr(
            Column::PostedBalance,
            Expr::col(Column::PostedBalance).add(posting.amount),
        )
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(posting.account_id));
    if posting.amount < 0 && overdraft == Overdraft::Refuse {
        update = update.filter(
            Expr::col(Column::Kind)
                .eq("system")
                .or(Expr::col(Column::PostedBalance)
                    .sub(Expr::col(Column::HeldBalance))
                    .add(posting.amount)
                    .gte(0)),
        );
    }
    if update.exec(txn).await?.rows_affected != 1 {
        return Err(refused(txn, posting).await);
    }
    Ok(())
}

/// Why `posting`, a debit, was refused, in figures a customer or an admin can act on. Money
/// held for API requests in progress is named apart: it comes back within seconds of their end
/// (a credit line shortly after its last request), so trying again shortly may succeed.
async fn refused(txn: &DatabaseTransaction, posting: &Posting) -> ServiceError {
    let Ok(Some(account)) = ledger_accounts::Entity::find_by_id(posting.account_id)
        .one(txn)
        .await
    else {
        return insufficient();
    };
    let asked = decimal_micros(posting.amount.saturating_neg());
    let available = decimal_micros(account.posted_balance - account.held_balance);
    let message = if account.held_balance > 0 && account.posted_balance + posting.amount >= 0 {
        format!(
            "the balance is too low for this: {asked} asked, {available} available, because \
             {} is held for API requests in progress; it is released as they end, so try again \
             shortly",
            decimal_micros(account.held_balance)
        )
    } else {
        format!("the balance is too low for this: {asked} asked, {available} available")
    };
    ServiceError::Forbidden(message)
}

/// The account's balances.
pub async fn balance<C: ConnectionTrait>(db: &C, account_id: i64) -> Result<Balance, ServiceError> {
    let account = ledger_accounts::Entity::find_by_id(account_id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(Balance {
        posted: account.posted_balance,
        held: account.held_balance,
        available: account.posted_balance - account.held_balance,
    })
}

/// A hold to place.
#[derive(Clone, Debug)]
pub struct NewHold {
    pub account_id: i64,
    pub amount: i64,
    pub idempotency_key: String,
    pub reference: Option<String>,
    pub expires_at: DateTime<Utc>,
}

/// Reserves `amount` on the account if that much is available, in one conditional statement;
/// a negative available balance blocks every new hold. The same idempotency key returns the
/// existing hold.
pub async fn reserve(
    db: &DatabaseConnection,
    hold: NewHold,
) -> Result<ledger_holds::Model, ServiceError> {
    if let Some(existing) = find_hold(db, &hold.idempotency_key).await? {
        return Ok(existing);
    }
    let txn = crate::server::services::begin_write(db).await?;
    match reserve_within(&txn, &hold, Utc::now()).await {
        Ok(row) => {
            txn.commit().await?;
            Ok(row)
        }
        Err(ServiceError::Conflict { .. }) => {
            drop(txn);
            find_hold(db, &hold.idempotency_key)
                .await?
                .ok_or(ServiceError::NotFound)
        }
        Err(other) => Err(other),
    }
}

/// [`reserve`] inside the caller's transaction (which commits or drops it). A repeated
/// idempotency key is a `Conflict`; too little available money is `Forbidden`.
pub async fn reserve_within(
    txn: &DatabaseTransaction,
    hold: &NewHold,
    now: DateTime<Utc>,
) -> Result<ledger_holds::Model, ServiceError> {
    if hold.amount <= 0 {
        return Err(ServiceError::Invalid("a hold must be positive".to_owned()));
    }
    use ledger_accounts::Column;
    let reserved = ledger_accounts::Entity::update_many()
        .col_expr(
            Column::HeldBalance,
            Expr::col(Column::HeldBalance).add(hold.amount),
        )
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(hold.account_id))
        .filter(
            Expr::col(Column::PostedBalance)
                .sub(Expr::col(Column::HeldBalance))
                .gte(hold.amount),
        )
        .exec(txn)
        .await?;
    if reserved.rows_affected != 1 {
        return Err(insufficient());
    }
    Ok(ledger_holds::Entity::insert(ledger_holds::ActiveModel {
        id: NotSet,
        account_id: Set(hold.account_id),
        amount: Set(hold.amount),
        status: Set("pending".to_owned()),
        idempotency_key: Set(hold.idempotency_key.clone()),
        reference: Set(hold.reference.clone()),
        expires_at: Set(hold.expires_at),
        settled_amount: Set(None),
        transaction_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(txn)
    .await?)
}

async fn find_hold<C: ConnectionTrait>(
    db: &C,
    key: &str,
) -> Result<Option<ledger_holds::Model>, ServiceError> {
    Ok(ledger_holds::Entity::find()
        .filter(ledger_holds::Column::IdempotencyKey.eq(key))
        .one(db)
        .await?)
}

/// Locks the ledger accounts `ids` for the rest of the transaction, in id order, and returns
/// them in that order.
///
/// Every writer that locks more than one row takes its accounts first and in this one order,
/// before holds and spend counters, so no two of them wait on each other in a cycle (on
/// PostgreSQL; SQLite's single write lock covers everything anyway).
pub async fn lock_accounts(
    txn: &DatabaseTransaction,
    ids: impl IntoIterator<Item = i64>,
) -> Result<Vec<ledger_accounts::Model>, ServiceError> {
    let ids: BTreeSet<i64> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(ledger_accounts::Entity::find()
        .filter(ledger_accounts::Column::Id.is_in(ids))
        .order_by_asc(ledger_accounts::Column::Id)
        .lock_exclusive()
        .all(txn)
        .await?)
}

/// Ends a pending hold: marks it, and releases its amount from the account's held balance.
/// Its account and `also_locking` (the account a settlement pays) are locked first, as
/// [`lock_accounts`] says. Returns the hold as it was, or None when it was no longer pending.
async fn close_hold(
    txn: &DatabaseTransaction,
    hold_id: i64,
    status: &str,
    settled_amount: Option<i64>,
    also_locking: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Option<ledger_holds::Model>, ServiceError> {
    // A hold's account never changes, so it can be read before anything is locked.
    let Some(account_id) = ledger_holds::Entity::find_by_id(hold_id)
        .select_only()
        .column(ledger_holds::Column::AccountId)
        .into_tuple::<i64>()
        .one(txn)
        .await?
    else {
        return Ok(None);
    };
    lock_accounts(txn, std::iter::once(account_id).chain(also_locking)).await?;
    // RETURNING: the closed hold comes back from the conditional update itself.
    let Some(hold) = ledger_holds::Entity::update_many()
        .col_expr(ledger_holds::Column::Status, Expr::value(status))
        .col_expr(
            ledger_holds::Column::SettledAmount,
            Expr::value(settled_amount),
        )
        .col_expr(ledger_holds::Column::UpdatedAt, Expr::value(now))
        .filter(ledger_holds::Column::Id.eq(hold_id))
        .filter(ledger_holds::Column::Status.eq("pending"))
        .exec_with_returning(txn)
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    ledger_accounts::Entity::update_many()
        .col_expr(
            ledger_accounts::Column::HeldBalance,
            Expr::col(ledger_accounts::Column::HeldBalance).sub(hold.amount),
        )
        .col_expr(ledger_accounts::Column::UpdatedAt, Expr::value(now))
        .filter(ledger_accounts::Column::Id.eq(hold.account_id))
        .exec(txn)
        .await?;
    Ok(Some(hold))
}

/// Settles a hold at `actual`: posts `actual` from the held account to `to_account` and
/// releases the hold. More than the hold is posted too (the work was done), which may take the
/// account below zero by that excess. Settling again with the same amount is a no-op; a hold
/// already voided, or settled at another amount, is an error.
pub async fn settle(
    db: &DatabaseConnection,
    hold_id: i64,
    actual: i64,
    to_account: i64,
    kind: &'static str,
    memo: String,
) -> Result<ledger_holds::Model, ServiceError> {
    let txn = crate::server::services::begin_write(db).await?;
    let settlement = Settlement {
        actual,
        to_account,
        kind,
        memo,
    };
    if !settle_within(&txn, hold_id, settlement, Utc::now()).await? {
        drop(txn);
        return already_closed(db, hold_id, "settled", Some(actual)).await;
    }
    txn.commit().await?;
    ledger_holds::Entity::find_by_id(hold_id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// How a hold is settled: the actual amount, where it goes, and the transaction's kind and memo.
#[derive(Clone, Debug)]
pub struct Settlement {
    pub actual: i64,
    pub to_account: i64,
    pub kind: &'static str,
    pub memo: String,
}

/// [`settle`] inside the caller's transaction; false when the hold was no longer pending
/// (nothing changed).
pub async fn settle_within(
    txn: &DatabaseTransaction,
    hold_id: i64,
    settlement: Settlement,
    now: DateTime<Utc>,
) -> Result<bool, ServiceError> {
    let actual = settlement.actual;
    if actual < 0 {
        return Err(ServiceError::Invalid(
            "a settlement cannot be negative".to_owned(),
        ));
    }
    let Some(hold) = close_hold(
        txn,
        hold_id,
        "settled",
        Some(actual),
        Some(settlement.to_account),
        now,
    )
    .await?
    else {
        return Ok(false);
    };
    let mut transaction_id = None;
    if actual > 0 {
        let tx = NewTransaction {
            idempotency_key: format!("hold:{hold_id}:settle"),
            kind: settlement.kind,
            reference: hold.reference.clone(),
            memo: settlement.memo,
            actor_user_id: None,
            postings: vec![
                Posting {
                    account_id: hold.account_id,
                    amount: -actual,
                },
                Posting {
                    account_id: settlement.to_account,
                    amount: actual,
                },
            ],
        };
        validate(&tx)?;
        transaction_id = Some(write_transaction(txn, &tx, Overdraft::Allow, now).await?);
    }
    ledger_holds::Entity::update_many()
        .col_expr(
            ledger_holds::Column::TransactionId,
            Expr::value(transaction_id),
        )
        .filter(ledger_holds::Column::Id.eq(hold_id))
        .exec(txn)
        .await?;
    Ok(true)
}

/// Releases a pending hold without posting anything. Voiding again is a no-op; a settled hold
/// cannot be voided.
pub async fn void(
    db: &DatabaseConnection,
    hold_id: i64,
) -> Result<ledger_holds::Model, ServiceError> {
    let txn = crate::server::services::begin_write(db).await?;
    if !void_within(&txn, hold_id, Utc::now()).await? {
        drop(txn);
        return already_closed(db, hold_id, "voided", None).await;
    }
    txn.commit().await?;
    ledger_holds::Entity::find_by_id(hold_id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// [`void`] inside the caller's transaction; false when the hold was no longer pending.
pub async fn void_within(
    txn: &DatabaseTransaction,
    hold_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, ServiceError> {
    Ok(close_hold(txn, hold_id, "voided", None, None, now)
        .await?
        .is_some())
}

/// A hold that was not pending: fine if it already ended the way asked, an error otherwise.
async fn already_closed(
    db: &DatabaseConnection,
    hold_id: i64,
    status: &str,
    settled_amount: Option<i64>,
) -> Result<ledger_holds::Model, ServiceError> {
    let hold = ledger_holds::Entity::find_by_id(hold_id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if hold.status == status && hold.settled_amount == settled_amount {
        Ok(hold)
    } else {
        Err(ServiceError::Invalid(format!(
            "hold {hold_id} is already {}",
            hold.status
        )))
    }
}

/// Voids pending holds that expired before `now` (their requests died); returns how many.
pub async fn sweep_expired(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<u64, ServiceError> {
    let stale = ledger_holds::Entity::find()
        .filter(ledger_holds::Column::Status.eq("pending"))
        .filter(ledger_holds::Column::ExpiresAt.lt(now))
        .all(db)
        .await?;
    let mut voided = 0;
    for hold in stale {
        let txn = crate::server::services::begin_write(db).await?;
        if close_hold(&txn, hold.id, "voided", None, None, now)
            .await?
            .is_some()
        {
            voided += 1;
        }
        txn.commit().await?;
    }
    Ok(voided)
}
