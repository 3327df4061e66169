//! `ledger_transactions`: one movement of money, made of entries that sum to zero. Insert-only;
//! a correction is a new transaction that reverses an earlier one.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_transactions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Unique: a retried request with the same key finds the first transaction instead of
    /// moving money again.
    pub idempotency_key: String,
    pub kind: String,
    /// What caused it: a request id, an order id, a redemption code…
    pub reference: Option<String>,
    pub memo: String,
    pub actor_user_id: Option<i64>,
    /// The transaction this one reverses, if it is a correction.
    pub reverses_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
