//! `ledger_accounts`: a user's Token Wallet, Cash Wallet or subscription allowance, or a system
//! account (payments clearing, revenue, promotions…).

use sea_orm::entity::prelude::*;

/// One account. `posted_balance` always equals the sum of its entries (updated in the same
/// transaction as they are written); `held_balance` is the sum of its pending holds.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_accounts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: Option<i64>,
    /// `token_wallet`, `cash_wallet`, `subscription_allowance` or `system`.
    pub kind: String,
    pub system_code: Option<String>,
    pub posted_balance: i64,
    pub held_balance: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
