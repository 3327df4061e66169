//! Components shared by several pages.
pub mod consent_banner;
pub mod forms;
pub mod layout;
pub mod loading;
