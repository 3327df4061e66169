//! `usage_records`: one row per proxied request: metadata and the bill, never content.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "usage_records")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The troubleshooting id returned to the client.
    pub request_id: String,
    pub user_id: i64,
    pub api_token_id: Option<i64>,
    pub started_at: DateTimeUtc,
    pub endpoint: String,
    pub stream: bool,
    pub public_model: String,
    pub upstream_model: String,
    pub provider_id: Option<i64>,
    pub provider_label: String,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub cache_read_tokens: i64,
    pub cache_write_5m_tokens: i64,
    pub cache_write_1h_tokens: i64,
    pub reasoning_tokens: i64,
    pub input_cost: i64,
    pub output_cost: i64,
    pub cache_read_cost: i64,
    pub cache_write_cost: i64,
    /// Micro-units taken from the wallet.
    pub charge: i64,
    /// The token's preference: `token_wallet` or `token_then_cash`.
    pub billing_mode: String,
    /// The wallet the charge came from, when anything was charged.
    pub wallet_charged: Option<String>,
    /// `ok`, `incomplete`, `failed`, `client_cancelled`, `upstream_error` or `rejected`.
    pub status: String,
    pub http_status: i32,
    /// Usage counts were out of range and clamped.
    pub usage_flagged: bool,
    pub latency_ms: i64,
    pub first_byte_ms: Option<i64>,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    pub region: Option<String>,
    /// JSON array of the providers that failed the request before the one that answered.
    pub failed_over_from: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
