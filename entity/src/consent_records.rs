//! `consent_records`: every cookie/analytics choice a visitor made, kept insert-only so the
//! operator can demonstrate what was agreed, when, to which policy version and how.

use sea_orm::entity::prelude::*;

/// One recorded choice. A later choice for the same `consent_id` is a new row, never an update.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "consent_records")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Anonymous identifier kept in the visitor's browser (a UUID).
    pub consent_id: String,
    /// Set when the visitor was signed in.
    pub user_id: Option<i64>,
    /// Optional analytics measurement.
    pub analytics: bool,
    /// Advertising conversion measurement (the Reddit Pixel).
    pub advertising: bool,
    pub policy_version: String,
    /// How the choice was made: `banner_script` (hydrated page) or `banner_form` (plain form post).
    pub method: String,
    pub user_agent: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
