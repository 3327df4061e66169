//! Price list reads.
pub mod list_prices;
pub use list_prices::{list_prices, ListPrices};
