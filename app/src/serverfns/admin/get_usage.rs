//! `admin_get_usage`: everyone's requests with the customer page's filters plus an account id,
//! the 30-day totals, and provider error rates of the last 24 hours. Staff.
#![allow(
    clippy::too_many_arguments,
    reason = "a server function takes one argument per filter field"
)]

use crate::error::AppError;
use crate::usage::AdminUsageView;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "admin_get_usage")]
pub async fn admin_get_usage(
    user: Option<String>,
    model: Option<String>,
    status: Option<String>,
    from: Option<String>,
    to: Option<String>,
    before: Option<i64>,
) -> Result<AdminUsageView, AppError> {
    use crate::server::request::{fail, Call};
    use crate::server::services::proxy::records::{self, UsageFilter};
    use crate::server::views;
    use crate::serverfns::usage::USAGE_PAGE;
    use crate::usage::UsagePageView;

    let call = Call::current()?;
    let db = call.state.db();
    let mut filter = UsageFilter::from_query(
        model.as_deref(),
        None,
        status.as_deref(),
        from.as_deref(),
        to.as_deref(),
    )
    .map_err(fail)?;
    filter.user_id = match user.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        Some(id) => Some(id.parse().map_err(|_| {
            fail(AppError::BadRequest(
                "the account must be an account id".to_owned(),
            ))
        })?),
        None => None,
    };
    filter.before_id = before;
    let now = chrono::Utc::now();
    let mut rows = records::list(db, &filter, USAGE_PAGE + 1)
        .await
        .map_err(fail)?;
    let more = rows.len() as u64 > USAGE_PAGE;
    rows.truncate(USAGE_PAGE as usize);
    let (days, models) = records::totals(db, &filter, 30, now).await.map_err(fail)?;
    let providers = records::provider_stats(db, now - chrono::Duration::hours(24))
        .await
        .map_err(fail)?;
    Ok(AdminUsageView {
        page: UsagePageView {
            next_before: more.then(|| rows.last().map(|r| r.id)).flatten(),
            rows: rows.into_iter().map(|r| views::usage_row(r, &[])).collect(),
            days,
            models,
            tokens: Vec::new(),
        },
        providers,
    })
}
