//! The application state shared by every handler and server function: a cheap clone of `Arc`s.

use super::config::Settings;
use crate::error::AppError;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use leptos::prelude::use_context;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// Shared state. Construct with [`AppState::new`]; fields stay private so every holder goes
/// through the same accessors.
#[derive(Clone)]
pub struct AppState {
    db: DatabaseConnection,
    settings: Arc<Settings>,
    leptos_options: LeptosOptions,
    privacy_policy_html: Arc<str>,
}

impl AppState {
    pub fn new(
        db: DatabaseConnection,
        settings: Arc<Settings>,
        leptos_options: LeptosOptions,
        privacy_policy_html: Arc<str>,
    ) -> Self {
        Self {
            db,
            settings,
            leptos_options,
            privacy_policy_html,
        }
    }

    /// The state provided to SSR and server functions by the router; an error (logged) if a
    /// server function somehow runs without it.
    pub fn from_context() -> Result<Self, AppError> {
        use_context::<Self>().ok_or_else(|| {
            tracing::error!("AppState missing from the Leptos context");
            AppError::Internal
        })
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn leptos_options(&self) -> &LeptosOptions {
        &self.leptos_options
    }

    pub fn privacy_policy_html(&self) -> &str {
        &self.privacy_policy_html
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
