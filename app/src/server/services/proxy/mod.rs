//! The proxy's business rules: providers and routing, reading usage from answers, billing each
//! upstream attempt, and the usage records. The HTTP side (forwarding, streaming, the protocols'
//! error shapes) lives in the server crate.

pub mod billing;
pub mod catalog;
pub mod credit_lines;
pub mod fresh_read;
pub mod providers;
pub mod records;
pub mod sse;
pub mod usage;
pub mod writer;
