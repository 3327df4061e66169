//! The public price list as the pricing page shows it.

use serde::{Deserialize, Serialize};

/// The price in force for one public model, per million tokens, in micro-units.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelPriceView {
    pub model: String,
    pub input_per_mtok: i64,
    pub output_per_mtok: i64,
    pub cache_write_5m_per_mtok: i64,
    pub cache_write_1h_per_mtok: i64,
    pub cache_read_per_mtok: i64,
}
