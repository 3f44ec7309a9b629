//! The one error type of the service layer, with its closed set of client-facing codes.
//!
//! User errors (bad input, missing rows, conflicts) carry a message meant for the client.
//! Internal errors carry their cause for the logs only: clients see `INTERNAL` and a fixed text.

use std::fmt;

/// The closed set of codes a client can see in `extensions.code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    BadUserInput,
    NotFound,
    Unauthenticated,
    Forbidden,
    Conflict,
    /// A persisted query's hash names no document the server knows: send the query with it
    /// (the code Apollo and urql clients look for).
    PersistedQueryNotFound,
    /// The client sent too many requests; retry after the time the response names.
    RateLimited,
    /// The request ran longer than the configured timeout.
    Timeout,
    /// The database cannot be reached or is busy for now; the same request may succeed when
    /// retried (HTTP 503 with `Retry-After`).
    Unavailable,
    Internal,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 10] = [
        ErrorCode::BadUserInput,
        ErrorCode::NotFound,
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::Conflict,
        ErrorCode::PersistedQueryNotFound,
        ErrorCode::RateLimited,
        ErrorCode::Timeout,
        ErrorCode::Unavailable,
        ErrorCode::Internal,
    ];

    /// The code a client sees as `extensions.code`, read back.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadUserInput => "BAD_USER_INPUT",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::Timeout => "TIMEOUT",
            ErrorCode::Unavailable => "UNAVAILABLE",
            ErrorCode::Internal => "INTERNAL",
        }
    }

    /// The HTTP status of a response that fails with this code alone (pages, the edge).
    /// GraphQL responses stay 200 for field errors, as GraphQL-over-HTTP says.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::BadUserInput => 400,
            ErrorCode::Unauthenticated => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::Conflict => 409,
            ErrorCode::RateLimited => 429,
            ErrorCode::Internal => 500,
            ErrorCode::Timeout | ErrorCode::Unavailable => 503,
            // The persisted-query protocol answers it as a GraphQL error (HTTP 200): Apollo and
            // urql clients then send the whole document.
            ErrorCode::PersistedQueryNotFound => 200,
        }
    }

    /// The code of that name; `None` for anything outside the closed set.
    pub fn from_name(name: &str) -> Option<ErrorCode> {
        ErrorCode::ALL
            .into_iter()
            .find(|code| code.as_str() == name)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input is malformed or out of range; `field` names the offending input when known.
    #[error("{message}")]
    BadUserInput {
        message: String,
        field: Option<String>,
    },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("authentication required")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    /// Something the request needs is unavailable for now (the database cannot be reached or
    /// stayed locked past the busy timeout, the search index is being rebuilt): retryable.
    /// `message` is for the client, `cause` for the log.
    #[error("{message}")]
    Unavailable {
        message: String,
        #[source]
        cause: anyhow::Error,
    },
    /// Anything the client cannot act on: database failures, broken invariants.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl AppError {
    pub fn bad_input(message: impl Into<String>) -> Self {
        AppError::BadUserInput {
            message: message.into(),
            field: None,
        }
    }

    pub fn bad_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::BadUserInput {
            message: message.into(),
            field: Some(field.into()),
        }
    }

    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        AppError::Internal(cause.into())
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::BadUserInput { .. } => ErrorCode::BadUserInput,
            AppError::NotFound(_) => ErrorCode::NotFound,
            AppError::Conflict(_) => ErrorCode::Conflict,
            AppError::Unauthenticated => ErrorCode::Unauthenticated,
            AppError::Forbidden(_) => ErrorCode::Forbidden,
            AppError::Unavailable { .. } => ErrorCode::Unavailable,
            AppError::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    /// A database that cannot be reached (no connection within the acquire timeout, a refused
    /// or broken connection) or that stays locked past the busy timeout is `Unavailable`: the
    /// request was fine and may succeed when retried. Anything else is internal.
    fn from(err: sea_orm::DbErr) -> Self {
        if is_transient(&err) {
            AppError::Unavailable {
                message: "the database is unavailable right now; retry in a few seconds".into(),
                cause: err.into(),
            }
        } else {
            AppError::internal(err)
        }
    }
}

fn is_transient(err: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr};
    let sqlx = match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => return true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => e,
        _ => return false,
    };
    match sqlx {
        sea_orm::SqlxError::PoolTimedOut
        | sea_orm::SqlxError::PoolClosed
        | sea_orm::SqlxError::Io(_)
        | sea_orm::SqlxError::Tls(_) => true,
        sea_orm::SqlxError::Database(db) => {
            // SQLite: SQLITE_BUSY (5) and SQLITE_LOCKED (6), with their extended codes;
            // PostgreSQL: class 08 (connection exception), 57P01-03 (shutdown, cannot connect
            // now), 53300 (too many connections), 40001/40P01 (serialization, deadlock).
            let code = db.code().unwrap_or_default();
            let sqlite_busy = code
                .parse::<i32>()
                .is_ok_and(|code| matches!(code & 0xff, 5 | 6));
            sqlite_busy
                || code.starts_with("08")
                || matches!(
                    &*code,
                    "57P01" | "57P02" | "57P03" | "53300" | "40001" | "40P01"
                )
        }
        _ => false,
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_found_by_its_name_and_nothing_else_is() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_name(code.as_str()), Some(code));
        }
        assert_eq!(ErrorCode::from_name("X000001"), None);
    }

    #[test]
    fn the_architecture_map_lists_every_code() {
        let map = include_str!("../ARCHITECTURE.md");
        for code in ErrorCode::ALL {
            let name = format!("`{}`", code.as_str());
            assert!(map.contains(&name), "ARCHITECTURE.md does not list {name}");
        }
    }

    #[test]
    fn an_unreachable_database_is_unavailable_and_other_failures_internal() {
        let unreachable =
            sea_orm::DbErr::ConnectionAcquire(sea_orm::error::ConnAcquireErr::Timeout);
        assert_eq!(AppError::from(unreachable).code(), ErrorCode::Unavailable);
        let broken = sea_orm::DbErr::Custom("a broken invariant".into());
        assert_eq!(AppError::from(broken).code(), ErrorCode::Internal);
    }
}
