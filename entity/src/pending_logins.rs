//! `pending_logins`: sign-ins that passed the first step and wait for the TOTP code.

use sea_orm::entity::prelude::*;

/// One half-finished sign-in. Not a session: only the second step accepts its token.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pending_logins")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub token_hash: String,
    pub user_id: i64,
    /// `password` or `magic_link`: how the first step was passed.
    pub method: String,
    /// Codes tried so far (the successful one included); the sign-in dies at five.
    pub attempts: i32,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub expires_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
