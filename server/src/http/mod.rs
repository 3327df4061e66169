//! The HTTP stack around the application: request ids, client addresses, security headers,
//! CSRF checks, sign-in state and authorization, body limits, compression, tracing, and the health endpoints.

pub mod body_limit;
pub mod client;
pub mod csrf;
pub mod downloads;
pub mod health;
pub mod security_headers;
pub mod session;
