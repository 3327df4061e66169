//! The HTTP stack around the application: request ids, client addresses, security headers,
//! CSRF checks, body limits, compression, tracing, and the health endpoints.

pub mod body_limit;
pub mod client;
pub mod csrf;
pub mod health;
pub mod security_headers;
