//! One module per page.
pub mod home;
pub mod not_found;
pub mod pricing;
pub mod privacy;
pub mod setup;
pub mod terms;
