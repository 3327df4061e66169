//! `admin_ledger_health`: runs the ledger's invariant checker. Admins only.

use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "admin_ledger_health")]
pub async fn admin_ledger_health() -> Result<Vec<String>, AppError> {
    use crate::server::request::{fail, Call};
    use crate::server::services::ledger;

    let call = Call::current()?;
    ledger::check_invariants(call.state.db())
        .await
        .map_err(fail)
}
