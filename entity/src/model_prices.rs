//! `model_prices`: the price list per public model name, with history. The row in force for a
//! model is the one with the latest `effective_from` not in the future.

use sea_orm::entity::prelude::*;

/// Prices in ledger micro-units (1 USD = 1,000,000) per million tokens. Integers only: money
/// never touches floating point.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "model_prices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub model: String,
    pub input_per_mtok: i64,
    pub output_per_mtok: i64,
    pub cache_write_5m_per_mtok: i64,
    pub cache_write_1h_per_mtok: i64,
    pub cache_read_per_mtok: i64,
    pub effective_from: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
