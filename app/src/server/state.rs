//! The application state shared by every handler and server function: a cheap clone of `Arc`s.

use super::config::Settings;
use super::services::accounts::Accounts;
use super::services::passwords::Passwords;
use super::services::secrets::Keys;
use super::services::ServiceError;
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
    passwords: Passwords,
    keys: Keys,
    dummy_hash: Arc<tokio::sync::OnceCell<String>>,
}

impl AppState {
    pub fn new(
        db: DatabaseConnection,
        settings: Arc<Settings>,
        leptos_options: LeptosOptions,
        privacy_policy_html: Arc<str>,
    ) -> Result<Self, ServiceError> {
        let passwords = Passwords::new(&settings.passwords)?;
        let key = settings
            .security
            .key_bytes()
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        Ok(Self {
            db,
            passwords,
            keys: Keys::new(&key),
            settings,
            leptos_options,
            privacy_policy_html,
            dummy_hash: Arc::default(),
        })
    }

    /// Account operations for one request.
    pub fn accounts(&self) -> Accounts<'_> {
        Accounts {
            db: &self.db,
            passwords: &self.passwords,
            keys: &self.keys,
            settings: &self.settings,
            dummy_hash: &self.dummy_hash,
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

    /// The keys that seal stored secrets (provider keys, two-factor secrets).
    pub fn keys(&self) -> &Keys {
        &self.keys
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
