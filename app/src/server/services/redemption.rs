//! Redemption codes: admins make batches (amount, count, expiry, uses per code, per-user limit)
//! and export them once; customers redeem them into the Token Wallet.
//!
//! A code can never be redeemed more often than allowed, however many people try at once: the
//! use counter rises only through a conditional update, the per-user count through a unique
//! (code, user, ordinal) row, and both commit together with the ledger credit or not at all.

use super::audit;
use super::ledger::{self, NewTransaction, Posting, SystemAccount, WalletKind};
use super::secrets::sha256_hex;
use super::{exports, throttle, ServiceError};
use crate::auth::Viewer;
use chrono::{DateTime, Utc};
use entity::{redemption_batches, redemption_codes, redemptions};
use rand::RngCore as _;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::json;

/// Letters and digits that read unambiguously (no 0/O, 1/I/L).
const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// 16 characters from a 31-letter alphabet: about 79 bits.
const CODE_CHARS: usize = 16;
pub const MAX_CODES_PER_BATCH: i32 = 10_000;

/// A batch to make.
#[derive(Clone, Debug)]
pub struct NewBatch {
    pub name: String,
    pub amount: i64,
    pub count: i32,
    pub max_redemptions: i32,
    pub per_user_limit: Option<i32>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A made batch and its codes in plain text, which exist only in this answer (for the one CSV
/// export); the database keeps hashes.
#[derive(Debug)]
pub struct MadeBatch {
    pub batch: redemption_batches::Model,
    pub codes: Vec<String>,
}

fn new_code() -> String {
    let mut bytes = [0_u8; CODE_CHARS];
    rand::rng().fill_bytes(&mut bytes);
    let chars: String = bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect();
    format!(
        "CDX-{}-{}-{}-{}",
        &chars[0..4],
        &chars[4..8],
        &chars[8..12],
        &chars[12..16]
    )
}

/// A typed code as stored: upper case, without the prefix, spaces and dashes.
fn normalise(code: &str) -> String {
    let upper: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    upper.strip_prefix("CDX").unwrap_or(&upper).to_owned()
}

/// Makes a batch of codes (admins only; the caller checks step-up). Audited.
pub async fn make_batch(
    db: &DatabaseConnection,
    actor: &Viewer,
    batch: NewBatch,
    now: DateTime<Utc>,
) -> Result<MadeBatch, ServiceError> {
    let name = batch.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ServiceError::Invalid(
            "the batch name must be 1-100 characters".to_owned(),
        ));
    }
    if batch.amount <= 0 {
        return Err(ServiceError::Invalid(
            "the amount must be positive".to_owned(),
        ));
    }
    if !(1..=MAX_CODES_PER_BATCH).contains(&batch.count) {
        return Err(ServiceError::Invalid(format!(
            "a batch has 1-{MAX_CODES_PER_BATCH} codes"
        )));
    }
    if batch.max_redemptions < 1 || batch.per_user_limit.is_some_and(|limit| limit < 1) {
        return Err(ServiceError::Invalid(
            "uses per code and the per-user limit must be at least 1".to_owned(),
        ));
    }
    if batch.expires_at.is_some_and(|at| at <= now) {
        return Err(ServiceError::Invalid(
            "the expiry must be in the future".to_owned(),
        ));
    }
    let txn = crate::server::services::begin_write(db).await?;
    let made = redemption_batches::Entity::insert(redemption_batches::ActiveModel {
        id: NotSet,
        name: Set(name),
        amount: Set(batch.amount),
        code_count: Set(batch.count),
        max_redemptions: Set(batch.max_redemptions),
        per_user_limit: Set(batch.per_user_limit),
        expires_at: Set(batch.expires_at),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(&*txn)
    .await?;
    let codes: Vec<String> = (0..batch.count).map(|_| new_code()).collect();
    for chunk in codes.chunks(500) {
        redemption_codes::Entity::insert_many(chunk.iter().map(|code| {
            let stored = normalise(code);
            redemption_codes::ActiveModel {
                id: NotSet,
                batch_id: Set(made.id),
                code_hint: Set(stored[stored.len() - 4..].to_owned()),
                code_hash: Set(sha256_hex(&stored)),
                redeemed_count: Set(0),
                created_at: Set(now),
                updated_at: Set(now),
            }
        }))
        .exec(&*txn)
        .await?;
    }
    audit::admin_action(
        &*txn,
        actor.user_id,
        None,
        json!({
            "action": "redemption_batch_created",
            "batch_id": made.id,
            "codes": batch.count,
            "amount": batch.amount,
        }),
    )
    .await?;
    txn.commit().await?;
    Ok(MadeBatch { batch: made, codes })
}

/// Codes made as CSV (`code,amount,amount_micros,uses_per_code,expires_at`), for the one export
/// after making them.
pub fn codes_csv(made: &MadeBatch) -> Result<String, ServiceError> {
    let batch = &made.batch;
    let expires = batch
        .expires_at
        .map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default();
    exports::csv_document(
        &[
            "code",
            "amount",
            "amount_micros",
            "uses_per_code",
            "expires_at",
        ],
        made.codes.iter().map(|code| {
            vec![
                code.clone(),
                crate::money::decimal_micros(batch.amount),
                batch.amount.to_string(),
                batch.max_redemptions.to_string(),
                expires.clone(),
            ]
        }),
    )
}

/// A batch and how often its codes have been redeemed so far.
#[derive(Clone, Debug)]
pub struct BatchSummary {
    pub batch: redemption_batches::Model,
    pub redeemed: i64,
}

/// The newest batches (at most `limit`) with their redemption counts.
pub async fn list_batches(
    db: &DatabaseConnection,
    limit: u64,
) -> Result<Vec<BatchSummary>, ServiceError> {
    let batches = redemption_batches::Entity::find()
        .order_by_desc(redemption_batches::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let ids: Vec<i64> = batches.iter().map(|b| b.id).collect();
    let counts: Vec<(i64, Option<i64>)> = redemption_codes::Entity::find()
        .select_only()
        .column(redemption_codes::Column::BatchId)
        .column_as(
            // SUM of an INTEGER is a BIGINT on PostgreSQL and an integer on SQLite: i64 both.
            Expr::col(redemption_codes::Column::RedeemedCount).sum(),
            "redeemed",
        )
        .filter(redemption_codes::Column::BatchId.is_in(ids))
        .group_by(redemption_codes::Column::BatchId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(batches
        .into_iter()
        .map(|batch| {
            let redeemed = counts
                .iter()
                .find(|(id, _)| *id == batch.id)
                .and_then(|(_, n)| *n)
                .unwrap_or(0);
            BatchSummary { batch, redeemed }
        })
        .collect())
}

fn invalid_code() -> ServiceError {
    ServiceError::Invalid("this code is not valid; check it and try again".to_owned())
}

/// Redeems a code into the user's Token Wallet; returns the amount credited.
pub async fn redeem(
    db: &DatabaseConnection,
    user_id: i64,
    code: &str,
    now: DateTime<Utc>,
) -> Result<i64, ServiceError> {
    throttle::enforce(
        db,
        &throttle::REDEMPTIONS_PER_USER,
        &user_id.to_string(),
        now,
    )
    .await?;
    let typed = normalise(code);
    if typed.len() != CODE_CHARS {
        return Err(invalid_code());
    }
    let Some(found) = redemption_codes::Entity::find()
        .filter(redemption_codes::Column::CodeHash.eq(sha256_hex(&typed)))
        .one(db)
        .await?
    else {
        return Err(invalid_code());
    };
    let batch = redemption_batches::Entity::find_by_id(found.batch_id)
        .one(db)
        .await?
        .ok_or_else(invalid_code)?;
    if batch.expires_at.is_some_and(|at| at <= now) {
        return Err(ServiceError::Invalid("this code has expired".to_owned()));
    }
    let wallet = ledger::user_account(db, user_id, WalletKind::Token, now).await?;
    let promotions = ledger::system_account(db, SystemAccount::Promotions, now).await?;

    let txn = crate::server::services::begin_write(db).await?;
    let counted = redemption_codes::Entity::update_many()
        .col_expr(
            redemption_codes::Column::RedeemedCount,
            Expr::col(redemption_codes::Column::RedeemedCount).add(1),
        )
        .col_expr(redemption_codes::Column::UpdatedAt, Expr::value(now))
        .filter(redemption_codes::Column::Id.eq(found.id))
        .filter(redemption_codes::Column::RedeemedCount.lt(batch.max_redemptions))
        .exec(&*txn)
        .await?;
    if counted.rows_affected != 1 {
        return Err(ServiceError::Invalid(
            "this code has already been used".to_owned(),
        ));
    }
    let earlier = redemptions::Entity::find()
        .filter(redemptions::Column::CodeId.eq(found.id))
        .filter(redemptions::Column::UserId.eq(user_id))
        .count(&*txn)
        .await?;
    let ordinal = i32::try_from(earlier + 1).map_err(|e| ServiceError::Internal(e.to_string()))?;
    if batch.per_user_limit.is_some_and(|limit| ordinal > limit) {
        return Err(ServiceError::Invalid(
            "you have already redeemed this code".to_owned(),
        ));
    }
    let transaction_id = ledger::post_within(
        &txn,
        &NewTransaction {
            idempotency_key: format!("redeem:{}:{user_id}:{ordinal}", found.id),
            kind: "redemption",
            reference: Some(format!("code …{}", found.code_hint)),
            memo: format!("Redemption code ({})", batch.name),
            actor_user_id: Some(user_id),
            postings: vec![
                Posting {
                    account_id: wallet.id,
                    amount: batch.amount,
                },
                Posting {
                    account_id: promotions.id,
                    amount: -batch.amount,
                },
            ],
        },
        now,
    )
    .await;
    let transaction_id = match transaction_id {
        Ok(id) => id,
        // The same user redeeming at the same moment: one of the two wins.
        Err(ServiceError::Conflict { .. }) => {
            return Err(ServiceError::Invalid(
                "this code is being redeemed already; please try again".to_owned(),
            ))
        }
        Err(other) => return Err(other),
    };
    let recorded = redemptions::Entity::insert(redemptions::ActiveModel {
        id: NotSet,
        code_id: Set(found.id),
        user_id: Set(user_id),
        ordinal: Set(ordinal),
        transaction_id: Set(transaction_id),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(&*txn)
    .await;
    match recorded.map_err(ServiceError::from) {
        Ok(_) => {}
        Err(ServiceError::Conflict { .. }) => {
            return Err(ServiceError::Invalid(
                "this code is being redeemed already; please try again".to_owned(),
            ))
        }
        Err(other) => return Err(other),
    }
    txn.commit().await?;
    Ok(batch.amount)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_long_unambiguous_and_forgive_typing() {
        let code = new_code();
        assert_eq!(code.len(), "CDX-".len() + 16 + 3);
        assert!(!code[4..].contains(['0', 'O', '1', 'I', 'L']));
        assert_eq!(
            normalise(&code.to_lowercase().replace('-', " ")).len(),
            CODE_CHARS
        );
        assert_eq!(normalise(&code), normalise(&code[4..]));
    }
}
