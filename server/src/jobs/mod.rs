//! Background jobs that run beside the HTTP server and stop with it.

pub mod email;
pub mod maintenance;
