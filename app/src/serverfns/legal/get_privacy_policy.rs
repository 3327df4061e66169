//! `get_privacy_policy`: the privacy policy as HTML (rendered once at start-up from our text or
//! the operator's Markdown file). Anyone may call it.

use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[server(input = GetUrl, prefix = "/api", endpoint = "get_privacy_policy")]
pub async fn get_privacy_policy() -> Result<String, AppError> {
    use crate::server::{request, state::AppState};

    let state = AppState::from_context().map_err(request::fail)?;
    Ok(state.privacy_policy_html().to_owned())
}
