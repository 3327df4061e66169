//! `get_wallet`: the signed-in user's balances and a page of their history. Their own only.

use crate::error::AppError;
use crate::wallet::WalletView;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "get_wallet")]
pub async fn get_wallet(
    wallet: Option<String>,
    before: Option<i64>,
) -> Result<WalletView, AppError> {
    use crate::server::request::{fail, Call};
    use crate::server::services::ledger::WalletKind;
    use crate::server::services::wallets::HistoryFilter;
    use crate::server::views;

    let call = Call::current()?;
    let viewer = call.viewer()?;
    let db = call.state.db();
    let now = chrono::Utc::now();
    let filter = HistoryFilter {
        wallet: match wallet.as_deref() {
            Some("token") => Some(WalletKind::Token),
            Some("cash") => Some(WalletKind::Cash),
            _ => None,
        },
        before_id: before,
        ..HistoryFilter::default()
    };
    views::wallet_page(db, viewer.user_id, &filter, now)
        .await
        .map_err(fail)
}
