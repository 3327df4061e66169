//! Group commit for the proxy's money. Concurrent requests hand their holds, settlements and
//! usage records to one writer task per process, which writes whatever has queued up in one
//! database transaction of a few multi-row statements. Each request still gets its own answer
//! (held or refused, settled or already ended), exactly as if it had been written alone.
//!
//! Why: on SQLite only one transaction writes at a time and each statement costs a round trip
//! to the connection's thread, so a transaction per request caps the proxy at a few hundred
//! requests a second whatever the CPU; on PostgreSQL every settlement updates the one revenue
//! row. A batch takes the write lock (and the revenue row) once for all its requests.
//!
//! Exactness under concurrency, across processes too: the batch locks every ledger account it
//! touches (`SELECT … FOR UPDATE` in id order on PostgreSQL; SQLite's write lock covers all),
//! then decides each hold against the locked balances plus what the batch already moved, in
//! arrival order. If a batch fails as a whole (one bad job), each job is written alone, so one
//! request's problem never becomes another's.

use super::super::ledger::{self, WalletKind};
use super::super::ServiceError;
use super::credit_lines::{HEADROOM, OPEN_FOR};
use super::records::{self, UsageRecord};
use chrono::{DateTime, Utc};
use entity::{ledger_accounts, ledger_entries, ledger_holds, ledger_transactions};
use sea_orm::sea_query::{CaseStatement, Expr, ExprTrait};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect,
};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Jobs written in one transaction at most: a usage record binds about 35 values, and SQLite
/// takes at most 32,766 per statement.
const MAX_BATCH: usize = 256;

/// Jobs waiting for the writer before callers wait to hand theirs over (and before requests
/// are admitted on credit lines, see [`Writer::ready`]): at most a second or two of writing.
const QUEUE: usize = 4096;

/// A hold to place on the first of `sources` (ledger account ids, in preference order) that
/// can take it. With `line` above 0, a credit line is placed instead where the account can
/// cover [`HEADROOM`] lines of at least `line_floor`: as large as that allows, up to `line`.
#[derive(Clone, Debug)]
pub struct HoldRequest {
    pub sources: Vec<(i64, WalletKind)>,
    /// The request's estimate; 0 for a line opened ahead of requests (a line or nothing).
    pub amount: i64,
    pub line: i64,
    pub line_floor: i64,
    pub idempotency_key: String,
    pub reference: String,
    /// When the request's hold expires (if nothing ends it first). A credit line expires
    /// [`OPEN_FOR`] later, as it admits requests for that long.
    pub expires_at: DateTime<Utc>,
}

/// A hold placed: its id, the account and wallet it is on, its amount, whether it is a credit
/// line, and when it expires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Held {
    pub hold_id: i64,
    pub account_id: i64,
    pub wallet: WalletKind,
    pub amount: i64,
    pub line: bool,
    pub expires_at: DateTime<Utc>,
}

/// Ends a pending hold: `charge` (positive, with the transaction's memo) is posted from its
/// account to revenue; without one the hold is voided. The record, if any, is stored only when
/// the hold was still pending.
#[derive(Clone, Debug)]
pub struct CloseRequest {
    pub hold_id: i64,
    pub account_id: i64,
    pub charge: Option<(i64, String)>,
    pub record: Option<UsageRecord>,
}

/// One request's use of a credit line ends: `charge` (positive) is posted from the line's
/// account to revenue as its own transaction (idempotency key `key`) and the record stored,
/// provided the line's hold is still pending; the line itself stays open.
#[derive(Clone, Debug)]
pub struct ChargeRequest {
    pub line_id: i64,
    pub account_id: i64,
    pub charge: Option<(i64, String)>,
    pub key: String,
    pub reference: String,
    pub record: Option<UsageRecord>,
}

#[derive(Clone, Debug)]
enum Work {
    Hold(HoldRequest),
    Close(CloseRequest),
    Charge(ChargeRequest),
    Record(UsageRecord),
}

#[derive(Debug)]
enum Done {
    /// The hold, or None when no source could take it.
    Held(Option<Held>),
    /// Whether the hold was still pending (and is now closed).
    Closed(bool),
    Stored,
}

struct Job {
    work: Work,
    reply: oneshot::Sender<Result<Done, ServiceError>>,
}

/// The handle requests use; the writer task ends when every handle is dropped.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
    stats: Arc<Stats>,
}

/// What the writer has done: how many transactions for how many jobs.
#[derive(Debug, Default)]
pub struct Stats {
    pub batches: AtomicU64,
    pub jobs: AtomicU64,
}

impl Writer {
    /// Starts the writer task (on the current tokio runtime). `revenue` is the account
    /// settlements are posted to.
    pub fn start(db: DatabaseConnection, revenue: i64) -> Self {
        let (jobs, queue) = mpsc::channel(QUEUE);
        let stats = Arc::new(Stats::default());
        tokio::spawn(run(db, revenue, queue, stats.clone()));
        Self { jobs, stats }
    }

    /// Batches written and jobs in them since the start.
    pub fn stats(&self) -> (u64, u64) {
        (
            self.stats.batches.load(Ordering::Relaxed),
            self.stats.jobs.load(Ordering::Relaxed),
        )
    }

    async fn submit(&self, work: Work) -> Result<Done, ServiceError> {
        let (reply, answer) = oneshot::channel();
        let gone = || ServiceError::Internal("the billing writer has stopped".to_owned());
        self.jobs
            .send(Job { work, reply })
            .await
            .map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }

    /// Waits until the writer has room for another job: requests admitted without the writer
    /// (on credit lines) still leave it a charge to write, so they wait for it to keep up.
    pub async fn ready(&self) -> Result<(), ServiceError> {
        self.jobs
            .reserve()
            .await
            .map(drop)
            .map_err(|_| ServiceError::Internal("the billing writer has stopped".to_owned()))
    }

    /// Places a hold, or None when none of its sources has enough available.
    pub async fn hold(&self, request: HoldRequest) -> Result<Option<Held>, ServiceError> {
        match self.submit(Work::Hold(request)).await? {
            Done::Held(held) => Ok(held),
            other => Err(unexpected(&other)),
        }
    }

    /// Closes a hold; false (nothing written) when it had already ended.
    pub async fn close(&self, request: CloseRequest) -> Result<bool, ServiceError> {
        match self.submit(Work::Close(request)).await? {
            Done::Closed(closed) => Ok(closed),
            other => Err(unexpected(&other)),
        }
    }

    /// Ends one request's use of a credit line; false (nothing written) when the line had
    /// already ended.
    pub async fn charge(&self, request: ChargeRequest) -> Result<bool, ServiceError> {
        match self.submit(Work::Charge(request)).await? {
            Done::Closed(closed) => Ok(closed),
            other => Err(unexpected(&other)),
        }
    }

    /// Stores the record of a request that held nothing.
    pub async fn store(&self, record: UsageRecord) -> Result<(), ServiceError> {
        match self.submit(Work::Record(record)).await? {
            Done::Stored => Ok(()),
            other => Err(unexpected(&other)),
        }
    }
}

fn unexpected(done: &Done) -> ServiceError {
    ServiceError::Internal(format!(
        "the billing writer answered {done:?} to another job"
    ))
}

async fn run(
    db: DatabaseConnection,
    revenue: i64,
    mut queue: mpsc::Receiver<Job>,
    stats: Arc<Stats>,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let jobs = std::mem::take(&mut batch);
        stats.batches.fetch_add(1, Ordering::Relaxed);
        stats.jobs.fetch_add(
            u64::try_from(jobs.len()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
        let work: Vec<Work> = jobs.iter().map(|job| job.work.clone()).collect();
        let now = Utc::now();
        match write(&db, revenue, &work, now).await {
            Ok(done) => {
                for (job, done) in jobs.into_iter().zip(done) {
                    // A caller that stopped waiting (it cannot, in practice) loses only its answer.
                    let _ = job.reply.send(Ok(done));
                }
            }
            Err(error) => {
                if jobs.len() > 1 {
                    tracing::warn!(%error, jobs = jobs.len(), "billing batch failed; writing its jobs one by one");
                }
                for job in jobs {
                    let alone = write(&db, revenue, std::slice::from_ref(&job.work), now)
                        .await
                        .and_then(|mut done| {
                            done.pop().ok_or_else(|| {
                                ServiceError::Internal("the billing writer lost a job".to_owned())
                            })
                        });
                    let _ = job.reply.send(alone);
                }
            }
        }
    }
}

/// Posted and held balance movements of one account.
#[derive(Clone, Copy, Default)]
struct Movement {
    posted: i64,
    held: i64,
}

/// `CASE WHEN id = … THEN … END` over `values` by row id, `otherwise` for the rest.
fn by_id<C: ColumnTrait>(id: C, values: &[(i64, Expr)], otherwise: Expr) -> Expr {
    if values.is_empty() {
        // `CASE ELSE … END` is not SQL.
        return otherwise;
    }
    values
        .iter()
        .fold(CaseStatement::new(), |case, (row, value)| {
            case.case(id.eq(*row), value.clone())
        })
        .finally(otherwise)
        .into()
}

/// Writes `work` in one transaction; one answer per job, in order.
async fn write(
    db: &DatabaseConnection,
    revenue: i64,
    work: &[Work],
    now: DateTime<Utc>,
) -> Result<Vec<Done>, ServiceError> {
    let txn = crate::server::services::begin_write(db).await?;
    let mut touched = BTreeSet::new();
    for job in work {
        let (account, charged) = match job {
            Work::Hold(hold) => {
                touched.extend(hold.sources.iter().map(|(id, _)| *id));
                continue;
            }
            Work::Close(close) => (close.account_id, close.charge.is_some()),
            Work::Charge(charge) => (charge.account_id, charge.charge.is_some()),
            Work::Record(_) => continue,
        };
        touched.insert(account);
        if charged {
            touched.insert(revenue);
        }
    }
    // Locked as every ledger writer locks them, so batches never deadlock. A batch of records
    // alone moves no money and locks nothing.
    let balances: HashMap<i64, ledger_accounts::Model> = ledger::lock_accounts(&txn, touched)
        .await?
        .into_iter()
        .map(|account| (account.id, account))
        .collect();
    let mut moved: HashMap<i64, Movement> = HashMap::new();
    let mut records = Vec::new();
    let mut postings = Vec::new();

    let closed = close_holds(&txn, work, &mut moved, &mut records, &mut postings, now).await?;
    let charged = charge_lines(&txn, work, &mut records, &mut postings).await?;
    post(&txn, revenue, postings, &mut moved, now).await?;

    // Holds are decided in arrival order against what is left after everything before them;
    // each gets its id once inserted.
    let mut placed = Vec::new();
    let mut new_holds = Vec::new();
    for job in work {
        let Work::Hold(hold) = job else { continue };
        let source = hold.sources.iter().find_map(|(account, wallet)| {
            let balance = balances.get(account)?;
            let movement = moved.get(account).copied().unwrap_or_default();
            let available =
                balance.posted_balance + movement.posted - (balance.held_balance + movement.held);
            let line = std::cmp::min(hold.line, available / HEADROOM);
            let (amount, is_line) = if hold.line > 0 && line > 0 && line >= hold.line_floor {
                (line, true)
            } else if hold.amount > 0 && available >= hold.amount {
                (hold.amount, false)
            } else {
                return None;
            };
            Some(Held {
                hold_id: 0,
                account_id: *account,
                wallet: *wallet,
                amount,
                line: is_line,
                expires_at: if is_line {
                    hold.expires_at + OPEN_FOR
                } else {
                    hold.expires_at
                },
            })
        });
        if let Some(held) = &source {
            moved.entry(held.account_id).or_default().held += held.amount;
            let reference = if held.line {
                format!("credit line for {}", hold.reference)
            } else {
                hold.reference.clone()
            };
            new_holds.push(ledger_holds::ActiveModel {
                id: NotSet,
                account_id: Set(held.account_id),
                amount: Set(held.amount),
                status: Set("pending".to_owned()),
                idempotency_key: Set(hold.idempotency_key.clone()),
                reference: Set(Some(reference)),
                expires_at: Set(held.expires_at),
                settled_amount: Set(None),
                transaction_id: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            });
        }
        placed.push(source);
    }
    let hold_ids: HashMap<String, i64> = ledger_holds::Entity::insert_many(new_holds)
        .exec_with_returning(&*txn)
        .await?
        .into_iter()
        .map(|hold| (hold.idempotency_key, hold.id))
        .collect();

    move_balances(&txn, &moved, now).await?;
    for job in work {
        if let Work::Record(record) = job {
            records.push(record.clone());
        }
    }
    records::insert_many(&*txn, records, now).await?;
    txn.commit().await?;

    let mut placed = placed.into_iter();
    work.iter()
        .map(|job| match job {
            Work::Hold(hold) => {
                let source = placed.next().flatten();
                Ok(Done::Held(match source {
                    None => None,
                    Some(held) => Some(Held {
                        hold_id: *hold_ids.get(&hold.idempotency_key).ok_or_else(|| {
                            ServiceError::Internal("a placed hold has no id".to_owned())
                        })?,
                        ..held
                    }),
                }))
            }
            Work::Close(close) => Ok(Done::Closed(closed.contains(&close.hold_id))),
            Work::Charge(charge) => Ok(Done::Closed(charged.contains(&charge.line_id))),
            Work::Record(_) => Ok(Done::Stored),
        })
        .collect()
}

/// A usage charge to post from `account` to revenue, as its own transaction.
struct Posting {
    key: String,
    reference: Option<String>,
    memo: String,
    account: i64,
    actual: i64,
    /// The hold this charge settles, which is linked to the transaction.
    settles: Option<i64>,
}

/// Closes the batch's pending holds and collects the records of those closed and the charges
/// of those settled. Returns the ids of the holds it closed.
async fn close_holds(
    txn: &DatabaseTransaction,
    work: &[Work],
    moved: &mut HashMap<i64, Movement>,
    records: &mut Vec<UsageRecord>,
    postings: &mut Vec<Posting>,
    now: DateTime<Utc>,
) -> Result<HashSet<i64>, ServiceError> {
    let closes: HashMap<i64, &CloseRequest> = work
        .iter()
        .filter_map(|job| match job {
            Work::Close(close) => Some((close.hold_id, close)),
            _ => None,
        })
        .collect();
    if closes.is_empty() {
        return Ok(HashSet::new());
    }
    use ledger_holds::Column;
    let charges: HashMap<i64, (i64, &str)> = closes
        .values()
        .filter_map(|close| {
            let (actual, memo) = close.charge.as_ref()?;
            (*actual > 0).then_some((close.hold_id, (*actual, memo.as_str())))
        })
        .collect();
    let settled: Vec<(i64, Expr)> = charges
        .iter()
        .map(|(hold, (actual, _))| (*hold, Expr::value(Some(*actual))))
        .collect();
    let status: Vec<(i64, Expr)> = settled
        .iter()
        .map(|(hold, _)| (*hold, Expr::value("settled")))
        .collect();
    let ended = ledger_holds::Entity::update_many()
        .col_expr(
            Column::Status,
            by_id(Column::Id, &status, Expr::value("voided")),
        )
        .col_expr(
            Column::SettledAmount,
            by_id(Column::Id, &settled, Expr::value(Option::<i64>::None)),
        )
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.is_in(closes.keys().copied()))
        .filter(Column::Status.eq("pending"))
        .exec_with_returning(txn)
        .await?;
    for hold in &ended {
        moved.entry(hold.account_id).or_default().held -= hold.amount;
        if let Some(record) = closes.get(&hold.id).and_then(|close| close.record.clone()) {
            records.push(record);
        }
        if let Some((actual, memo)) = charges.get(&hold.id) {
            postings.push(Posting {
                key: settlement_key(hold.id),
                reference: hold.reference.clone(),
                memo: (*memo).to_owned(),
                account: hold.account_id,
                actual: *actual,
                settles: Some(hold.id),
            });
        }
    }
    Ok(ended.iter().map(|hold| hold.id).collect())
}

/// Collects the charges and records of the batch's credit-line uses whose line is still
/// pending. Returns the ids of those lines.
async fn charge_lines(
    txn: &DatabaseTransaction,
    work: &[Work],
    records: &mut Vec<UsageRecord>,
    postings: &mut Vec<Posting>,
) -> Result<HashSet<i64>, ServiceError> {
    let uses: Vec<&ChargeRequest> = work
        .iter()
        .filter_map(|job| match job {
            Work::Charge(charge) => Some(charge),
            _ => None,
        })
        .collect();
    if uses.is_empty() {
        return Ok(HashSet::new());
    }
    use ledger_holds::Column;
    // The accounts are locked, so a line found pending stays so until the commit.
    let pending: HashMap<i64, i64> = ledger_holds::Entity::find()
        .select_only()
        .column(Column::Id)
        .column(Column::AccountId)
        .filter(Column::Id.is_in(uses.iter().map(|u| u.line_id)))
        .filter(Column::Status.eq("pending"))
        .into_tuple::<(i64, i64)>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    for line_use in uses {
        let Some(account) = pending.get(&line_use.line_id).copied() else {
            continue;
        };
        if let Some(record) = line_use.record.clone() {
            records.push(record);
        }
        if let Some((actual, memo)) = line_use.charge.as_ref().filter(|(a, _)| *a > 0) {
            postings.push(Posting {
                key: line_use.key.clone(),
                reference: Some(line_use.reference.clone()),
                memo: memo.clone(),
                account,
                actual: *actual,
                settles: None,
            });
        }
    }
    Ok(pending.into_keys().collect())
}

/// Posts the batch's charges to revenue: their transactions and entries in two statements,
/// and settled holds linked to their transaction in a third.
async fn post(
    txn: &DatabaseTransaction,
    revenue: i64,
    postings: Vec<Posting>,
    moved: &mut HashMap<i64, Movement>,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    if postings.is_empty() {
        return Ok(());
    }
    let transactions = postings
        .iter()
        .map(|posting| ledger_transactions::ActiveModel {
            id: NotSet,
            idempotency_key: Set(posting.key.clone()),
            kind: Set("usage".to_owned()),
            reference: Set(posting.reference.clone()),
            memo: Set(posting.memo.clone()),
            actor_user_id: Set(None),
            reverses_id: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        });
    let transaction_of: HashMap<String, i64> =
        ledger_transactions::Entity::insert_many(transactions)
            .exec_with_returning(txn)
            .await?
            .into_iter()
            .map(|tx| (tx.idempotency_key, tx.id))
            .collect();
    let transaction_id = |key: &str| {
        transaction_of
            .get(key)
            .copied()
            .ok_or_else(|| ServiceError::Internal(format!("charge {key} was not posted")))
    };
    let mut entries = Vec::with_capacity(postings.len() * 2);
    let mut links = Vec::new();
    for posting in &postings {
        let id = transaction_id(&posting.key)?;
        moved.entry(posting.account).or_default().posted -= posting.actual;
        moved.entry(revenue).or_default().posted += posting.actual;
        for (account, amount) in [
            (posting.account, -posting.actual),
            (revenue, posting.actual),
        ] {
            entries.push(ledger_entries::ActiveModel {
                id: NotSet,
                transaction_id: Set(id),
                account_id: Set(account),
                amount: Set(amount),
                created_at: Set(now),
                updated_at: Set(now),
            });
        }
        if let Some(hold) = posting.settles {
            links.push((hold, Expr::value(Some(id))));
        }
    }
    ledger_entries::Entity::insert_many(entries)
        .exec(txn)
        .await?;
    if !links.is_empty() {
        use ledger_holds::Column;
        ledger_holds::Entity::update_many()
            .col_expr(
                Column::TransactionId,
                by_id(Column::Id, &links, Expr::value(Option::<i64>::None)),
            )
            .filter(Column::Id.is_in(links.iter().map(|(hold, _)| *hold)))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// The idempotency key of a hold's settlement, the same the one-at-a-time ledger path uses.
fn settlement_key(hold_id: i64) -> String {
    format!("hold:{hold_id}:settle")
}

/// Applies the batch's balance movements in one statement.
async fn move_balances(
    txn: &DatabaseTransaction,
    moved: &HashMap<i64, Movement>,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let moved: Vec<(i64, Movement)> = moved
        .iter()
        .filter(|(_, m)| m.posted != 0 || m.held != 0)
        .map(|(id, m)| (*id, *m))
        .collect();
    if moved.is_empty() {
        return Ok(());
    }
    use ledger_accounts::Column;
    let posted: Vec<(i64, Expr)> = moved
        .iter()
        .map(|(id, m)| (*id, Expr::value(m.posted)))
        .collect();
    let held: Vec<(i64, Expr)> = moved
        .iter()
        .map(|(id, m)| (*id, Expr::value(m.held)))
        .collect();
    let updated = ledger_accounts::Entity::update_many()
        .col_expr(
            Column::PostedBalance,
            Expr::col(Column::PostedBalance).add(by_id(Column::Id, &posted, Expr::value(0i64))),
        )
        .col_expr(
            Column::HeldBalance,
            Expr::col(Column::HeldBalance).add(by_id(Column::Id, &held, Expr::value(0i64))),
        )
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.is_in(moved.iter().map(|(id, _)| *id)))
        .exec(txn)
        .await?;
    if usize::try_from(updated.rows_affected).ok() != Some(moved.len()) {
        return Err(ServiceError::Internal(
            "a ledger account of the batch is missing".to_owned(),
        ));
    }
    Ok(())
}
