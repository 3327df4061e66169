//! `get_usage`: a page of the signed-in customer's own requests, filtered, with the totals of
//! the last 30 days for the charts.
#![allow(
    clippy::too_many_arguments,
    reason = "a server function takes one argument per filter field"
)]

use crate::error::AppError;
use crate::usage::UsagePageView;
use leptos::prelude::*;

/// Rows per page.
pub const USAGE_PAGE: u64 = 50;

#[server(prefix = "/api", endpoint = "get_usage")]
pub async fn get_usage(
    model: Option<String>,
    token: Option<String>,
    status: Option<String>,
    from: Option<String>,
    to: Option<String>,
    before: Option<i64>,
) -> Result<UsagePageView, AppError> {
    use crate::server::request::{fail, Call};
    use crate::server::services::api_tokens;
    use crate::server::services::proxy::records::{self, UsageFilter};
    use crate::server::views;

    let call = Call::current()?;
    let viewer = call.viewer()?;
    let db = call.state.db();
    let mut filter = UsageFilter::from_query(
        model.as_deref(),
        token.as_deref(),
        status.as_deref(),
        from.as_deref(),
        to.as_deref(),
    )
    .map_err(fail)?;
    filter.user_id = Some(viewer.user_id);
    filter.before_id = before;
    let mut rows = records::list(db, &filter, USAGE_PAGE + 1)
        .await
        .map_err(fail)?;
    let more = rows.len() as u64 > USAGE_PAGE;
    rows.truncate(USAGE_PAGE as usize);
    let (days, models) = records::totals(db, &filter, 30, chrono::Utc::now())
        .await
        .map_err(fail)?;
    let tokens: Vec<(i64, String)> = api_tokens::list(db, viewer.user_id)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    Ok(UsagePageView {
        next_before: more.then(|| rows.last().map(|r| r.id)).flatten(),
        rows: rows
            .into_iter()
            .map(|r| views::usage_row(r, &tokens))
            .collect(),
        days,
        models,
        tokens,
    })
}
