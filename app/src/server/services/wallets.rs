//! Wallet operations on top of the ledger: admin grants and adjustments, customer transfers from
//! the Cash Wallet to the Token Wallet, admin payout records, and the customer's history.
//!
//! Every operation takes an idempotency key from the caller (a form's one-time key, a request
//! id), so a retried request never moves money twice.

use super::audit;
use super::ledger::{self, NewTransaction, Posted, Posting, SystemAccount, WalletKind};
use super::{exports, ServiceError};
use crate::auth::Viewer;
use chrono::{DateTime, Utc};
use entity::{ledger_entries, ledger_transactions};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::json;

/// Most history rows in one page.
pub const HISTORY_PAGE: u64 = 50;

/// Both wallets of a user, as (posted, held, available) micro-units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wallets {
    pub token: ledger::Balance,
    pub cash: ledger::Balance,
}

pub async fn wallets(
    db: &DatabaseConnection,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<Wallets, ServiceError> {
    let token = ledger::user_account(db, user_id, WalletKind::Token, now).await?;
    let cash = ledger::user_account(db, user_id, WalletKind::Cash, now).await?;
    Ok(Wallets {
        token: ledger::balance(db, token.id).await?,
        cash: ledger::balance(db, cash.id).await?,
    })
}

fn parse_reason(reason: &str) -> Result<String, ServiceError> {
    let reason = reason.trim();
    if reason.chars().count() < 3 || reason.chars().count() > 500 {
        return Err(ServiceError::Invalid(
            "give a reason of 3-500 characters; it is kept with the transaction".to_owned(),
        ));
    }
    Ok(reason.to_owned())
}

fn positive(amount: i64) -> Result<i64, ServiceError> {
    if amount <= 0 {
        return Err(ServiceError::Invalid(
            "the amount must be positive".to_owned(),
        ));
    }
    Ok(amount)
}

/// An admin credits (positive `amount`, from promotions) or corrects (negative, to adjustments)
/// a user's wallet, with a mandatory reason. Audited with the admin as actor.
#[allow(
    clippy::too_many_arguments,
    reason = "an admin money action carries all of these"
)]
pub async fn admin_adjust(
    db: &DatabaseConnection,
    actor: &Viewer,
    user_id: i64,
    wallet: WalletKind,
    amount: i64,
    reason: &str,
    idempotency_key: &str,
    now: DateTime<Utc>,
) -> Result<Posted, ServiceError> {
    let reason = parse_reason(reason)?;
    if amount == 0 {
        return Err(ServiceError::Invalid(
            "the amount must not be zero".to_owned(),
        ));
    }
    let account = ledger::user_account(db, user_id, wallet, now).await?;
    let (kind, counter) = if amount > 0 {
        ("admin_grant", SystemAccount::Promotions)
    } else {
        ("admin_adjustment", SystemAccount::Adjustments)
    };
    let counter = ledger::system_account(db, counter, now).await?;
    let posted = ledger::post(
        db,
        NewTransaction {
            idempotency_key: format!("admin:{idempotency_key}"),
            kind,
            reference: Some(format!("user:{user_id}")),
            memo: reason.clone(),
            actor_user_id: Some(actor.user_id),
            postings: vec![
                Posting {
                    account_id: account.id,
                    amount,
                },
                Posting {
                    account_id: counter.id,
                    amount: -amount,
                },
            ],
        },
    )
    .await?;
    audit_money_action(
        db,
        actor,
        user_id,
        posted,
        json!({ "action": kind, "wallet": wallet.as_str(), "amount": amount, "reason": reason }),
    )
    .await?;
    Ok(posted)
}

/// Audits an admin's money action the first time it posts (a retry audits nothing).
async fn audit_money_action(
    db: &DatabaseConnection,
    actor: &Viewer,
    user_id: i64,
    posted: Posted,
    mut detail: serde_json::Value,
) -> Result<(), ServiceError> {
    let Posted::New(transaction_id) = posted else {
        return Ok(());
    };
    detail["transaction_id"] = json!(transaction_id);
    audit::admin_action(db, actor.user_id, Some(user_id), detail).await?;
    Ok(())
}

/// A customer moves money from their Cash Wallet to their Token Wallet.
pub async fn transfer_cash_to_token(
    db: &DatabaseConnection,
    user_id: i64,
    amount: i64,
    idempotency_key: &str,
    now: DateTime<Utc>,
) -> Result<Posted, ServiceError> {
    let amount = positive(amount)?;
    let cash = ledger::user_account(db, user_id, WalletKind::Cash, now).await?;
    let token = ledger::user_account(db, user_id, WalletKind::Token, now).await?;
    ledger::post(
        db,
        NewTransaction {
            idempotency_key: format!("transfer:{user_id}:{idempotency_key}"),
            kind: "cash_to_token",
            reference: None,
            memo: "Cash Wallet to Token Wallet".to_owned(),
            actor_user_id: Some(user_id),
            postings: vec![
                Posting {
                    account_id: cash.id,
                    amount: -amount,
                },
                Posting {
                    account_id: token.id,
                    amount,
                },
            ],
        },
    )
    .await
}

/// An admin records money paid out of a user's Cash Wallet (bank transfer, PayPal…).
pub async fn admin_record_payout(
    db: &DatabaseConnection,
    actor: &Viewer,
    user_id: i64,
    amount: i64,
    reason: &str,
    idempotency_key: &str,
    now: DateTime<Utc>,
) -> Result<Posted, ServiceError> {
    let amount = positive(amount)?;
    let reason = parse_reason(reason)?;
    let cash = ledger::user_account(db, user_id, WalletKind::Cash, now).await?;
    let payouts = ledger::system_account(db, SystemAccount::Payouts, now).await?;
    let posted = ledger::post(
        db,
        NewTransaction {
            idempotency_key: format!("payout:{idempotency_key}"),
            kind: "payout",
            reference: Some(format!("user:{user_id}")),
            memo: reason.clone(),
            actor_user_id: Some(actor.user_id),
            postings: vec![
                Posting {
                    account_id: cash.id,
                    amount: -amount,
                },
                Posting {
                    account_id: payouts.id,
                    amount,
                },
            ],
        },
    )
    .await?;
    audit_money_action(
        db,
        actor,
        user_id,
        posted,
        json!({ "action": "payout", "amount": amount, "reason": reason }),
    )
    .await?;
    Ok(posted)
}

/// One line of a wallet's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryLine {
    pub entry_id: i64,
    pub wallet: WalletKind,
    pub amount: i64,
    pub kind: String,
    pub memo: String,
    pub reference: Option<String>,
    pub at: DateTime<Utc>,
}

/// Which history lines to read.
#[derive(Clone, Debug, Default)]
pub struct HistoryFilter {
    pub wallet: Option<WalletKind>,
    pub kind: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Lines older than this entry id (the last of the previous page).
    pub before_id: Option<i64>,
}

impl HistoryFilter {
    /// A filter from the page's query: wallet `token`/`cash`, a kind from
    /// [`crate::wallet::HISTORY_KINDS`], and `from`/`to` dates (`YYYY-MM-DD`, UTC, both
    /// inclusive). Empty values mean no filter.
    pub fn from_query(
        wallet: Option<&str>,
        kind: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Self, ServiceError> {
        use super::exports::given;
        let wallet = match given(wallet) {
            None => None,
            Some("token") => Some(WalletKind::Token),
            Some("cash") => Some(WalletKind::Cash),
            Some(other) => {
                return Err(ServiceError::Invalid(format!(
                    "unknown wallet '{other}': use token or cash"
                )))
            }
        };
        let kind = match given(kind) {
            None => None,
            Some(kind) if crate::wallet::HISTORY_KINDS.iter().any(|(k, _)| *k == kind) => {
                Some(kind.to_owned())
            }
            Some(other) => return Err(ServiceError::Invalid(format!("unknown kind '{other}'"))),
        };
        let (since, until) = exports::date_range(given(from), given(to))?;
        Ok(Self {
            wallet,
            kind,
            since,
            until,
            before_id: None,
        })
    }
}

/// The filtered history as CSV, newest first (at most [`exports::MAX_EXPORT_ROWS`]).
pub async fn history_csv<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    filter: &HistoryFilter,
    now: DateTime<Utc>,
) -> Result<String, ServiceError> {
    let lines = exports::read_all(
        |before| {
            let mut page = filter.clone();
            page.before_id = before;
            async move { history(db, user_id, &page, exports::EXPORT_PAGE, now).await }
        },
        |line| line.entry_id,
    )
    .await?;
    exports::csv_document(
        &[
            "time_utc",
            "wallet",
            "kind",
            "description",
            "reference",
            "amount",
            "amount_micros",
        ],
        lines.into_iter().map(|line| {
            vec![
                line.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                line.wallet.as_str().to_owned(),
                line.kind,
                line.memo,
                line.reference.unwrap_or_default(),
                crate::money::decimal_micros(line.amount),
                line.amount.to_string(),
            ]
        }),
    )
}

/// The user's wallet history, newest first, at most `limit` lines.
pub async fn history<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    filter: &HistoryFilter,
    limit: u64,
    now: DateTime<Utc>,
) -> Result<Vec<HistoryLine>, ServiceError> {
    let token = ledger::user_account(db, user_id, WalletKind::Token, now).await?;
    let cash = ledger::user_account(db, user_id, WalletKind::Cash, now).await?;
    let accounts: Vec<i64> = match filter.wallet {
        Some(WalletKind::Token) => vec![token.id],
        Some(WalletKind::Cash) => vec![cash.id],
        Some(WalletKind::SubscriptionAllowance) => Vec::new(),
        None => vec![token.id, cash.id],
    };
    let mut query = ledger_entries::Entity::find()
        .filter(ledger_entries::Column::AccountId.is_in(accounts))
        .find_also_related(ledger_transactions::Entity);
    if let Some(before) = filter.before_id {
        query = query.filter(ledger_entries::Column::Id.lt(before));
    }
    if let Some(since) = filter.since {
        query = query.filter(ledger_entries::Column::CreatedAt.gte(since));
    }
    if let Some(until) = filter.until {
        query = query.filter(ledger_entries::Column::CreatedAt.lt(until));
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(ledger_transactions::Column::Kind.eq(kind.as_str()));
    }
    let rows = query
        .order_by_desc(ledger_entries::Column::Id)
        .limit(limit.clamp(1, exports::EXPORT_PAGE))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(entry, transaction)| {
            let transaction = transaction?;
            Some(HistoryLine {
                entry_id: entry.id,
                wallet: if entry.account_id == token.id {
                    WalletKind::Token
                } else {
                    WalletKind::Cash
                },
                amount: entry.amount,
                kind: transaction.kind,
                memo: transaction.memo,
                reference: transaction.reference,
                at: entry.created_at,
            })
        })
        .collect())
}
