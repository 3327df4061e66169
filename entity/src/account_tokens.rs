//! `account_tokens`: single-use tokens sent by email (verify address, reset password, sign-in
//! link, confirm a new address).

use sea_orm::entity::prelude::*;

/// One token. Only its SHA-256 is stored; `used_at` is set once, by the request that spends it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    /// `verify_email`, `reset_password`, `magic_login` or `change_email` (check constraint).
    pub purpose: String,
    pub token_hash: String,
    /// For `change_email`: the address being confirmed.
    pub new_email: Option<String>,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
