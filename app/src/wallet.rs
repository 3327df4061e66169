//! What the wallet and API-token pages show, as sent from server functions to the browser.

use serde::{Deserialize, Serialize};

/// An account's money in micro-units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceView {
    pub posted: i64,
    pub held: i64,
    pub available: i64,
}

/// Kinds of wallet history lines a customer can filter by, with their labels.
pub const HISTORY_KINDS: &[(&str, &str)] = &[
    ("usage", "API usage"),
    ("redemption", "Redemption code"),
    ("cash_to_token", "Cash Wallet to Token Wallet"),
    ("admin_grant", "Credit from staff"),
    ("admin_adjustment", "Correction by staff"),
    ("payout", "Payout"),
    ("reversal", "Reversal"),
];

/// One line of wallet history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerLineView {
    pub id: i64,
    /// `Token Wallet` or `Cash Wallet`.
    pub wallet: String,
    pub amount: i64,
    pub kind: String,
    pub memo: String,
    pub at: String,
}

/// The wallet page: both balances and a page of history.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletView {
    pub token: BalanceView,
    pub cash: BalanceView,
    pub lines: Vec<LedgerLineView>,
    pub next_before: Option<i64>,
}

/// An API token as its owner sees it after creation: never the secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenView {
    pub id: i64,
    pub name: String,
    /// `cdx_<public id>_…<last 4>`.
    pub hint: String,
    pub state: String,
    pub created_at: String,
    pub expires_at: String,
    pub last_used: String,
    pub billing_source: String,
    pub limits: String,
    pub models: String,
    pub addresses: String,
}

/// The API tokens page: the tokens, and a token created a moment ago (shown once).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokensView {
    pub tokens: Vec<ApiTokenView>,
    pub new_token: Option<String>,
    pub email_verified: bool,
}

/// A batch of redemption codes as staff see it (never the codes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedemptionBatchView {
    pub id: i64,
    pub name: String,
    pub amount: i64,
    pub codes: i32,
    pub uses_per_code: i32,
    pub per_user_limit: String,
    pub redeemed: i64,
    pub expires: String,
    pub created: String,
}
