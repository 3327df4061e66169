//! `redemption_batches`: a set of redemption codes an admin made, and their rules.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "redemption_batches")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    /// Micro-units credited to the Token Wallet per redemption.
    pub amount: i64,
    pub code_count: i32,
    /// How many times each code may be redeemed in all (1: single use).
    pub max_redemptions: i32,
    /// How many times one user may redeem the same code; none: no limit beyond the total.
    pub per_user_limit: Option<i32>,
    pub expires_at: Option<DateTimeUtc>,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
