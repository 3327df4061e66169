//! `rate_limit_counters`: hits per (scope, subject) in fixed time windows.

use sea_orm::entity::prelude::*;

/// Hits of one subject (an account, an IP) in one scope (`login_account`, `login_ip`, …) during
/// the window starting at `window_start`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rate_limit_counters")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub scope: String,
    pub subject: String,
    pub window_start: DateTimeUtc,
    pub hits: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
