//! `redemptions`: who redeemed which code, and the ledger transaction that credited them.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "redemptions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub code_id: i64,
    pub user_id: i64,
    /// This user's n-th redemption of this code; unique with the code and user, so racing
    /// requests of one user cannot pass the per-user limit.
    pub ordinal: i32,
    pub transaction_id: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
