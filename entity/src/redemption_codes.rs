//! `redemption_codes`: one code of a batch, stored as its SHA-256 with a display hint.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "redemption_codes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub batch_id: i64,
    pub code_hash: String,
    /// The code's last four characters, to recognise it in lists.
    pub code_hint: String,
    /// Redemptions so far; raised by a conditional update that never passes the batch's limit.
    pub redeemed_count: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
