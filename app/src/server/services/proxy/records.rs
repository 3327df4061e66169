//! Usage records: one row per request the proxy answered or refused, with its bill. Metadata
//! only: the proxy never hands this module a prompt, code, tool output or response text.

use super::super::{exports, ServiceError};
use super::usage::{Cost, Usage};
use chrono::{DateTime, Duration, Utc};
use entity::usage_records::{self, Column};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

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
    /// Providers that failed this request before the last one tried, in order.
    pub failed_over_from: Vec<String>,
}

/// Stores a record.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    record: UsageRecord,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    usage_records::Entity::insert(row(record, now))
        .exec(db)
        .await?;
    Ok(())
}

/// Stores records in one statement.
pub async fn insert_many<C: ConnectionTrait>(
    db: &C,
    records: Vec<UsageRecord>,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    usage_records::Entity::insert_many(records.into_iter().map(|record| row(record, now)))
        .exec(db)
        .await?;
    Ok(())
}

/// A record's row. User agents and regions are cut to a sane length.
fn row(record: UsageRecord, now: DateTime<Utc>) -> usage_records::ActiveModel {
    let cut = |value: Option<String>, max: usize| value.map(|v| v.chars().take(max).collect());
    usage_records::ActiveModel {
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
        failed_over_from: Set((!record.failed_over_from.is_empty())
            .then(|| serde_json::Value::from(record.failed_over_from).to_string())),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// Which usage records to read.
#[derive(Clone, Debug, Default)]
pub struct UsageFilter {
    /// Only this user's (always set for customers).
    pub user_id: Option<i64>,
    pub model: Option<String>,
    pub token_id: Option<i64>,
    pub status: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Records older than this id (the last of the previous page).
    pub before_id: Option<i64>,
}

impl UsageFilter {
    /// A filter from a page's query: `model`, `token` (id), `status` (see
    /// [`crate::usage::USAGE_STATUSES`]), `from`/`to` dates (`YYYY-MM-DD`, UTC, inclusive).
    pub fn from_query(
        model: Option<&str>,
        token: Option<&str>,
        status: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Self, ServiceError> {
        use super::super::exports::given;
        let token_id = given(token)
            .map(|t| {
                t.parse::<i64>()
                    .map_err(|_| ServiceError::Invalid("the token must be a token id".to_owned()))
            })
            .transpose()?;
        let status = match given(status) {
            None => None,
            Some(s) if crate::usage::USAGE_STATUSES.iter().any(|(k, _)| *k == s) => {
                Some(s.to_owned())
            }
            Some(other) => return Err(ServiceError::Invalid(format!("unknown status '{other}'"))),
        };
        let (since, until) = exports::date_range(given(from), given(to))?;
        Ok(Self {
            user_id: None,
            model: given(model).map(str::to_owned),
            token_id,
            status,
            since,
            until,
            before_id: None,
        })
    }

    fn apply(
        &self,
        mut query: sea_orm::Select<usage_records::Entity>,
    ) -> sea_orm::Select<usage_records::Entity> {
        if let Some(user_id) = self.user_id {
            query = query.filter(Column::UserId.eq(user_id));
        }
        if let Some(model) = &self.model {
            query = query.filter(Column::PublicModel.eq(model.as_str()));
        }
        if let Some(token_id) = self.token_id {
            query = query.filter(Column::ApiTokenId.eq(token_id));
        }
        if let Some(status) = &self.status {
            query = query.filter(Column::Status.eq(status.as_str()));
        }
        if let Some(since) = self.since {
            query = query.filter(Column::StartedAt.gte(since));
        }
        if let Some(until) = self.until {
            query = query.filter(Column::StartedAt.lt(until));
        }
        if let Some(before) = self.before_id {
            query = query.filter(Column::Id.lt(before));
        }
        query
    }
}

/// Records matching `filter`, newest first, at most `limit`.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &UsageFilter,
    limit: u64,
) -> Result<Vec<usage_records::Model>, ServiceError> {
    Ok(filter
        .apply(usage_records::Entity::find())
        .order_by_desc(Column::Id)
        .limit(limit.clamp(1, 5_000))
        .all(db)
        .await?)
}

/// What the charts read of a record: start, model, charge and the five token counts.
type ChartRow = (DateTime<Utc>, String, i64, i64, i64, i64, i64, i64);

/// Spend and tokens per day (UTC) and per model over the `days` days up to `now`, for the
/// charts; days without requests are included with zeros.
pub async fn totals<C: ConnectionTrait>(
    db: &C,
    filter: &UsageFilter,
    days: i64,
    now: DateTime<Utc>,
) -> Result<(Vec<crate::usage::DayTotal>, Vec<crate::usage::ModelTotal>), ServiceError> {
    let first = (now - Duration::days(days - 1)).date_naive();
    let mut scoped = filter.clone();
    scoped.before_id = None;
    scoped.since = Some(first.and_hms_opt(0, 0, 0).map_or(now, |t| t.and_utc()));
    scoped.until = None;
    let rows: Vec<ChartRow> = scoped
        .apply(usage_records::Entity::find())
        .select_only()
        .columns([
            Column::StartedAt,
            Column::PublicModel,
            Column::Charge,
            Column::InputTokens,
            Column::OutputTokens,
            Column::CacheReadTokens,
            Column::CacheWrite5mTokens,
            Column::CacheWrite1hTokens,
        ])
        .into_tuple()
        .all(db)
        .await?;
    let mut day_totals: Vec<crate::usage::DayTotal> = (0..days)
        .map(|n| crate::usage::DayTotal {
            day: (first + Duration::days(n)).format("%Y-%m-%d").to_string(),
            charge: 0,
            tokens: 0,
        })
        .collect();
    let mut models: Vec<crate::usage::ModelTotal> = Vec::new();
    for (at, model, charge, input, output, read, write_5m, write_1h) in rows {
        let tokens = input + output + read + write_5m + write_1h;
        let day = at.format("%Y-%m-%d").to_string();
        if let Some(total) = day_totals.iter_mut().find(|d| d.day == day) {
            total.charge += charge;
            total.tokens += tokens;
        }
        match models.iter_mut().find(|m| m.model == model) {
            Some(total) => {
                total.charge += charge;
                total.tokens += tokens;
            }
            None => models.push(crate::usage::ModelTotal {
                model,
                tokens,
                charge,
            }),
        }
    }
    models.sort_by(|a, b| b.tokens.cmp(&a.tokens).then(a.model.cmp(&b.model)));
    Ok((day_totals, models))
}

/// Records matching `filter` as CSV, newest first (at most
/// [`exports::MAX_EXPORT_ROWS`]).
pub async fn csv<C: ConnectionTrait>(db: &C, filter: &UsageFilter) -> Result<String, ServiceError> {
    let rows = exports::read_all(
        |before| {
            let mut page = filter.clone();
            page.before_id = before;
            async move { list(db, &page, exports::EXPORT_PAGE).await }
        },
        |row| row.id,
    )
    .await?;
    exports::csv_document(
        &[
            "started_utc",
            "request_id",
            "endpoint",
            "model",
            "api_token_id",
            "status",
            "http_status",
            "stream",
            "input_tokens",
            "output_tokens",
            "cache_read_tokens",
            "cache_write_5m_tokens",
            "cache_write_1h_tokens",
            "reasoning_tokens",
            "charge",
            "charge_micros",
            "wallet",
            "latency_ms",
            "first_byte_ms",
        ],
        rows.into_iter().map(|r| {
            vec![
                r.started_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                r.request_id,
                r.endpoint,
                r.public_model,
                r.api_token_id.map(|id| id.to_string()).unwrap_or_default(),
                r.status,
                r.http_status.to_string(),
                r.stream.to_string(),
                r.input_tokens.to_string(),
                r.output_tokens.to_string(),
                r.cache_read_tokens.to_string(),
                r.cache_write_5m_tokens.to_string(),
                r.cache_write_1h_tokens.to_string(),
                r.reasoning_tokens.to_string(),
                crate::money::decimal_micros(r.charge),
                r.charge.to_string(),
                r.wallet_charged.unwrap_or_default(),
                r.latency_ms.to_string(),
                r.first_byte_ms.map(|ms| ms.to_string()).unwrap_or_default(),
            ]
        }),
    )
}

/// Requests and errors per provider since `since` (requests refused before reaching a
/// provider are not counted). An error is an attempt that ended as `upstream_error`.
pub async fn provider_stats<C: ConnectionTrait>(
    db: &C,
    since: DateTime<Utc>,
) -> Result<Vec<crate::usage::ProviderStat>, ServiceError> {
    let rows: Vec<(String, String, Option<String>)> = usage_records::Entity::find()
        .select_only()
        .columns([
            Column::ProviderLabel,
            Column::Status,
            Column::FailedOverFrom,
        ])
        .filter(Column::StartedAt.gte(since))
        .filter(Column::ProviderLabel.ne(""))
        .limit(200_000)
        .into_tuple()
        .all(db)
        .await?;
    let mut stats: Vec<crate::usage::ProviderStat> = Vec::new();
    let mut count = |provider: &str, failed: bool| {
        let error = i64::from(failed);
        match stats.iter_mut().find(|s| s.provider == provider) {
            Some(stat) => {
                stat.requests += 1;
                stat.errors += error;
            }
            None => stats.push(crate::usage::ProviderStat {
                provider: provider.to_owned(),
                requests: 1,
                errors: error,
                errors_per_mille: 0,
            }),
        }
    };
    for (provider, status, failed_over_from) in rows {
        // Every provider that failed the request before the last one counts an error too.
        let failed_before: Vec<String> = failed_over_from
            .and_then(|list| serde_json::from_str(&list).ok())
            .unwrap_or_default();
        for earlier in &failed_before {
            count(earlier, true);
        }
        count(&provider, status == Outcome::UpstreamError.as_str());
    }
    for stat in &mut stats {
        stat.errors_per_mille = stat.errors * 1000 / stat.requests.max(1);
    }
    stats.sort_by(|a, b| a.provider.cmp(&b.provider));
    Ok(stats)
}
