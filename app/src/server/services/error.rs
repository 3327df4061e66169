//! The service layer's error, and its one mapping to what callers see.

use crate::error::AppError;
use sea_orm::{DbErr, RuntimeErr};

/// What a service can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The input breaks a rule; the message is for the person who sent it.
    #[error("{0}")]
    Invalid(String),
    /// A unique constraint (named) rejected the write.
    #[error("conflict on {constraint}")]
    Conflict { constraint: String },
    #[error("not found")]
    NotFound,
    /// Credentials were wrong or missing; the message is safe to show (it never says which part
    /// was wrong, so it cannot reveal whether an account exists).
    #[error("{0}")]
    Unauthenticated(String),
    /// The caller is known but may not do this; the message says why.
    #[error("{0}")]
    Forbidden(String),
    /// Too many attempts; try again after `retry_after_secs`.
    #[error("{message}")]
    Throttled {
        message: String,
        retry_after_secs: u64,
    },
    /// The database could not be reached or timed out.
    #[error("database unavailable: {0}")]
    Unavailable(DbErr),
    #[error("database error: {0}")]
    Database(DbErr),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<DbErr> for ServiceError {
    fn from(error: DbErr) -> Self {
        match &error {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => ServiceError::Unavailable(error),
            DbErr::Exec(RuntimeErr::SqlxError(sqlx_error))
            | DbErr::Query(RuntimeErr::SqlxError(sqlx_error)) => {
                match sqlx_error.as_database_error() {
                    Some(db_error) if db_error.is_unique_violation() => ServiceError::Conflict {
                        constraint: db_error
                            .constraint()
                            .map(str::to_owned)
                            .unwrap_or_else(|| unique_index_from_message(db_error.message())),
                    },
                    _ => ServiceError::Database(error),
                }
            }
            _ => ServiceError::Database(error),
        }
    }
}

/// SQLite reports unique violations as "UNIQUE constraint failed: index 'uq_x'" or with the
/// column list; keep whatever names the constraint.
fn unique_index_from_message(message: &str) -> String {
    message
        .split('\'')
        .nth(1)
        .map(str::to_owned)
        .unwrap_or_else(|| message.to_owned())
}

impl From<ServiceError> for AppError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Invalid(message) => AppError::BadRequest(message),
            ServiceError::Conflict { constraint } => {
                AppError::BadRequest(format!("that value is already taken ({constraint})"))
            }
            ServiceError::NotFound => AppError::NotFound,
            ServiceError::Unauthenticated(message) => AppError::Unauthorized(message),
            ServiceError::Forbidden(message) => AppError::Forbidden(message),
            ServiceError::Throttled {
                message,
                retry_after_secs,
            } => AppError::TooManyRequests {
                message,
                retry_after_secs,
            },
            ServiceError::Unavailable(cause) => {
                tracing::warn!(error = %cause, "database unavailable");
                AppError::Unavailable
            }
            ServiceError::Database(cause) => {
                tracing::error!(error = %cause, "database error");
                AppError::Internal
            }
            ServiceError::Internal(cause) => {
                tracing::error!(error = %cause, "internal error");
                AppError::Internal
            }
        }
    }
}
