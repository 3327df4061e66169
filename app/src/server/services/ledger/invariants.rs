//! The ledger's invariants, checked against the database as it is: run by `server
//! check-ledger`, the admin ledger health panel and the tests.

use crate::server::services::ServiceError;
use sea_orm::{ConnectionTrait, Statement};

/// One broken invariant, described for an operator.
pub type Violation = String;

/// Each check is a query that returns the offending rows (as one text column); a healthy
/// ledger returns none from any of them.
const CHECKS: &[(&str, &str)] = &[
    (
        "the trial balance is not zero",
        "SELECT CAST(SUM(amount) AS TEXT) AS problem FROM ledger_entries \
         HAVING COALESCE(SUM(amount), 0) <> 0",
    ),
    (
        "an account's cached balance differs from the sum of its entries",
        "SELECT CAST(a.id AS TEXT) AS problem FROM ledger_accounts a \
         LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM ledger_entries GROUP BY account_id) e \
           ON e.account_id = a.id \
         WHERE a.posted_balance <> COALESCE(e.total, 0)",
    ),
    (
        "an account's held balance differs from the sum of its pending holds",
        "SELECT CAST(a.id AS TEXT) AS problem FROM ledger_accounts a \
         LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM ledger_holds \
                    WHERE status = 'pending' GROUP BY account_id) h ON h.account_id = a.id \
         WHERE a.held_balance <> COALESCE(h.total, 0)",
    ),
    (
        "a transaction's entries do not sum to zero, or it has fewer than two",
        "SELECT CAST(t.id AS TEXT) AS problem FROM ledger_transactions t \
         LEFT JOIN ledger_entries e ON e.transaction_id = t.id \
         GROUP BY t.id HAVING COUNT(e.id) < 2 OR COALESCE(SUM(e.amount), 0) <> 0",
    ),
    (
        "a hold's settlement and its posted transaction disagree",
        "SELECT CAST(h.id AS TEXT) AS problem FROM ledger_holds h \
         WHERE (h.status = 'settled' AND h.settled_amount > 0 AND h.transaction_id IS NULL) \
            OR (h.status <> 'settled' AND (h.transaction_id IS NOT NULL OR h.settled_amount IS NOT NULL))",
    ),
    (
        "a posted entry was changed after it was written",
        "SELECT CAST(id AS TEXT) AS problem FROM ledger_entries WHERE updated_at <> created_at",
    ),
];

/// Every violated invariant with the ids involved; empty when the ledger is sound.
pub async fn check_invariants<C: ConnectionTrait>(db: &C) -> Result<Vec<Violation>, ServiceError> {
    let backend = db.get_database_backend();
    let mut violations = Vec::new();
    for (what, sql) in CHECKS {
        let rows = db
            .query_all_raw(Statement::from_string(backend, *sql))
            .await?;
        if rows.is_empty() {
            continue;
        }
        let ids: Vec<String> = rows
            .iter()
            .filter_map(|row| row.try_get::<String>("", "problem").ok())
            .take(20)
            .collect();
        violations.push(format!("{what}: {}", ids.join(", ")));
    }
    Ok(violations)
}
