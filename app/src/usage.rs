//! What the usage pages show, as sent from server functions to the browser.

use serde::{Deserialize, Serialize};

/// One proxied request as its owner sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageRowView {
    pub id: i64,
    pub user_id: i64,
    pub at: String,
    pub endpoint: String,
    pub model: String,
    pub token: String,
    pub status: String,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub cache_read_tokens: i64,
    pub cache_write_tokens: i64,
    pub charge: i64,
    pub latency_ms: i64,
    pub request_id: String,
}

/// One day of the spend chart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayTotal {
    /// `2026-11-28`
    pub day: String,
    pub charge: i64,
    pub tokens: i64,
}

/// Tokens and spend of one model over the chart's period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelTotal {
    pub model: String,
    pub tokens: i64,
    pub charge: i64,
}

/// The usage page: a page of requests and the charts of the last 30 days.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsagePageView {
    pub rows: Vec<UsageRowView>,
    pub next_before: Option<i64>,
    pub days: Vec<DayTotal>,
    pub models: Vec<ModelTotal>,
    /// (id, name) of the caller's tokens, for the filter.
    pub tokens: Vec<(i64, String)>,
}

/// How one provider fared over a period: every attempt it got, including those another
/// provider took over after it failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderStat {
    pub provider: String,
    pub requests: i64,
    pub errors: i64,
    /// Errors per thousand attempts (integer arithmetic; shown as a percentage).
    pub errors_per_mille: i64,
}

/// The staff usage page: everyone's requests, and provider error rates.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUsageView {
    pub page: UsagePageView,
    pub providers: Vec<ProviderStat>,
}

/// Request statuses a usage filter accepts, with labels.
pub const USAGE_STATUSES: &[(&str, &str)] = &[
    ("ok", "Completed"),
    ("incomplete", "Incomplete"),
    ("failed", "Failed"),
    ("client_cancelled", "Cancelled by the client"),
    ("upstream_error", "Provider error"),
    ("rejected", "Refused"),
];
