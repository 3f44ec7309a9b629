//! GraphQL over HTTP without the web framework (the edge, `routes::graphql`, speaks HTTP):
//! a request's parameters, what every transport checks before a document runs (`check`, also
//! for WebSocket `subscribe`), and `Api::over_http`, which runs a POST's or GET's request and
//! says how to answer it.
//!
//! - A request may name its document by hash (`extensions.persistedQuery`, `persisted.rs`);
//!   the hash is resolved first, so every check below applies to persisted documents too.
//! - Before parsing: nesting depth of the document and variables; after: aliases and root
//!   fields; during validation: depth, complexity and directives (the schema's limits); then an
//!   execution timeout.
//! - A request error (nothing executed) has no `data` member; at most `MAX_ERRORS` errors are
//!   listed, and a response larger than `--max-response-bytes` is replaced by an error.

use std::time::{Duration, Instant};

use async_graphql::parser::types::OperationType;
use async_graphql::{Request, Response, ServerError, Variables};
use serde_json::Value;

use super::document;
use super::persisted::{DocumentHash, Refusal, Resolved};
use super::Api;
use crate::auth::Credentials;
use crate::error::{AppError, ErrorCode};

/// The parameters of a GraphQL-over-HTTP request (and of a WebSocket `subscribe`).
#[derive(Debug)]
pub struct Params {
    /// Absent when the request names a persisted document by `hash` alone.
    query: Option<String>,
    variables: Option<Value>,
    operation_name: Option<String>,
    hash: Option<DocumentHash>,
}

impl Params {
    /// The parameters of a GET: the query string's members, already read.
    pub fn new(
        query: Option<String>,
        variables: Option<Value>,
        operation_name: Option<String>,
        hash: Option<DocumentHash>,
    ) -> Params {
        Params {
            query,
            variables,
            operation_name,
            hash,
        }
    }

    /// Reads `{query, variables, operationName, extensions}`, each of the type the
    /// specification gives it; anything else is the message of a 400.
    pub fn from_json(body: Value) -> Result<Params, String> {
        let Value::Object(mut body) = body else {
            return Err(match body {
                Value::Array(_) => {
                    "batched requests are not supported: send one operation per request".into()
                }
                _ => "the body must be a JSON object with a `query`".into(),
            });
        };
        let query = match body.remove("query") {
            Some(Value::String(query)) => Some(query),
            None | Some(Value::Null) => None,
            Some(_) => return Err("`query` must be a string".into()),
        };
        let variables = match body.remove("variables") {
            None | Some(Value::Null) => None,
            Some(value @ Value::Object(_)) => Some(value),
            Some(_) => return Err("`variables` must be an object".into()),
        };
        let operation_name = match body.remove("operationName") {
            None | Some(Value::Null) => None,
            Some(Value::String(name)) => Some(name),
            Some(_) => return Err("`operationName` must be a string".into()),
        };
        let hash = match body.remove("extensions") {
            None | Some(Value::Null) => None,
            Some(extensions @ Value::Object(_)) => {
                DocumentHash::from_extensions(Some(&extensions))?
            }
            Some(_) => return Err("`extensions` must be an object".into()),
        };
        Ok(Params {
            query,
            variables,
            operation_name,
            hash,
        })
    }
}

/// How a request that fails is answered, as far as GraphQL-over-HTTP says: the edge turns it
/// into a status (`routes::graphql`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The status of the error's code (`ErrorCode::http_status`).
    Code,
    /// A request error (the document did not parse, validate or pass the edge's checks): 400
    /// under `application/graphql-response+json`, 200 under `application/json`.
    Request,
}

/// How to answer a request `Api::over_http` ran (or refused).
#[derive(Debug)]
pub enum Answer {
    /// One error and no data.
    Error {
        failure: Failure,
        code: ErrorCode,
        message: String,
    },
    /// A mutation over GET: 405 with `Allow: POST`.
    MutationOverGet,
    /// The GraphQL response, serialised. A request error (nothing executed) has no `data`
    /// member; an `UNAVAILABLE` error makes the answer 503 with `Retry-After`.
    Response {
        body: Vec<u8>,
        request_error: bool,
        unavailable: bool,
    },
}

/// What `Api::over_http` did: the kind of operation (for the access log and metrics) and the
/// answer.
#[derive(Debug)]
pub struct Outcome {
    pub kind: &'static str,
    pub answer: Answer,
}

/// Why a request was refused before it ran.
pub(super) enum Refused {
    /// Its persisted document could not be resolved.
    Document(Refusal),
    /// Its operation does not run on this transport (the caller decides which do).
    Operation(OperationType),
    /// It does not parse, or exceeds one of the edge's limits.
    Invalid(ServerError),
}

impl Refused {
    /// The code and message a client gets for a refused persisted document.
    pub(super) fn document(refusal: &Refusal) -> (ErrorCode, &'static str) {
        match refusal {
            // The exact message Apollo's and urql's clients test for before they retry.
            Refusal::NotFound => (ErrorCode::PersistedQueryNotFound, "PersistedQueryNotFound"),
            Refusal::HashMismatch => (
                ErrorCode::BadUserInput,
                "the query's SHA-256 hash is not `extensions.persistedQuery.sha256Hash`",
            ),
            Refusal::NotTrusted => (
                ErrorCode::Forbidden,
                "this server runs only its registered documents",
            ),
            Refusal::NoQuery => (ErrorCode::BadUserInput, "the request has no `query`"),
        }
    }
}

/// What every transport checks before a request runs, in order: its persisted document, the
/// nesting of the text before parsing, the operation's type (`runs` says which this transport
/// runs), then the edge's document limits. A document that passes is remembered under its
/// hash when it came with one.
pub(super) fn check(
    api: &Api,
    params: Params,
    runs: impl Fn(OperationType) -> bool,
) -> Result<(Request, Option<OperationType>), Refused> {
    let edge = api.edge();
    let Resolved { query, register } = api
        .documents()
        .resolve(params.query, params.hash)
        .map_err(Refused::Document)?;
    let nesting =
        document::nesting(&query).max(params.variables.as_ref().map_or(0, document::json_nesting));
    if nesting > edge.max_nesting {
        return Err(Refused::Invalid(ServerError::new(
            format!(
                "the request nests {nesting} levels deep; at most {} are allowed",
                edge.max_nesting
            ),
            None,
        )));
    }
    let mut request = Request::new(query).variables(Variables::from_json(
        params.variables.unwrap_or(Value::Null),
    ));
    if let Some(name) = &params.operation_name {
        request = request.operation_name(name);
    }
    let parsed_before = api.parsed().get(&request.query);
    let cached = parsed_before.is_some();
    if let Some(parsed) = parsed_before {
        request.set_parsed_query(parsed);
    }
    let shape = match request.parsed_query() {
        Ok(doc) => document::shape(doc, params.operation_name.as_deref()),
        Err(err) => return Err(Refused::Invalid(err)),
    };
    if let Some(operation) = shape.operation.filter(|operation| !runs(*operation)) {
        return Err(Refused::Operation(operation));
    }
    if let Some(message) = over_limits(&shape, edge) {
        return Err(Refused::Invalid(ServerError::new(message, None)));
    }
    // Only a document that parses and passes the limits is worth remembering.
    if let Some(hash) = register {
        api.documents().register(hash, &request.query);
    }
    if !cached && api.parsed().wants(&request.query) {
        let text = request.query.clone();
        if let Ok(parsed) = request.parsed_query() {
            api.parsed().keep(&text, parsed);
        }
    }
    Ok((request, shape.operation))
}

impl Api {
    /// Checks the request against the edge's limits, runs it with `credentials` (subscriptions
    /// run over WebSocket; mutations not over GET), counts it in the metrics and says how to
    /// answer. The deadline runs from `started` (when the body was read).
    pub async fn over_http(
        &self,
        params: Params,
        credentials: Credentials,
        over_get: bool,
        started: Instant,
    ) -> Outcome {
        let edge = self.edge();
        let record = |kind: &'static str| {
            self.metrics()
                .graphql_request(kind, started.elapsed().as_secs_f64());
            kind
        };
        let runs = |operation| match operation {
            OperationType::Query => true,
            OperationType::Mutation => !over_get,
            OperationType::Subscription => false,
        };
        let (request, operation) = match check(self, params, runs) {
            Ok(checked) => checked,
            Err(Refused::Document(refusal)) => {
                let kind = record("invalid");
                let (code, message) = Refused::document(&refusal);
                self.metrics().error(code);
                // Clients expect a "not found" in a 200 (it is a step of the protocol, not a
                // failure); a refused document is a request error; a malformed request is 400.
                let failure = match refusal {
                    Refusal::NotTrusted => Failure::Request,
                    _ => Failure::Code,
                };
                let message = message.to_string();
                return Outcome {
                    kind,
                    answer: Answer::Error {
                        failure,
                        code,
                        message,
                    },
                };
            }
            Err(Refused::Operation(OperationType::Mutation)) => {
                return Outcome {
                    kind: record("invalid"),
                    answer: Answer::MutationOverGet,
                };
            }
            Err(refused) => {
                // A request error found before execution: counted, and answered as the media
                // type says.
                let error = match refused {
                    Refused::Invalid(error) => error,
                    _ => ServerError::new(
                        "subscriptions run over WebSocket at this path (the graphql-transport-ws protocol)",
                        None,
                    ),
                };
                let kind = record("invalid");
                self.metrics().error(ErrorCode::BadUserInput);
                return Outcome {
                    kind,
                    answer: answer(
                        Response::from_errors(vec![coded(error)]),
                        edge.max_response_bytes,
                    ),
                };
            }
        };
        let request = request.data(credentials);
        let kind = match operation {
            Some(OperationType::Query) => "query",
            Some(OperationType::Mutation) => "mutation",
            Some(OperationType::Subscription) => "subscription",
            None => "invalid",
        };
        // The deadline runs from the moment the body was read, so parsing and validation count.
        // Validation does not yield, so the timer can only fire after it: a request that finishes
        // past its deadline is answered as timed out all the same, and the limits above keep
        // validation's work bounded in the first place.
        let deadline = started + Duration::from_millis(edge.timeout_ms);
        let response = tokio::time::timeout_at(deadline.into(), self.execute(request)).await;
        let kind = record(kind);
        let response = match response {
            Ok(response) if Instant::now() <= deadline => response,
            _ => {
                self.metrics().error(ErrorCode::Timeout);
                let timeout = AppError::Timeout {
                    limit_ms: edge.timeout_ms,
                };
                return Outcome {
                    kind,
                    answer: Answer::Error {
                        failure: Failure::Code,
                        code: timeout.code(),
                        message: timeout.to_string(),
                    },
                };
            }
        };
        for error in &response.errors {
            self.metrics().error(super::error::code_of(error));
        }
        Outcome {
            kind,
            answer: answer(response, edge.max_response_bytes),
        }
    }
}

/// The first of the edge's document limits that `shape` exceeds, as the client's message.
fn over_limits(shape: &document::Shape, edge: &crate::settings::EdgeSettings) -> Option<String> {
    let checks = [
        (shape.aliases, edge.max_aliases, "aliases in the document"),
        (
            shape.root_fields,
            edge.max_root_fields,
            "root fields in the operation",
        ),
        (
            shape.expanded_fields,
            edge.max_fields,
            "fields in the document once its fragments are expanded",
        ),
        (
            shape.directives,
            edge.max_document_directives,
            "directives in the document",
        ),
        (
            shape.directives_on_one_location,
            edge.max_directives,
            "directives on one location",
        ),
    ];
    checks
        .into_iter()
        .find(|(found, limit, _)| found > limit)
        .map(|(found, limit, what)| {
            let found = if found == usize::MAX {
                "more than can be counted".to_string()
            } else {
                found.to_string()
            };
            format!("the request has {found} {what}; at most {limit} are allowed")
        })
}

/// Gives an error raised before execution its code (`BAD_USER_INPUT`).
fn coded(error: ServerError) -> ServerError {
    super::error::assign_missing_codes(Response::from_errors(vec![error]))
        .errors
        .remove(0)
}

/// Most errors one response lists; the rest are summed up in a last error.
const MAX_ERRORS: usize = 50;

/// The answer of a GraphQL response. A request error (nothing executed: the document did not
/// parse or validate, a variable did not coerce) has no `data` entry. At most `MAX_ERRORS`
/// errors are listed, and a body larger than `max_bytes` is replaced by an error: a client
/// cannot make the server build an answer of unbounded size.
fn answer(mut response: Response, max_bytes: usize) -> Answer {
    let request_error = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| error.path.is_empty());
    if response.errors.len() > MAX_ERRORS {
        let omitted = response.errors.len() - MAX_ERRORS + 1;
        let code = response.errors[MAX_ERRORS - 1].extensions.clone();
        response.errors.truncate(MAX_ERRORS - 1);
        let mut summary = ServerError::new(format!("{omitted} more errors omitted"), None);
        summary.extensions = code;
        response.errors.push(summary);
    }
    let unavailable = response
        .errors
        .iter()
        .any(|error| super::error::code_of(error) == ErrorCode::Unavailable);
    // Serialised once, straight from the response: a request error has no `data` member.
    let body = if request_error {
        serde_json::to_vec(&WithoutData {
            extensions: &response.extensions,
            errors: &response.errors,
        })
    } else {
        serde_json::to_vec(&response)
    }
    .unwrap_or_default();
    if body.len() > max_bytes {
        return Answer::Error {
            failure: Failure::Request,
            code: ErrorCode::BadUserInput,
            message: format!("the response would be larger than {max_bytes} bytes; ask for less"),
        };
    }
    Answer::Response {
        body,
        request_error,
        unavailable,
    }
}

/// The body of a response to a request that never executed (the GraphQL-over-HTTP
/// specification: no `data` member).
#[derive(serde::Serialize)]
struct WithoutData<'a> {
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    extensions: &'a std::collections::BTreeMap<String, async_graphql::Value>,
    errors: &'a [ServerError],
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn params_have_the_types_the_specification_gives_them() {
        assert!(
            Params::from_json(json!({ "query": "{a}", "variables": null, "extensions": {} }))
                .is_ok()
        );
        assert!(Params::from_json(json!([{ "query": "{a}" }]))
            .unwrap_err()
            .contains("batched"));
        assert!(Params::from_json(json!({ "query": 1 })).is_err());
        assert!(Params::from_json(json!({ "query": "{a}", "variables": "{}" })).is_err());
        assert!(Params::from_json(json!({ "query": "{a}", "operationName": 2 })).is_err());
    }
}
