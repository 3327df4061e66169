//! `token_spend`: what one API token spent and holds in one period, for its spend limits.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "token_spend")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub api_token_id: i64,
    /// `day`, `month` or `total`.
    pub period: String,
    /// `2026-11-28`, `2026-11` or `all` (UTC).
    pub period_start: String,
    pub spent: i64,
    pub held: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
