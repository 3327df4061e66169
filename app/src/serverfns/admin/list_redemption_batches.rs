//! `admin_list_redemption_batches`: the newest batches of redemption codes and how much each
//! was used. Never the codes: only their hashes are kept. Staff.

use crate::error::AppError;
use crate::wallet::RedemptionBatchView;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "admin_list_redemption_batches")]
pub async fn admin_list_redemption_batches() -> Result<Vec<RedemptionBatchView>, AppError> {
    use crate::server::request::{fail, Call};
    use crate::server::services::redemption;
    use crate::server::views;

    let call = Call::current()?;
    let batches = redemption::list_batches(call.state.db(), 200)
        .await
        .map_err(fail)?;
    Ok(batches.into_iter().map(views::redemption_batch).collect())
}
