//! `create_api_token`: creates an API token for the signed-in user, whose address must be
//! confirmed, after step-up re-authentication. The token is shown once on the tokens page.
#![allow(
    clippy::too_many_arguments,
    reason = "a server function takes one argument per form field"
)]

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "create_api_token")]
pub async fn create_api_token(
    name: String,
    expires_in_days: Option<String>,
    daily_limit: Option<String>,
    monthly_limit: Option<String>,
    total_limit: Option<String>,
    models: Option<String>,
    addresses: Option<String>,
    billing_source: String,
    password: Option<String>,
    code: Option<String>,
) -> Result<(), AppError> {
    use crate::account::Notice;
    use crate::paths;
    use crate::server::request::{fail, Call, ShownOnce};
    use crate::server::services::api_tokens::{self, BillingSource, TokenOptions};

    let call = Call::current()?;
    let viewer = call.viewer()?;
    let now = chrono::Utc::now();
    let bad = |message: String| fail(AppError::BadRequest(message));
    let amount = |field: Option<String>| -> Result<Option<i64>, AppError> {
        match field.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            Some(text) => crate::money::parse_amount(text).map(Some).map_err(bad),
            None => Ok(None),
        }
    };
    let list = |field: Option<String>| -> Vec<String> {
        field
            .unwrap_or_default()
            .split([',', '\n', ' '])
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let expires_at = match expires_in_days
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        Some(days) => {
            let days: i64 = days
                .parse()
                .ok()
                .filter(|d| (1..=3650).contains(d))
                .ok_or_else(|| bad("the expiry must be 1-3650 days".to_owned()))?;
            Some(now + chrono::Duration::days(days))
        }
        None => None,
    };
    let allowed_ips = list(addresses)
        .iter()
        .map(|text| {
            text.parse::<ipnet::IpNet>()
                .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    bad(format!(
                        "{text:?} is not an IP address or range such as 10.0.0.0/8"
                    ))
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let options = TokenOptions {
        name,
        expires_at,
        daily_limit: amount(daily_limit)?,
        monthly_limit: amount(monthly_limit)?,
        total_limit: amount(total_limit)?,
        allowed_models: list(models),
        allowed_ips,
        billing_source: BillingSource::parse(&billing_source)
            .ok_or_else(|| bad("choose which wallet pays for this token".to_owned()))?,
    };
    call.step_up(&viewer, password.as_deref(), code.as_deref())
        .await?;
    let created = api_tokens::create(call.state.db(), &viewer, options, now)
        .await
        .map_err(fail)?;
    call.show_once(
        viewer.user_id,
        &ShownOnce::ApiToken(created.secret.expose().to_owned()),
        paths::ACCOUNT_TOKENS,
        Notice::TokenCreated,
    )
}
