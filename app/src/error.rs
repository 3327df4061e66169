//! The error type that crosses the wire between server functions and components.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What a server function can fail with. Messages are written for the person using the page;
/// internal causes are logged on the server and never sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// 400: the input cannot be used; the message says what to change.
    #[error("{0}")]
    BadRequest(String),
    /// 401: not signed in, or the credentials given were wrong; the message says which.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: signed in, but this is not theirs to do; the message says why.
    #[error("{0}")]
    Forbidden(String),
    /// 404.
    #[error("not found")]
    NotFound,
    /// 429: too many attempts; the message says when to try again or what else to do.
    #[error("{message}")]
    TooManyRequests {
        message: String,
        retry_after_secs: u64,
    },
    /// 503: a dependency (the database) is not reachable right now.
    #[error("the service is temporarily unavailable; please try again in a moment")]
    Unavailable,
    /// 500: a bug or an unexpected failure; details are in the server log.
    #[error("something went wrong on our side; please try again")]
    Internal,
    /// The request never reached the function or its answer could not be read.
    #[error("could not reach the server: {0}")]
    Transport(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

impl AppError {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::BadRequest(_) => 400,
            AppError::Unauthorized(_) => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound => 404,
            AppError::TooManyRequests { .. } => 429,
            AppError::Unavailable => 503,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }
}
