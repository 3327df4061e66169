//! Server functions, one per file under its domain. Each is thin: it takes the state and the
//! caller from context, calls a service and maps the error.

pub mod account;
pub mod admin;
pub mod consent;
pub mod legal;
pub mod pricing;
pub mod usage;
pub mod wallet;
