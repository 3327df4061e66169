//! The customer's API usage: charts of the last 30 days (spend per day, tokens per model, drawn
//! as plain SVG), the requests with filters and pages, and a CSV export of what the filter
//! selects. Only counts and amounts: prompts and answers are never kept.

use crate::bootstrap::use_bootstrap;
use crate::money::format_micros;
use crate::paths::{self, test_ids};
use crate::serverfns::usage::get_usage;
use crate::ui::components::forms::{query_param, url_query};
use crate::ui::components::loading::loaded;
use crate::usage::{DayTotal, ModelTotal, UsagePageView, USAGE_STATUSES};
use leptos::prelude::*;
use leptos_meta::Title;

/// The filter as the page's query holds it.
#[derive(Clone, Debug, Default, PartialEq)]
struct UsageQuery {
    model: String,
    token: String,
    status: String,
    from: String,
    to: String,
}

impl UsageQuery {
    fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("model", self.model.clone()),
            ("token", self.token.clone()),
            ("status", self.status.clone()),
            ("from", self.from.clone()),
            ("to", self.to.clone()),
        ]
    }
}

#[component]
pub fn UsagePage() -> impl IntoView {
    let (model, token, status, from, to) = (
        query_param("model"),
        query_param("token"),
        query_param("status"),
        query_param("from"),
        query_param("to"),
    );
    let before = query_param("before");
    let filter = Memo::new(move |_| UsageQuery {
        model: model.get().unwrap_or_default(),
        token: token.get().unwrap_or_default(),
        status: status.get().unwrap_or_default(),
        from: from.get().unwrap_or_default(),
        to: to.get().unwrap_or_default(),
    });
    let data = Resource::new(
        move || (filter.get(), before.get()),
        |(filter, before)| {
            let given = |v: String| (!v.is_empty()).then_some(v);
            get_usage(
                given(filter.model),
                given(filter.token),
                given(filter.status),
                given(filter.from),
                given(filter.to),
                before.and_then(|b| b.parse().ok()),
            )
        },
    );
    view! {
        <Title text="Usage" />
        <section class="container">
            <h1>"Usage"</h1>
            {loaded(data, move |view| view! { <Usage view filter=filter.get_untracked() /> })}
        </section>
    }
}

#[component]
fn Usage(view: UsagePageView, filter: UsageQuery) -> impl IntoView {
    let csv = format!(
        "{}?{}",
        paths::ACCOUNT_USAGE_CSV,
        url_query(&filter.pairs())
    );
    let next = view.next_before.map(|before| {
        let mut pairs = filter.pairs();
        pairs.push(("before", before.to_string()));
        let query = url_query(&pairs);
        view! { <a href=format!("{}?{query}", paths::ACCOUNT_USAGE)>"Older requests"</a> }
    });
    view! {
        <h2>"Last 30 days"</h2>
        <div class="charts">
            <SpendChart days=view.days />
            <ModelChart models=view.models />
        </div>
        <h2>"Requests"</h2>
        <FilterForm filter tokens=view.tokens />
        <p>
            <a href=csv download="api-usage.csv" rel="external">"Download as CSV"</a>
            " (everything the filter selects)"
        </p>
        <UsageTable rows=view.rows show_account=false />
        {next}
    }
}

/// Requests as rows; `show_account` adds the account id staff need.
#[component]
pub fn UsageTable(rows: Vec<crate::usage::UsageRowView>, show_account: bool) -> impl IntoView {
    let currency = use_bootstrap().site.currency;
    let rows = rows
        .into_iter()
        .map(|row| {
            view! {
                <tr>
                    <td>{row.at}</td>
                    {show_account.then(|| view! {
                        <td><a href=paths::admin_user(row.user_id)>{row.user_id}</a></td>
                    })}
                    <td>{row.model}</td>
                    <td>{row.token}</td>
                    <td>{row.endpoint}</td>
                    <td>{row.status}</td>
                    <td class="number">{row.input_tokens}</td>
                    <td class="number">{row.output_tokens}</td>
                    <td class="number">{row.cache_read_tokens}</td>
                    <td class="number">{row.cache_write_tokens}</td>
                    <td class="number">{format_micros(row.charge, &currency)}</td>
                    <td class="number">{format!("{} ms", row.latency_ms)}</td>
                    <td><code>{row.request_id}</code></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table data-testid=test_ids::USAGE_ROWS>
                <thead>
                    <tr>
                        <th scope="col">"When"</th>
                        {show_account.then(|| view! { <th scope="col">"Account"</th> })}
                        <th scope="col">"Model"</th>
                        <th scope="col">"Token"</th>
                        <th scope="col">"Endpoint"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col" class="number">"Input"</th>
                        <th scope="col" class="number">"Output"</th>
                        <th scope="col" class="number">"Cache read"</th>
                        <th scope="col" class="number">"Cache write"</th>
                        <th scope="col" class="number">"Charge"</th>
                        <th scope="col" class="number">"Latency"</th>
                        <th scope="col">"Request id"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
fn FilterForm(filter: UsageQuery, tokens: Vec<(i64, String)>) -> impl IntoView {
    let token_options = tokens
        .into_iter()
        .map(|(id, name)| {
            let value = id.to_string();
            let selected = filter.token == value;
            view! { <option value=value selected=selected>{name}</option> }
        })
        .collect_view();
    let statuses = USAGE_STATUSES
        .iter()
        .map(|(status, label)| {
            view! { <option value=*status selected=filter.status == *status>{*label}</option> }
        })
        .collect_view();
    view! {
        <form method="get" action=paths::ACCOUNT_USAGE class="search-form" aria-label="Filter requests">
            <label for="usage-model">"Model"</label>
            <input id="usage-model" name="model" value=filter.model.clone() />
            <label for="usage-token">"Token"</label>
            <select id="usage-token" name="token">
                <option value="" selected=filter.token.is_empty()>"All"</option>
                {token_options}
            </select>
            <label for="usage-status">"Status"</label>
            <select id="usage-status" name="status">
                <option value="" selected=filter.status.is_empty()>"All"</option>
                {statuses}
            </select>
            <label for="usage-from">"From"</label>
            <input id="usage-from" name="from" type="date" value=filter.from.clone() />
            <label for="usage-to">"To"</label>
            <input id="usage-to" name="to" type="date" value=filter.to.clone() />
            <button type="submit" class="button secondary">"Filter"</button>
        </form>
    }
}

const CHART_WIDTH: i64 = 600;
const CHART_HEIGHT: i64 = 160;

/// Daily spend as bars, scaled to the busiest day; each bar has a title for its figures.
#[component]
pub fn SpendChart(days: Vec<DayTotal>) -> impl IntoView {
    let currency = use_bootstrap().site.currency;
    let peak = days.iter().map(|d| d.charge).max().unwrap_or(0).max(1);
    let count = i64::try_from(days.len()).unwrap_or(1).max(1);
    let slot = CHART_WIDTH / count;
    let total: i64 = days.iter().map(|d| d.charge).sum();
    let bars = days
        .into_iter()
        .enumerate()
        .map(|(n, day)| {
            let height = day.charge * (CHART_HEIGHT - 20) / peak;
            let x = i64::try_from(n).unwrap_or(0) * slot;
            let label = format!("{}: {}", day.day, format_micros(day.charge, &currency));
            view! {
                <rect
                    x=x.to_string()
                    y=(CHART_HEIGHT - height).to_string()
                    width=(slot - 2).max(1).to_string()
                    height=height.to_string()
                    class="bar"
                >
                    <title>{label}</title>
                </rect>
            }
        })
        .collect_view();
    view! {
        <figure class="chart" data-testid=test_ids::SPEND_CHART>
            <svg
                viewBox=format!("0 0 {CHART_WIDTH} {CHART_HEIGHT}")
                role="img"
                aria-label=format!("Spend per day, {} in all", format_micros(total, &currency))
            >
                {bars}
            </svg>
            <figcaption>{format!("Spend per day: {} in 30 days", format_micros(total, &currency))}</figcaption>
        </figure>
    }
}

/// Tokens per model as horizontal bars, largest first.
#[component]
pub fn ModelChart(models: Vec<ModelTotal>) -> impl IntoView {
    let peak = models.iter().map(|m| m.tokens).max().unwrap_or(0).max(1);
    let row = 24;
    let height = (i64::try_from(models.len()).unwrap_or(0) * row).max(row);
    let bars = models
        .into_iter()
        .enumerate()
        .map(|(n, model)| {
            let y = i64::try_from(n).unwrap_or(0) * row;
            let width = model.tokens * (CHART_WIDTH - 200) / peak;
            view! {
                <g>
                    <text x="0" y=(y + 16).to_string() class="chart-label">{model.model.clone()}</text>
                    <rect x="200" y=(y + 4).to_string() width=width.max(1).to_string() height="16" class="bar" />
                    <title>{format!("{}: {} tokens", model.model, model.tokens)}</title>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {CHART_WIDTH} {height}") role="img" aria-label="Tokens per model">
                {bars}
            </svg>
            <figcaption>"Tokens per model"</figcaption>
        </figure>
    }
}
