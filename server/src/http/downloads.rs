//! Files people download: plain handlers beside the pages, behind the same authorization
//! middleware (the access policy in `app::auth` names these paths), answering CSV attachments.

use crate::http::session::error_response;
use app::auth::Viewer;
use app::error::AppError;
use app::paths;
use app::server::services::exports::{date_range, given};
use app::server::services::proxy::records::{self, UsageFilter};
use app::server::services::redemption::{self, NewBatch};
use app::server::services::wallets::{self, HistoryFilter};
use app::server::state::AppState;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use chrono::Utc;
use http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use http::HeaderMap;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::ACCOUNT_WALLET_CSV, get(wallet_history))
        .route(paths::ACCOUNT_USAGE_CSV, get(usage_requests))
        .route(paths::SETUP_SCRIPT, get(setup_script))
        .route(paths::ADMIN_REDEMPTION_CSV, post(redemption_batch))
}

fn attachment(file_name: &str, csv: String) -> Response {
    (
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (CACHE_CONTROL, "no-store".to_owned()),
        ],
        csv,
    )
        .into_response()
}

/// The CSV file, or the error in the shape the caller reads.
fn csv_answer(
    headers: &HeaderMap,
    file_name: &str,
    result: Result<String, impl Into<AppError>>,
) -> Response {
    match result {
        Ok(csv) => attachment(file_name, csv),
        Err(error) => error_response(headers, error.into()),
    }
}

#[derive(Debug, Deserialize)]
struct HistoryQuery {
    wallet: Option<String>,
    kind: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// The signed-in customer's own wallet history, filtered like the wallet page.
async fn wallet_history(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    headers: HeaderMap,
    Query(query): Query<HistoryQuery>,
) -> Response {
    let result = async {
        let filter = HistoryFilter::from_query(
            query.wallet.as_deref(),
            query.kind.as_deref(),
            query.from.as_deref(),
            query.to.as_deref(),
        )?;
        wallets::history_csv(state.db(), viewer.user_id, &filter, Utc::now()).await
    }
    .await;
    csv_answer(&headers, "wallet-history.csv", result)
}

/// The `codexclaude` script with this site's address in it. The address is the configured
/// base URL, validated at start-up as a bare http(s) origin, so it is safe inside single quotes.
async fn setup_script(State(state): State<AppState>) -> Response {
    let site = state.settings().public_base_url().trim_end_matches('/');
    let script = include_str!("../../assets/codexclaude.sh").replace("__SITE_URL__", site);
    (
        [
            (CONTENT_TYPE, "text/x-shellscript; charset=utf-8".to_owned()),
            (
                CONTENT_DISPOSITION,
                "inline; filename=\"codexclaude\"".to_owned(),
            ),
        ],
        script,
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
struct UsageQuery {
    model: Option<String>,
    token: Option<String>,
    status: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// The signed-in customer's own requests, filtered like the usage page.
async fn usage_requests(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    headers: HeaderMap,
    Query(query): Query<UsageQuery>,
) -> Response {
    let result = async {
        let mut filter = UsageFilter::from_query(
            query.model.as_deref(),
            query.token.as_deref(),
            query.status.as_deref(),
            query.from.as_deref(),
            query.to.as_deref(),
        )?;
        filter.user_id = Some(viewer.user_id);
        records::csv(state.db(), &filter).await
    }
    .await;
    csv_answer(&headers, "api-usage.csv", result)
}

#[derive(Debug, Deserialize)]
struct BatchForm {
    name: String,
    amount: String,
    count: String,
    max_redemptions: String,
    per_user_limit: Option<String>,
    /// Last day the codes work (`YYYY-MM-DD`, UTC, inclusive); empty: no expiry.
    expires_on: Option<String>,
    password: Option<String>,
    code: Option<String>,
}

fn whole_number(value: &str, field: &str) -> Result<i32, AppError> {
    value
        .trim()
        .parse()
        .map_err(|_| AppError::BadRequest(format!("{field} must be a whole number")))
}

impl BatchForm {
    fn batch(&self) -> Result<NewBatch, AppError> {
        let amount = app::money::parse_amount(&self.amount).map_err(AppError::BadRequest)?;
        let per_user_limit = given(self.per_user_limit.as_deref())
            .map(|v| whole_number(v, "the per-user limit"))
            .transpose()?;
        // The codes work through the whole last day: they expire where a range ending on it ends.
        let (_, expires_at) =
            date_range(None, given(self.expires_on.as_deref())).map_err(|_| {
                AppError::BadRequest("the expiry must be a date like 2026-12-31".to_owned())
            })?;
        Ok(NewBatch {
            name: self.name.clone(),
            amount,
            count: whole_number(&self.count, "the number of codes")?,
            max_redemptions: whole_number(&self.max_redemptions, "uses per code")?,
            per_user_limit,
            expires_at,
        })
    }
}

/// Makes a batch of redemption codes (admins, after step-up) and answers with the codes as a
/// CSV file: the database keeps only their hashes, so this answer is the one copy.
async fn redemption_batch(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    headers: HeaderMap,
    Form(form): Form<BatchForm>,
) -> Response {
    let now = Utc::now();
    let result = async {
        let batch = form.batch()?;
        state
            .accounts()
            .step_up(
                &viewer,
                form.password.as_deref().unwrap_or(""),
                form.code.as_deref().unwrap_or(""),
                now,
            )
            .await?;
        let made = redemption::make_batch(state.db(), &viewer, batch, now).await?;
        Ok::<_, AppError>((made.batch.id, redemption::codes_csv(&made)?))
    }
    .await;
    match result {
        Ok((id, csv)) => attachment(&format!("redemption-codes-{id}.csv"), csv),
        Err(error) => error_response(&headers, error),
    }
}
