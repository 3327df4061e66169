//! The CodexAPI web application: Leptos components and the domain types shared by the browser
//! and the server. Server-only code (services, configuration, database access) lives in
//! [`server`] and is compiled only with the `ssr` feature; the WASM bundle never carries it.

#![recursion_limit = "256"]

pub mod account;
pub mod auth;
pub mod bootstrap;
pub mod consent;
pub mod error;
pub mod money;
pub mod paths;
pub mod pricing;
pub mod serverfns;
pub mod ui;
pub mod usage;
pub mod wallet;

#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "ssr")]
pub use ui::shell;
pub use ui::App;
