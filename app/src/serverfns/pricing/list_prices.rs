//! `list_prices`: the prices in force now, for the public pricing page. Anyone may call it.

use crate::error::AppError;
use crate::pricing::ModelPriceView;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[server(input = GetUrl, prefix = "/api", endpoint = "list_prices")]
pub async fn list_prices() -> Result<Vec<ModelPriceView>, AppError> {
    use crate::server::{request, services::pricing, state::AppState};

    let state = AppState::from_context().map_err(request::fail)?;
    pricing::current_prices(state.db(), chrono::Utc::now())
        .await
        .map_err(request::fail)
}
