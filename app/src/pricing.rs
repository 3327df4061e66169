//! Model prices as customers see them and billing will apply them.

use serde::{Deserialize, Serialize};

/// Prices per million tokens, in ledger micro-units (1 USD = 1,000,000). Never negative.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceSheet {
    pub input: i64,
    pub output: i64,
    /// Writing the prompt cache with a 5-minute lifetime.
    pub cache_write_5m: i64,
    /// Writing the prompt cache with a 1-hour lifetime.
    pub cache_write_1h: i64,
    pub cache_read: i64,
}

impl PriceSheet {
    /// Whether any component is negative (which no price may be).
    pub fn has_negative(&self) -> bool {
        [
            self.input,
            self.output,
            self.cache_write_5m,
            self.cache_write_1h,
            self.cache_read,
        ]
        .iter()
        .any(|price| *price < 0)
    }
}

/// The price in force for one public model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelPriceView {
    pub model: String,
    pub per_mtok: PriceSheet,
}

/// An upstream provider as admins see it (never its key, only the key's last four).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderView {
    pub id: i64,
    pub name: String,
    pub protocol: String,
    pub base_url: String,
    pub key_hint: String,
    pub priority: i32,
    pub weight: i32,
    pub enabled: bool,
    /// `public → upstream` per model.
    pub models: Vec<String>,
    pub consecutive_failures: i32,
    pub last_failure: String,
    pub last_success: String,
}
