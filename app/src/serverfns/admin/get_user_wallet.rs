//! `admin_get_user_wallet`: one account's balances and history. Staff only.

use crate::error::AppError;
use crate::wallet::WalletView;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "admin_get_user_wallet")]
pub async fn admin_get_user_wallet(
    user_id: i64,
    before: Option<i64>,
) -> Result<WalletView, AppError> {
    use crate::server::request::{fail, Call};
    use crate::server::services::wallets::HistoryFilter;
    use crate::server::views;

    let call = Call::current()?;
    let filter = HistoryFilter {
        before_id: before,
        ..HistoryFilter::default()
    };
    views::wallet_page(call.state.db(), user_id, &filter, chrono::Utc::now())
        .await
        .map_err(fail)
}
