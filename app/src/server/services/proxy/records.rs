//! Usage records: one row per request the proxy answered or refused, with its bill. Metadata
//! only: the proxy never hands this module a prompt, code, tool output or response text.

use super::super::ServiceError;
use super::usage::{Cost, Usage};
use chrono::{DateTime, Utc};
use entity::usage_records;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ConnectionTrait, EntityTrait};

/// How a request ended, as recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// The upstream stopped early but reported usage (e.g. `response.incomplete`).
    Incomplete,
    /// The upstream reported a failure in-band.
    Failed,
    /// The client went away before the answer ended; billed for what the upstream produced.
    ClientCancelled,
    /// No upstream could answer.
    UpstreamError,
    /// Refused before forwarding (credit, limits, model).
    Rejected,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Incomplete => "incomplete",
            Outcome::Failed => "failed",
            Outcome::ClientCancelled => "client_cancelled",
            Outcome::UpstreamError => "upstream_error",
            Outcome::Rejected => "rejected",
        }
    }
}

/// Everything recorded about one request.
#[derive(Clone, Debug)]
pub struct UsageRecord {
    pub request_id: String,
    pub user_id: i64,
    pub api_token_id: i64,
    pub started_at: DateTime<Utc>,
    pub endpoint: &'static str,
    pub stream: bool,
    pub public_model: String,
    pub upstream_model: String,
    pub provider_id: Option<i64>,
    pub provider_label: String,
    pub usage: Usage,
    pub cost: Cost,
    pub billing_mode: &'static str,
    pub wallet_charged: Option<&'static str>,
    pub outcome: Outcome,
    pub http_status: u16,
    pub usage_flagged: bool,
    pub latency_ms: i64,
    pub first_byte_ms: Option<i64>,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    pub region: Option<String>,
}

/// Stores a record. User agents and regions are cut to a sane length.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    record: UsageRecord,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let cut = |value: Option<String>, max: usize| value.map(|v| v.chars().take(max).collect());
    usage_records::Entity::insert(usage_records::ActiveModel {
        id: NotSet,
        request_id: Set(record.request_id),
        user_id: Set(record.user_id),
        api_token_id: Set(Some(record.api_token_id)),
        started_at: Set(record.started_at),
        endpoint: Set(record.endpoint.to_owned()),
        stream: Set(record.stream),
        public_model: Set(record.public_model.chars().take(128).collect()),
        upstream_model: Set(record.upstream_model),
        provider_id: Set(record.provider_id),
        provider_label: Set(record.provider_label),
        input_tokens: Set(record.usage.input),
        output_tokens: Set(record.usage.output),
        cache_read_tokens: Set(record.usage.cache_read),
        cache_write_5m_tokens: Set(record.usage.cache_write_5m),
        cache_write_1h_tokens: Set(record.usage.cache_write_1h),
        reasoning_tokens: Set(record.usage.reasoning),
        input_cost: Set(record.cost.input),
        output_cost: Set(record.cost.output),
        cache_read_cost: Set(record.cost.cache_read),
        cache_write_cost: Set(record.cost.cache_write),
        charge: Set(record.cost.total),
        billing_mode: Set(record.billing_mode.to_owned()),
        wallet_charged: Set(record.wallet_charged.map(str::to_owned)),
        status: Set(record.outcome.as_str().to_owned()),
        http_status: Set(i32::from(record.http_status)),
        usage_flagged: Set(record.usage_flagged),
        latency_ms: Set(record.latency_ms),
        first_byte_ms: Set(record.first_byte_ms),
        client_ip: Set(record.client_ip),
        user_agent: Set(cut(record.user_agent, 256)),
        region: Set(cut(record.region, 8)),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(db)
    .await?;
    Ok(())
}
