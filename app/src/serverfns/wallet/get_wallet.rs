//! `get_wallet`: the signed-in user's balances and a page of their history, filtered by wallet,
//! kind and dates. Their own only.

use crate::error::AppError;
use crate::wallet::WalletView;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "get_wallet")]
pub async fn get_wallet(
    wallet: Option<String>,
    kind: Option<String>,
    from: Option<String>,
    to: Option<String>,
    before: Option<i64>,
) -> Result<WalletView, AppError> {
    use crate::server::request::{fail, Call};
    use crate::server::services::wallets::HistoryFilter;
    use crate::server::views;

    let call = Call::current()?;
    let viewer = call.viewer()?;
    let now = chrono::Utc::now();
    let mut filter = HistoryFilter::from_query(
        wallet.as_deref(),
        kind.as_deref(),
        from.as_deref(),
        to.as_deref(),
    )
    .map_err(fail)?;
    filter.before_id = before;
    views::wallet_page(call.state.db(), viewer.user_id, &filter, now)
        .await
        .map_err(fail)
}
