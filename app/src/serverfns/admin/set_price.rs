//! `admin_set_price`: a new price for a model, per million tokens, in force from now. Earlier
//! prices stay as history, so every request is billed at the price in force when it started.
//! Admins only, after step-up.
#![allow(
    clippy::too_many_arguments,
    reason = "a server function takes one argument per form field"
)]

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "admin_set_price")]
pub async fn admin_set_price(
    model: String,
    input: String,
    output: String,
    cache_write_5m: String,
    cache_write_1h: String,
    cache_read: String,
    password: Option<String>,
    code: Option<String>,
) -> Result<(), AppError> {
    use crate::account::Notice;
    use crate::paths;
    use crate::pricing::PriceSheet;
    use crate::server::request::{fail, Call};
    use crate::server::services::audit;
    use crate::server::services::pricing::{self, NewModelPrice};

    let call = Call::current()?;
    let viewer = call.viewer()?;
    let amount = |text: &str, what: &str| {
        crate::money::parse_amount(text)
            .map_err(|message| fail(AppError::BadRequest(format!("{what}: {message}"))))
    };
    let per_mtok = PriceSheet {
        input: amount(&input, "input")?,
        output: amount(&output, "output")?,
        cache_write_5m: amount(&cache_write_5m, "5-minute cache write")?,
        cache_write_1h: amount(&cache_write_1h, "1-hour cache write")?,
        cache_read: amount(&cache_read, "cache read")?,
    };
    call.step_up(&viewer, password.as_deref(), code.as_deref())
        .await?;
    let now = chrono::Utc::now();
    let db = call.state.db();
    pricing::set_price(
        db,
        NewModelPrice {
            model: model.clone(),
            per_mtok,
            effective_from: now,
        },
    )
    .await
    .map_err(fail)?;
    audit::admin_action(
        db,
        viewer.user_id,
        None,
        serde_json::json!({
            "action": "price_set",
            "model": model.trim(),
            "input": per_mtok.input,
            "output": per_mtok.output,
            "cache_write_5m": per_mtok.cache_write_5m,
            "cache_write_1h": per_mtok.cache_write_1h,
            "cache_read": per_mtok.cache_read,
        }),
    )
    .await
    .map_err(fail)?;
    leptos_axum::redirect(&Notice::PriceSaved.on(paths::ADMIN_PROVIDERS));
    Ok(())
}
