//! `token_holds`: the spend-limit counters a request's wallet hold reserved, released with it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "token_holds")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ledger_hold_id: i64,
    pub api_token_id: i64,
    pub amount: i64,
    pub day_start: String,
    pub month_start: String,
    pub released_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
