//! `upstream_providers`: where the proxy sends requests. The API key is stored sealed (see
//! `app::server::services::secrets`) and never shown again after it is entered.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "upstream_providers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    /// `anthropic` or `openai`.
    pub protocol: String,
    pub base_url: String,
    pub api_key_sealed: String,
    pub api_key_last4: String,
    /// Lower is tried first; within one priority, `weight` shares the traffic.
    pub priority: i32,
    pub weight: i32,
    pub enabled: bool,
    pub consecutive_failures: i32,
    pub last_failure_at: Option<DateTimeUtc>,
    /// A status or error class, never upstream text.
    pub last_failure: Option<String>,
    pub last_success_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
