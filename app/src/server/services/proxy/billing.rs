//! Charging one upstream attempt: a hold for an estimate before forwarding, then the exact cost
//! once the usage is known, or nothing when the upstream produced nothing.
//!
//! The wallet hold and the token's spend-limit counters move together in one database
//! transaction, by conditional updates that hold under concurrency across processes: a
//! request is refused when either the wallet's available balance or any of the token's limits
//! cannot take the estimate. Settling posts the actual cost even above the estimate (the
//! upstream produced it), which is the only way a wallet goes below zero; a negative available
//! balance then refuses every new hold.

use super::super::api_tokens::{ApiCaller, BillingSource};
use super::super::ledger::{self, NewHold, Settlement, SystemAccount, WalletKind};
use super::super::ServiceError;
use super::credit_lines::{self, CreditLines, Retired};
use super::records::{self, UsageRecord};
use super::writer::{ChargeRequest, CloseRequest, HoldRequest, Writer};
use crate::pricing::PriceSheet;
use chrono::{DateTime, Duration, Utc};
use entity::{token_holds, token_spend};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// The ledger account ids the proxy charges, remembered once found: a user's wallet accounts
/// and the revenue account never change id once created.
#[derive(Default)]
pub struct AccountIds {
    wallets: Mutex<HashMap<(i64, WalletKind), i64>>,
    revenue: OnceLock<i64>,
}

/// Wallet ids remembered before the oldest are forgotten (they are found again on demand).
const MAX_REMEMBERED_WALLETS: usize = 100_000;

impl AccountIds {
    async fn wallet(
        &self,
        db: &DatabaseConnection,
        user_id: i64,
        kind: WalletKind,
        now: DateTime<Utc>,
    ) -> Result<i64, ServiceError> {
        let known = |ids: &HashMap<(i64, WalletKind), i64>| ids.get(&(user_id, kind)).copied();
        if let Some(id) = known(&self.wallets.lock().unwrap_or_else(PoisonError::into_inner)) {
            return Ok(id);
        }
        let id = ledger::user_account(db, user_id, kind, now).await?.id;
        let mut ids = self.wallets.lock().unwrap_or_else(PoisonError::into_inner);
        if ids.len() >= MAX_REMEMBERED_WALLETS {
            ids.clear();
        }
        ids.insert((user_id, kind), id);
        Ok(id)
    }

    async fn revenue(
        &self,
        db: &DatabaseConnection,
        now: DateTime<Utc>,
    ) -> Result<i64, ServiceError> {
        if let Some(id) = self.revenue.get() {
            return Ok(*id);
        }
        let id = ledger::system_account(db, SystemAccount::Revenue, now)
            .await?
            .id;
        Ok(*self.revenue.get_or_init(|| id))
    }
}

/// A hold the proxy placed for one upstream attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reservation {
    pub hold_id: i64,
    /// The ledger account the hold is on.
    pub account_id: i64,
    pub amount: i64,
    pub wallet: WalletKind,
    /// Whether the token's spend counters hold part of it too (the token has limits).
    pub spend_limited: bool,
    /// The use's number when the hold is a credit line shared with other requests
    /// ([`credit_lines`]); `hold_id` is then the line's.
    pub line_use: Option<u64>,
}

/// Why a request cannot be paid for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shortfall {
    /// The wallet(s) the token may use cannot cover the estimate.
    Wallet,
    /// The token reached its spend limit for this period (`daily`, `monthly`, `total`).
    Limit(&'static str),
}

/// Bytes of request body per estimated input token. Real tokenisers average three to four bytes
/// per token on code and prose; three over-estimates, so holds err on the safe side.
const BYTES_PER_TOKEN: i64 = 3;

/// The amount to hold for a request: its body as input tokens (priced at the dearest input
/// rate, since the upstream may write it all to the cache) plus its output cap, itself capped
/// by configuration. Never zero, so every request holds something.
pub fn estimate(body_bytes: usize, max_output: i64, prices: &PriceSheet) -> i64 {
    let input_tokens = i64::try_from(body_bytes).unwrap_or(i64::MAX) / BYTES_PER_TOKEN + 1;
    let input_price = [prices.input, prices.cache_write_5m, prices.cache_write_1h]
        .into_iter()
        .fold(0, std::cmp::max);
    let exact = i128::from(input_tokens) * i128::from(input_price)
        + i128::from(std::cmp::max(max_output, 0)) * i128::from(prices.output);
    // Rounded up: an estimate never falls short by a fraction.
    let micros = (exact + 999_999) / 1_000_000;
    std::cmp::max(i64::try_from(micros).unwrap_or(i64::MAX), 1)
}

/// The spend periods of a moment (UTC): the day and the month they fall in.
fn periods(now: DateTime<Utc>) -> (String, String) {
    (
        now.format("%Y-%m-%d").to_string(),
        now.format("%Y-%m").to_string(),
    )
}

/// The token's limits with the counter row each applies to.
fn limits(caller: &ApiCaller, day: &str, month: &str) -> Vec<(&'static str, String, i64)> {
    [
        ("day", day.to_owned(), caller.daily_limit),
        ("month", month.to_owned(), caller.monthly_limit),
        ("total", "all".to_owned(), caller.total_limit),
    ]
    .into_iter()
    .filter_map(|(period, start, limit)| limit.map(|limit| (period, start, limit)))
    .collect()
}

fn limit_name(period: &str) -> &'static str {
    match period {
        "day" => "daily",
        "month" => "monthly",
        _ => "total",
    }
}

/// The proxy's billing. A request is admitted on a credit line of its wallet when one has room
/// (in memory, [`credit_lines`]); otherwise its hold (or a new line) and, later, its charge and
/// record go through the group-commit [`Writer`]. A token with spend limits takes the
/// transaction-per-request path instead, which moves its limit counters together with the
/// wallet.
pub struct Biller {
    db: DatabaseConnection,
    accounts: AccountIds,
    /// Started on first use, once the revenue account's id is known.
    writer: tokio::sync::OnceCell<Writer>,
    lines: Arc<Mutex<CreditLines>>,
    /// One line opening at a time per wallet: requests arriving together wait for it and share
    /// it, rather than each opening a line of its own.
    opening: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
}

/// How often idle and closed credit lines are looked for and released.
const RETIRE_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

impl Biller {
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            accounts: AccountIds::default(),
            writer: tokio::sync::OnceCell::new(),
            lines: Arc::default(),
            opening: Mutex::default(),
        }
    }

    /// The turn to open a line on `account`.
    fn opening(&self, account: i64) -> Arc<tokio::sync::Mutex<()>> {
        let mut gates = self.opening.lock().unwrap_or_else(PoisonError::into_inner);
        if gates.len() >= MAX_REMEMBERED_WALLETS {
            gates.clear();
        }
        gates.entry(account).or_default().clone()
    }

    async fn writer(&self, now: DateTime<Utc>) -> Result<&Writer, ServiceError> {
        self.writer
            .get_or_try_init(|| async {
                let revenue = self.accounts.revenue(&self.db, now).await?;
                let writer = Writer::start(self.db.clone(), revenue);
                tokio::spawn(retire_lines(Arc::downgrade(&self.lines), writer.clone()));
                Ok(writer)
            })
            .await
    }

    fn lines(&self) -> std::sync::MutexGuard<'_, CreditLines> {
        self.lines.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Credit lines open in this process.
    pub fn open_lines(&self) -> usize {
        self.lines().len()
    }

    /// Releases every credit line with no request in flight (at shutdown, after the last
    /// request settled); returns how many.
    pub async fn release_lines(&self) -> Result<usize, ServiceError> {
        // A line being opened ahead is waited for (briefly), so it is released too.
        for _ in 0..200 {
            if !self.lines().is_refilling() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let retired = self.lines().retire(Utc::now(), true);
        let count = retired.len();
        if count > 0 {
            release(self.writer(Utc::now()).await?, retired).await;
        }
        Ok(count)
    }

    /// Reserves `amount` for the request `request_id` of `caller`, from the wallet its token
    /// prefers (the Token Wallet, then the Cash Wallet if the token allows it), within its
    /// spend limits. `Ok(Err(_))` says why it cannot be paid for.
    pub async fn reserve(
        &self,
        caller: &ApiCaller,
        request_id: &str,
        amount: i64,
        hold_for: Duration,
        now: DateTime<Utc>,
    ) -> Result<Result<Reservation, Shortfall>, ServiceError> {
        let sources = sources(&self.db, &self.accounts, caller, now).await?;
        if caller.has_spend_limits() {
            return reserve(&self.db, sources, caller, request_id, amount, hold_for, now).await;
        }
        if let Some(admitted) = self
            .admit(&sources, request_id, amount, hold_for, now)
            .await?
        {
            return Ok(Ok(admitted));
        }
        let preferred = sources.first().map_or(0, |(account, _)| *account);
        let gate = self.opening(preferred);
        let _turn = if self.lines().is_lean(preferred) {
            None
        } else {
            let turn = gate.lock().await;
            // The line another request just opened may have room.
            if let Some(admitted) = self
                .admit(&sources, request_id, amount, hold_for, now)
                .await?
            {
                return Ok(Ok(admitted));
            }
            Some(turn)
        };
        let uses = self.lines().uses_for_next_line(preferred);
        let held = self
            .writer(now)
            .await?
            .hold(line_hold(
                sources.clone(),
                amount,
                uses,
                hold_key(request_id),
                hold_reference(request_id),
                now + hold_for,
            ))
            .await?;
        let Some(held) = held else {
            self.lines().note_lean(preferred);
            return Ok(Err(Shortfall::Wallet));
        };
        let mut lines = self.lines();
        lines.pass_over(
            sources
                .iter()
                .map(|(account, _)| *account)
                .take_while(|account| *account != held.account_id),
        );
        if held.line {
            return Ok(Ok(lines.open(held, amount, now)));
        }
        lines.note_lean(preferred);
        Ok(Ok(Reservation {
            hold_id: held.hold_id,
            account_id: held.account_id,
            amount,
            wallet: held.wallet,
            spend_limited: false,
            line_use: None,
        }))
    }

    /// Admits the request on an open credit line if one has room, and opens the line's
    /// successor ahead of time when it is running low.
    async fn admit(
        &self,
        sources: &[(i64, WalletKind)],
        request_id: &str,
        amount: i64,
        hold_for: Duration,
        now: DateTime<Utc>,
    ) -> Result<Option<Reservation>, ServiceError> {
        let writer = self.writer(now).await?;
        writer.ready().await?;
        let Some(admitted) = self.lines().admit(sources, amount, now + hold_for, now) else {
            return Ok(None);
        };
        if let Some(uses) = admitted.refill {
            let on = admitted.reservation;
            let request = HoldRequest {
                // A line or nothing: no request waits on it.
                amount: 0,
                ..line_hold(
                    vec![(on.account_id, on.wallet)],
                    amount,
                    uses,
                    format!("line:{}", uuid::Uuid::new_v4()),
                    format!("requests after {}", hold_reference(request_id)),
                    now + hold_for,
                )
            };
            let (writer, lines) = (writer.clone(), self.lines.clone());
            tokio::spawn(async move {
                let line = match writer.hold(request).await {
                    Ok(held) => held,
                    Err(error) => {
                        tracing::warn!(%error, "no credit line opened ahead");
                        None
                    }
                };
                lines
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .refilled(on.account_id, line, Utc::now());
            });
        }
        Ok(Some(admitted.reservation))
    }

    /// Ends a reserved request: charges `charge` (to revenue; `None` or 0 releases the hold
    /// without charging), releases the hold and the token's held spend, and stores the
    /// request's usage record, all in one transaction. Returns false, storing nothing, when
    /// the hold had already ended (released by the sweeper): the caller then records the
    /// request as not charged. Repeating a call that committed changes nothing.
    pub async fn close(
        &self,
        reservation: &Reservation,
        charge: Option<(i64, String)>,
        record: UsageRecord,
        now: DateTime<Utc>,
    ) -> Result<bool, ServiceError> {
        let charge = charge.filter(|(actual, _)| *actual > 0);
        if reservation.spend_limited {
            return close(&self.db, &self.accounts, reservation, charge, record, now).await;
        }
        if let Some(number) = reservation.line_use {
            let spent = charge.as_ref().map_or(0, |(actual, _)| *actual);
            let written = self
                .writer(now)
                .await?
                .charge(ChargeRequest {
                    line_id: reservation.hold_id,
                    account_id: reservation.account_id,
                    charge,
                    key: format!("hold:{}:use:{number}", reservation.hold_id),
                    reference: hold_reference(&record.request_id),
                    record: Some(record),
                })
                .await?;
            // Only once written: until then the line keeps the estimate and is not released.
            self.lines()
                .finish(reservation, if written { spent } else { 0 }, !written);
            return Ok(written);
        }
        self.writer(now)
            .await?
            .close(CloseRequest {
                hold_id: reservation.hold_id,
                account_id: reservation.account_id,
                charge,
                record: Some(record),
            })
            .await
    }

    /// Releases a reserved request that produced nothing billable.
    pub async fn void(
        &self,
        reservation: &Reservation,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        if reservation.spend_limited {
            return void(&self.db, reservation, now).await;
        }
        if reservation.line_use.is_some() {
            self.lines().finish(reservation, 0, false);
            return Ok(());
        }
        self.writer(now)
            .await?
            .close(CloseRequest {
                hold_id: reservation.hold_id,
                account_id: reservation.account_id,
                charge: None,
                record: None,
            })
            .await
            .map(|_| ())
    }

    /// Stores the record of a request that reserved nothing (refused, or not billed).
    pub async fn store(&self, record: UsageRecord) -> Result<(), ServiceError> {
        self.writer(Utc::now()).await?.store(record).await
    }
}

/// Every [`RETIRE_EVERY`], voids the holds of the lines done with, until the biller is gone.
async fn retire_lines(lines: std::sync::Weak<Mutex<CreditLines>>, writer: Writer) {
    let mut ticks = tokio::time::interval(RETIRE_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let Some(lines) = lines.upgrade() else { return };
        let retired = lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retire(Utc::now(), false);
        drop(lines);
        release(&writer, retired).await;
    }
}

/// Voids retired lines' holds, releasing what they did not spend. A line that fails to release
/// is left to the sweeper, which voids it when it expires.
async fn release(writer: &Writer, retired: Vec<Retired>) {
    // Handed over together, so they share a batch.
    let mut releases = tokio::task::JoinSet::new();
    for line in retired {
        let writer = writer.clone();
        releases.spawn(async move {
            writer
                .close(CloseRequest {
                    hold_id: line.hold_id,
                    account_id: line.account_id,
                    charge: None,
                    record: None,
                })
                .await
        });
    }
    while let Some(result) = releases.join_next().await {
        if let Ok(Err(error)) = result {
            tracing::warn!(%error, "credit line not released; the sweeper releases it when it expires");
        }
    }
}

/// A hold of `estimate`, or instead a credit line for `uses` requests like it (at least
/// [`credit_lines::USES_PER_LINE`]) where the wallet can afford one.
fn line_hold(
    sources: Vec<(i64, WalletKind)>,
    estimate: i64,
    uses: i64,
    idempotency_key: String,
    reference: String,
    expires_at: DateTime<Utc>,
) -> HoldRequest {
    HoldRequest {
        sources,
        amount: estimate,
        line: estimate.saturating_mul(uses),
        line_floor: estimate.saturating_mul(credit_lines::USES_PER_LINE),
        idempotency_key,
        reference,
        expires_at,
    }
}

fn hold_key(request_id: &str) -> String {
    format!("proxy:{request_id}")
}

fn hold_reference(request_id: &str) -> String {
    format!("request {request_id}")
}

/// The ledger accounts a token's requests may be charged to, in the order they are tried.
async fn sources(
    db: &DatabaseConnection,
    accounts: &AccountIds,
    caller: &ApiCaller,
    now: DateTime<Utc>,
) -> Result<Vec<(i64, WalletKind)>, ServiceError> {
    let mut sources = vec![(
        accounts
            .wallet(db, caller.user_id, WalletKind::Token, now)
            .await?,
        WalletKind::Token,
    )];
    if caller.billing_source == BillingSource::TokenThenCash {
        sources.push((
            accounts
                .wallet(db, caller.user_id, WalletKind::Cash, now)
                .await?,
            WalletKind::Cash,
        ));
    }
    Ok(sources)
}

/// [`Biller::reserve`] for a token with spend limits, in a transaction of its own.
async fn reserve(
    db: &DatabaseConnection,
    sources: Vec<(i64, WalletKind)>,
    caller: &ApiCaller,
    request_id: &str,
    amount: i64,
    hold_for: Duration,
    now: DateTime<Utc>,
) -> Result<Result<Reservation, Shortfall>, ServiceError> {
    let (day, month) = periods(now);
    let limits = limits(caller, &day, &month);
    let txn = crate::server::services::begin_write(db).await?;
    // Accounts before spend counters, in the order every ledger writer locks them.
    ledger::lock_accounts(&txn, sources.iter().map(|(account, _)| *account)).await?;
    for (period, start, limit) in &limits {
        if !reserve_spend(&txn, caller.token_id, period, start, *limit, amount, now).await? {
            return Ok(Err(Shortfall::Limit(limit_name(period))));
        }
    }
    let mut placed = None;
    for (account_id, wallet) in sources {
        let hold = NewHold {
            account_id,
            amount,
            idempotency_key: hold_key(request_id),
            reference: Some(hold_reference(request_id)),
            expires_at: now + hold_for,
        };
        match ledger::reserve_within(&txn, &hold, now).await {
            Ok(row) => {
                placed = Some((row.id, account_id, wallet));
                break;
            }
            Err(ServiceError::Forbidden(_)) => continue,
            Err(other) => return Err(other),
        }
    }
    let Some((hold_id, account_id, wallet)) = placed else {
        return Ok(Err(Shortfall::Wallet));
    };
    if !limits.is_empty() {
        token_holds::Entity::insert(token_holds::ActiveModel {
            id: NotSet,
            ledger_hold_id: Set(hold_id),
            api_token_id: Set(caller.token_id),
            amount: Set(amount),
            day_start: Set(day),
            month_start: Set(month),
            released_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec(&*txn)
        .await?;
    }
    txn.commit().await?;
    Ok(Ok(Reservation {
        hold_id,
        account_id,
        amount,
        wallet,
        spend_limited: !limits.is_empty(),
        line_use: None,
    }))
}

/// Adds `amount` to a period's held spend if it stays within `limit`; false when it would not.
async fn reserve_spend(
    txn: &DatabaseTransaction,
    token_id: i64,
    period: &str,
    start: &str,
    limit: i64,
    amount: i64,
    now: DateTime<Utc>,
) -> Result<bool, ServiceError> {
    use token_spend::Column;
    token_spend::Entity::insert(token_spend::ActiveModel {
        id: NotSet,
        api_token_id: Set(token_id),
        period: Set(period.to_owned()),
        period_start: Set(start.to_owned()),
        spent: Set(0),
        held: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .on_conflict_do_nothing_on([Column::ApiTokenId, Column::Period, Column::PeriodStart])
    .exec(txn)
    .await?;
    let reserved = token_spend::Entity::update_many()
        .col_expr(Column::Held, Expr::col(Column::Held).add(amount))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::ApiTokenId.eq(token_id))
        .filter(Column::Period.eq(period))
        .filter(Column::PeriodStart.eq(start))
        .filter(
            Expr::col(Column::Spent)
                .add(Expr::col(Column::Held))
                .add(amount)
                .lte(limit),
        )
        .exec(txn)
        .await?;
    Ok(reserved.rows_affected == 1)
}

/// Moves a released hold's amount out of the token's held spend, adding `spent` (0 for a
/// void) to what it spent; once per hold.
async fn release_spend(
    txn: &DatabaseTransaction,
    hold_id: i64,
    spent: i64,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let Some(link) = token_holds::Entity::find()
        .filter(token_holds::Column::LedgerHoldId.eq(hold_id))
        .filter(token_holds::Column::ReleasedAt.is_null())
        .one(txn)
        .await?
    else {
        return Ok(());
    };
    let released = token_holds::Entity::update_many()
        .col_expr(token_holds::Column::ReleasedAt, Expr::value(Some(now)))
        .col_expr(token_holds::Column::UpdatedAt, Expr::value(now))
        .filter(token_holds::Column::Id.eq(link.id))
        .filter(token_holds::Column::ReleasedAt.is_null())
        .exec(txn)
        .await?;
    if released.rows_affected != 1 {
        return Ok(());
    }
    use token_spend::Column;
    for (period, start) in [
        ("day", link.day_start.as_str()),
        ("month", link.month_start.as_str()),
        ("total", "all"),
    ] {
        token_spend::Entity::update_many()
            .col_expr(Column::Held, Expr::col(Column::Held).sub(link.amount))
            .col_expr(Column::Spent, Expr::col(Column::Spent).add(spent))
            .col_expr(Column::UpdatedAt, Expr::value(now))
            .filter(Column::ApiTokenId.eq(link.api_token_id))
            .filter(Column::Period.eq(period))
            .filter(Column::PeriodStart.eq(start))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// [`Biller::close`] for a reservation that moved a token's spend counters.
async fn close(
    db: &DatabaseConnection,
    accounts: &AccountIds,
    reservation: &Reservation,
    charge: Option<(i64, String)>,
    record: UsageRecord,
    now: DateTime<Utc>,
) -> Result<bool, ServiceError> {
    let charge = charge.filter(|(actual, _)| *actual > 0);
    let revenue = match charge {
        Some(_) => Some(accounts.revenue(db, now).await?),
        None => None,
    };
    let txn = crate::server::services::begin_write(db).await?;
    let (closed, spent) = match (charge, revenue) {
        (Some((actual, memo)), Some(revenue)) => {
            let settlement = Settlement {
                actual,
                to_account: revenue,
                kind: "usage",
                memo,
            };
            (
                ledger::settle_within(&txn, reservation.hold_id, settlement, now).await?,
                actual,
            )
        }
        _ => (
            ledger::void_within(&txn, reservation.hold_id, now).await?,
            0,
        ),
    };
    if !closed {
        return Ok(false);
    }
    if reservation.spend_limited {
        release_spend(&txn, reservation.hold_id, spent, now).await?;
    }
    records::insert(&*txn, record, now).await?;
    txn.commit().await?;
    Ok(true)
}

/// [`Biller::void`] for a reservation that moved a token's spend counters.
async fn void(
    db: &DatabaseConnection,
    reservation: &Reservation,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let txn = crate::server::services::begin_write(db).await?;
    if ledger::void_within(&txn, reservation.hold_id, now).await? {
        release_spend(&txn, reservation.hold_id, 0, now).await?;
        txn.commit().await?;
    }
    Ok(())
}

/// Releases the held spend of holds that ended without the proxy (voided by the sweeper after
/// a crash); returns how many.
pub async fn release_orphaned_spend(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<u64, ServiceError> {
    let open = token_holds::Entity::find()
        .filter(token_holds::Column::ReleasedAt.is_null())
        .filter(token_holds::Column::CreatedAt.lt(now - Duration::minutes(1)))
        .all(db)
        .await?;
    // One query for the state of all their holds, not one per link.
    let ended: Vec<entity::ledger_holds::Model> = entity::ledger_holds::Entity::find()
        .filter(entity::ledger_holds::Column::Id.is_in(open.iter().map(|l| l.ledger_hold_id)))
        .filter(entity::ledger_holds::Column::Status.ne("pending"))
        .all(db)
        .await?;
    let mut released = 0;
    for hold in ended {
        let txn = crate::server::services::begin_write(db).await?;
        release_spend(&txn, hold.id, hold.settled_amount.unwrap_or(0), now).await?;
        txn.commit().await?;
        released += 1;
    }
    Ok(released)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_round_up_and_never_vanish() {
        let prices = PriceSheet {
            input: 3_000_000,
            output: 15_000_000,
            cache_write_5m: 3_750_000,
            cache_write_1h: 6_000_000,
            cache_read: 300_000,
        };
        // 3000 bytes → 1001 tokens at the 1-hour write price, plus 1000 output tokens.
        assert_eq!(estimate(3000, 1000, &prices), 6_006 + 15_000);
        assert_eq!(estimate(0, 0, &PriceSheet::default()), 1);
        assert!(estimate(usize::MAX, i64::MAX, &prices) > 0, "no overflow");
    }
}
