//! The signed-in customer's API usage.

mod get_usage;

pub use get_usage::*;
