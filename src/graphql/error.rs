//! How service errors become GraphQL errors: the message for the client and the closed
//! `extensions.code`; internal causes go to the log, never to the client.

use async_graphql::{ErrorExtensions, Response, ServerError};

use crate::error::{AppError, ErrorCode};

impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        match self {
            AppError::Internal(cause) => tracing::error!(
                error = format!("{cause:#}"),
                "internal error while resolving a GraphQL request"
            ),
            AppError::Unavailable { cause, .. } => tracing::warn!(
                error = format!("{cause:#}"),
                "unavailable; the client was told to retry"
            ),
            _ => {}
        }
        async_graphql::Error::new(self.to_string()).extend_with(|_, ext| {
            ext.set("code", self.code().as_str());
            if let AppError::BadUserInput {
                field: Some(field), ..
            } = self
            {
                ext.set("field", field.as_str());
            }
        })
    }
}

/// The code an error carries (`INTERNAL` for a code outside the closed set, which no resolver
/// should produce).
pub fn code_of(error: &ServerError) -> ErrorCode {
    error
        .extensions
        .as_ref()
        .and_then(|ext| ext.get("code"))
        .and_then(|code| match code {
            async_graphql::Value::String(name) => ErrorCode::from_name(name),
            _ => None,
        })
        .unwrap_or(ErrorCode::Internal)
}

/// Errors that async-graphql raises itself (syntax, validation, argument coercion) carry no
/// code; they are all the client's input, so they get `BAD_USER_INPUT`.
pub fn assign_missing_codes(mut response: Response) -> Response {
    for error in &mut response.errors {
        assign_code(error);
    }
    response
}

/// An error with `code`, raised outside any resolver.
pub fn server_error(code: ErrorCode, message: &str) -> ServerError {
    let mut error = ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code.as_str());
    error
}

fn assign_code(error: &mut ServerError) {
    let has_code = error
        .extensions
        .as_ref()
        .is_some_and(|ext| ext.get("code").is_some());
    if !has_code {
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", ErrorCode::BadUserInput.as_str());
    }
}
