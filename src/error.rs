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

    /// The one table of codes: each code's name (`extensions.code`) and the HTTP status of a
    /// response that fails with this code alone (pages, the edge, a request refused before it
    /// ran). GraphQL responses stay 200 for field errors, as GraphQL-over-HTTP says.
    const fn spec(self) -> (&'static str, u16) {
        match self {
            ErrorCode::BadUserInput => ("BAD_USER_INPUT", 400),
            ErrorCode::NotFound => ("NOT_FOUND", 404),
            ErrorCode::Unauthenticated => ("UNAUTHENTICATED", 401),
            ErrorCode::Forbidden => ("FORBIDDEN", 403),
            ErrorCode::Conflict => ("CONFLICT", 409),
            // The persisted-query protocol answers it as a GraphQL error (HTTP 200): Apollo and
            // urql clients then send the whole document.
            ErrorCode::PersistedQueryNotFound => ("PERSISTED_QUERY_NOT_FOUND", 200),
            ErrorCode::RateLimited => ("RATE_LIMITED", 429),
            ErrorCode::Timeout => ("TIMEOUT", 503),
            ErrorCode::Unavailable => ("UNAVAILABLE", 503),
            ErrorCode::Internal => ("INTERNAL", 500),
        }
    }

    /// The code a client sees as `extensions.code`, read back.
    pub const fn as_str(self) -> &'static str {
        self.spec().0
    }

    /// The HTTP status of a response that fails with this code alone (see `spec`).
    pub const fn http_status(self) -> u16 {
        self.spec().1
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
    /// The client sent too many requests; it may retry after `retry_after` seconds.
    #[error("too many requests; retry in {retry_after} s")]
    RateLimited { retry_after: u64 },
    /// The request ran longer than the configured timeout.
    #[error("the request ran longer than {limit_ms} ms; ask for less")]
    Timeout { limit_ms: u64 },
    /// A persisted query's hash names no document the server knows (the exact message Apollo's
    /// and urql's clients test for before they send the whole document).
    #[error("PersistedQueryNotFound")]
    PersistedQueryNotFound,
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
            AppError::RateLimited { .. } => ErrorCode::RateLimited,
            AppError::Timeout { .. } => ErrorCode::Timeout,
            AppError::PersistedQueryNotFound => ErrorCode::PersistedQueryNotFound,
            AppError::Unavailable { .. } => ErrorCode::Unavailable,
            AppError::Internal(_) => ErrorCode::Internal,
        }
    }
}

/// The body of a response that fails before (or instead of) executing: a GraphQL response with
/// one error, its message and `extensions.code`, and no data. Every such body is built here (the
/// edge's, the GraphQL endpoints').
pub fn error_body(code: ErrorCode, message: &str) -> serde_json::Value {
    serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code.as_str() } }] })
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
    fn the_table_gives_every_code_its_own_name_and_a_status() {
        let mut names: Vec<&str> = ErrorCode::ALL.iter().map(|code| code.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ErrorCode::ALL.len(), "two codes share a name");
        for code in ErrorCode::ALL {
            let name = code.as_str();
            assert!(
                name.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'),
                "{name}"
            );
            assert!((200..600).contains(&code.http_status()), "{name}");
        }
        let status = |code: ErrorCode| code.http_status();
        assert_eq!(status(ErrorCode::BadUserInput), 400);
        assert_eq!(status(ErrorCode::Unauthenticated), 401);
        assert_eq!(status(ErrorCode::Forbidden), 403);
        assert_eq!(status(ErrorCode::NotFound), 404);
        assert_eq!(status(ErrorCode::Conflict), 409);
        assert_eq!(status(ErrorCode::RateLimited), 429);
        assert_eq!(status(ErrorCode::Internal), 500);
        assert_eq!(status(ErrorCode::Timeout), 503);
        assert_eq!(status(ErrorCode::Unavailable), 503);
        assert_eq!(status(ErrorCode::PersistedQueryNotFound), 200);
    }

    #[test]
    fn every_code_has_an_error_of_its_own() {
        let errors = [
            AppError::bad_input("x"),
            AppError::NotFound("x".into()),
            AppError::Unauthenticated,
            AppError::Forbidden("x".into()),
            AppError::Conflict("x".into()),
            AppError::PersistedQueryNotFound,
            AppError::RateLimited { retry_after: 3 },
            AppError::Timeout { limit_ms: 5000 },
            AppError::Unavailable {
                message: "x".into(),
                cause: anyhow::anyhow!("x"),
            },
            AppError::internal(anyhow::anyhow!("x")),
        ];
        let codes: Vec<ErrorCode> = errors.iter().map(AppError::code).collect();
        assert_eq!(codes, ErrorCode::ALL);
        assert_eq!(
            AppError::Timeout { limit_ms: 5000 }.to_string(),
            "the request ran longer than 5000 ms; ask for less"
        );
        assert_eq!(
            AppError::RateLimited { retry_after: 3 }.to_string(),
            "too many requests; retry in 3 s"
        );
    }

    #[test]
    fn the_error_body_is_a_graphql_response_with_the_code() {
        assert_eq!(
            error_body(ErrorCode::RateLimited, "slow down"),
            serde_json::json!({
                "errors": [{ "message": "slow down", "extensions": { "code": "RATE_LIMITED" } }]
            })
        );
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
