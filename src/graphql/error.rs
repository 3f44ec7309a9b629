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

/// Gives every error of a response a code. An error that carries none is either one that
/// async-graphql raised before anything executed (it has no path: syntax, validation, a
/// variable that does not coerce, the schema's limits), which is the client's input:
/// `BAD_USER_INPUT`; or one raised while resolving a field without going through `AppError`
/// (it has a path), which the client cannot act on: `INTERNAL`, and logged.
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
    if has_code {
        return;
    }
    let code = if error.path.is_empty() {
        ErrorCode::BadUserInput
    } else {
        tracing::error!(
            error = %error.message,
            path = ?error.path,
            "a resolver failed without an error code; the client sees INTERNAL"
        );
        ErrorCode::Internal
    };
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code.as_str());
}

#[cfg(test)]
mod tests {
    use async_graphql::{PathSegment, Response, ServerError};

    use super::{assign_missing_codes, code_of, server_error};
    use crate::error::ErrorCode;

    fn coded(error: ServerError) -> ErrorCode {
        code_of(&assign_missing_codes(Response::from_errors(vec![error])).errors[0])
    }

    #[test]
    fn an_error_before_execution_is_the_clients_input() {
        assert_eq!(
            coded(ServerError::new("syntax error", None)),
            ErrorCode::BadUserInput
        );
    }

    #[test]
    fn a_resolver_error_without_a_code_is_internal_never_bad_user_input() {
        let mut error = ServerError::new("something broke", None);
        error.path = vec![PathSegment::Field("cases".into())];
        assert_eq!(coded(error), ErrorCode::Internal);
    }

    #[test]
    fn a_code_that_is_there_stays() {
        let mut error = server_error(ErrorCode::Conflict, "stale version");
        error.path = vec![PathSegment::Field("updateCase".into())];
        assert_eq!(coded(error), ErrorCode::Conflict);
        assert_eq!(
            coded(server_error(ErrorCode::Timeout, "slow")),
            ErrorCode::Timeout
        );
    }
}
