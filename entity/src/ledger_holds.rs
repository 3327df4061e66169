//! `ledger_holds`: money reserved on an account before its final amount is known (an API
//! request in flight). Pending until settled (posted) or voided (released).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_holds")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    pub amount: i64,
    /// `pending`, `settled` or `voided`.
    pub status: String,
    pub idempotency_key: String,
    pub reference: Option<String>,
    /// A pending hold past this time is voided by the sweeper (its request must have died).
    pub expires_at: DateTimeUtc,
    pub settled_amount: Option<i64>,
    /// The transaction that posted the settled amount.
    pub transaction_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
