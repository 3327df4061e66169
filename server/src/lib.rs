//! The CodexAPI server: configuration, database, HTTP stack and operator commands. Pages,
//! server functions and business rules live in the `app` crate (feature `ssr`).

pub mod cli;
pub mod db;
pub mod http;
pub mod jobs;
pub mod proxy;
pub mod startup;
pub mod telemetry;

pub use startup::Application;
