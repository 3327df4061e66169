//! `api_tokens`: the keys coding agents use against the proxy.

use sea_orm::entity::prelude::*;

/// One token. The secret exists in plain text only in the answer that created it; `secret_hash`
/// is its SHA-256. `public_id` (in the token itself) finds the row without scanning hashes.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub public_id: String,
    pub secret_hash: String,
    pub last4: String,
    pub name: String,
    pub expires_at: Option<DateTimeUtc>,
    /// Set on revocation, or in the future for a rotated token's grace period.
    pub revoked_at: Option<DateTimeUtc>,
    /// The token that replaced this one in a rotation.
    pub replaced_by_id: Option<i64>,
    /// Spend limits in micro-units.
    pub daily_limit: Option<i64>,
    pub monthly_limit: Option<i64>,
    pub total_limit: Option<i64>,
    /// JSON arrays; none means any model, any address.
    pub allowed_models: Option<String>,
    pub allowed_ips: Option<String>,
    /// `token_wallet` or `token_then_cash`.
    pub billing_source: String,
    pub last_used_at: Option<DateTimeUtc>,
    pub last_used_ip: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::UserId",
        to = "super::users::Column::Id"
    )]
    Owner,
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Owner.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
