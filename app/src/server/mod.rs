//! Server-only code: configuration, application state, request helpers and the services that
//! hold the business rules. Compiled only with the `ssr` feature.

pub mod bootstrap;
pub mod config;
pub mod csp;
pub mod net;
pub mod request;
pub mod services;
pub mod state;
pub mod views;
