//! One module per page (the staff section shares one).
pub mod account;
pub mod account_security;
pub mod account_two_factor;
pub mod admin;
pub mod forgot_password;
pub mod home;
pub mod login;
pub mod login_link;
pub mod login_two_factor;
pub mod not_found;
pub mod pricing;
pub mod privacy;
pub mod reset_password;
pub mod setup;
pub mod signup;
pub mod terms;
pub mod verify_email;
