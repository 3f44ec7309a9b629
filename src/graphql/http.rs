//! The GraphQL endpoints over HTTP, after the GraphQL-over-HTTP specification: `POST /graphql`
//! (`application/json` bodies only), `GET /graphql` (queries only), `/graphiql` and
//! `/schema.graphql`.
//!
//! - Responses are `application/graphql-response+json` when the client accepts it (request
//!   errors, such as a document that does not parse or validate, are then 400), else
//!   `application/json` (always 200 for a well-formed request).
//! - Any other request content type (text/plain, forms, multipart) is 415 and runs nothing, so
//!   no browser can send a request without a CORS preflight; a compressed body is 415 too.
//! - The body is counted while it is read: past the limit, 413 without reading further.
//! - A batch (a JSON array) is 400: one operation per request.
//! - A mutation over GET is 405 with `Allow: POST`; other methods 405 with `Allow: GET, POST`.
//! - A request may name its document by hash (`extensions.persistedQuery`, `persisted.rs`);
//!   the hash is resolved first, so every check below applies to persisted documents too.
//! - Before parsing: nesting depth of the document and variables; after: aliases and root
//!   fields; during validation: depth, complexity and directives (the schema's limits); then an
//!   execution timeout.

use std::time::{Duration, Instant};

use actix_web::http::header::{self, HeaderValue, Quality};
use actix_web::http::StatusCode;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use async_graphql::parser::types::OperationType;
use async_graphql::{Request, Response, ServerError, Variables};
use futures_util::StreamExt;
use serde_json::Value;

use super::document;
use super::persisted::{DocumentHash, Refusal, Resolved};
use super::Api;
use crate::auth::Credentials;
use crate::error::{AppError, ErrorCode};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/graphql")
            .route(web::post().to(post))
            .route(web::get().to(get))
            .default_service(web::to(|| async { method_not_allowed("GET, POST") })),
    )
    .route("/schema.graphql", web::get().to(schema));
}

/// The kind of operation a request ran, for the access log and metrics (set by the handler in
/// the request's extensions).
#[derive(Clone, Copy, Debug)]
pub struct OperationKind(pub &'static str);

/// The media type of a GraphQL response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Media {
    Json,
    GraphqlResponse,
}

impl Media {
    fn content_type(self) -> &'static str {
        match self {
            Media::Json => "application/json; charset=utf-8",
            Media::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
        }
    }

    /// What the `Accept` header asks for: `application/graphql-response+json` when it is
    /// accepted at least as much as JSON, `application/json` for `application/json`, `*/*` or no
    /// header at all, and `None` (406) when neither is acceptable.
    fn negotiate(http: &HttpRequest) -> Option<Media> {
        let present = http
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| !v.trim().is_empty());
        if !present {
            return Some(Media::Json);
        }
        // actix's typed header reads the media ranges and their `q`; one that does not parse
        // leaves nothing acceptable.
        let accept = <header::Accept as header::Header>::parse(http).ok()?;
        let (mut graphql, mut json) = (Quality::ZERO, Quality::ZERO);
        for range in accept.0 {
            match range.item.essence_str() {
                "application/graphql-response+json" => graphql = graphql.max(range.quality),
                "application/json" | "application/*" | "*/*" => json = json.max(range.quality),
                _ => {}
            }
        }
        if graphql > Quality::ZERO && graphql >= json {
            Some(Media::GraphqlResponse)
        } else if json > Quality::ZERO {
            Some(Media::Json)
        } else {
            None
        }
    }
}

/// How a failed request is answered: the one place this endpoint picks an HTTP status. A
/// code's own status comes from the table in `ErrorCode`; the rest is the protocol's.
#[derive(Clone, Copy, Debug)]
enum Failure {
    /// The status of the error's code (`ErrorCode::http_status`).
    Code,
    /// A request error (GraphQL-over-HTTP: the document did not parse, validate or pass the
    /// edge's checks): 400 under `application/graphql-response+json`, 200 under JSON.
    Request,
    /// The transport refuses the request before reading it as GraphQL.
    Method,
    NotAcceptable,
    ContentType,
    TooLarge,
}

impl Failure {
    fn status(self, media: Media, code: ErrorCode) -> StatusCode {
        match (self, media) {
            (Failure::Code, _) => crate::edge::status_of(code),
            (Failure::Request, Media::GraphqlResponse) => StatusCode::BAD_REQUEST,
            (Failure::Request, Media::Json) => StatusCode::OK,
            (Failure::Method, _) => StatusCode::METHOD_NOT_ALLOWED,
            (Failure::NotAcceptable, _) => StatusCode::NOT_ACCEPTABLE,
            (Failure::ContentType, _) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            (Failure::TooLarge, _) => StatusCode::PAYLOAD_TOO_LARGE,
        }
    }
}

/// A response whose body is a list of errors with their codes, and no data.
fn errors_response(failure: Failure, media: Media, code: ErrorCode, message: &str) -> HttpResponse {
    HttpResponse::build(failure.status(media, code))
        .content_type(media.content_type())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(crate::error::error_body(code, message))
}

fn bad_request(media: Media, message: &str) -> HttpResponse {
    errors_response(Failure::Code, media, ErrorCode::BadUserInput, message)
}

fn method_not_allowed(allow: &'static str) -> HttpResponse {
    let mut response = errors_response(
        Failure::Method,
        Media::Json,
        ErrorCode::BadUserInput,
        &format!("this endpoint accepts {allow}"),
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

/// The parameters of a GraphQL-over-HTTP request (and of a WebSocket `subscribe`).
#[derive(Debug)]
pub(super) struct Params {
    /// Absent when the request names a persisted document by `hash` alone.
    query: Option<String>,
    variables: Option<Value>,
    operation_name: Option<String>,
    hash: Option<DocumentHash>,
}

impl Params {
    /// Reads `{query, variables, operationName, extensions}`, each of the type the
    /// specification gives it; anything else is the message of a 400.
    pub(super) fn from_json(body: Value) -> Result<Params, String> {
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

/// Why a body could not be read.
enum BodyError {
    TooLarge,
    Broken,
}

/// Reads the body, refusing it as soon as it is known to exceed `limit` bytes: from its
/// `Content-Length`, or while counting what arrives.
async fn read_body(
    http: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<Vec<u8>, BodyError> {
    let declared = http
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::with_capacity(declared.unwrap_or(0));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| BodyError::Broken)?;
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

async fn post(api: web::Data<Api>, http: HttpRequest, payload: web::Payload) -> HttpResponse {
    let Some(media) = Media::negotiate(&http) else {
        return not_acceptable();
    };
    let content_type = http
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let mut parts = content_type.split(';').map(str::trim);
    let essence = parts.next().unwrap_or_default();
    let charset_ok = parts
        .filter_map(|p| p.strip_prefix("charset="))
        .all(|charset| charset.trim_matches('"') == "utf-8");
    if essence != "application/json" || !charset_ok {
        return errors_response(
            Failure::ContentType,
            media,
            ErrorCode::BadUserInput,
            "send the request as `Content-Type: application/json` (UTF-8)",
        );
    }
    let encoded = http
        .headers()
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|encoding| !encoding.trim().eq_ignore_ascii_case("identity"));
    if encoded {
        return errors_response(
            Failure::ContentType,
            media,
            ErrorCode::BadUserInput,
            "compressed request bodies are not accepted",
        );
    }
    let limit = api.edge().max_body_bytes;
    let body = match read_body(&http, payload, limit).await {
        Ok(body) => body,
        Err(BodyError::TooLarge) => {
            return errors_response(
                Failure::TooLarge,
                media,
                ErrorCode::BadUserInput,
                &format!("the request body is larger than {limit} bytes"),
            )
        }
        Err(BodyError::Broken) => return bad_request(media, "the request body could not be read"),
    };
    let body: Value = match serde_json::from_slice(&body) {
        Ok(body) => body,
        Err(err) => return bad_request(media, &format!("the body is not valid JSON: {err}")),
    };
    match Params::from_json(body) {
        Ok(params) => execute(&api, &http, media, params, false).await,
        Err(message) => bad_request(media, &message),
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetParams {
    query: Option<String>,
    variables: Option<String>,
    operation_name: Option<String>,
    extensions: Option<String>,
}

/// A GET is a query, or the handshake of a WebSocket (`ws.rs`).
async fn get(api: web::Data<Api>, http: HttpRequest, payload: web::Payload) -> HttpResponse {
    if super::ws::is_upgrade(&http) {
        return super::ws::upgrade(&api, &http, payload);
    }
    let Some(media) = Media::negotiate(&http) else {
        return not_acceptable();
    };
    let params = match web::Query::<GetParams>::from_query(http.query_string()) {
        Ok(params) => params.into_inner(),
        Err(err) => return bad_request(media, &format!("bad query string: {err}")),
    };
    let json_object = |raw: Option<String>, name: &str| -> Result<Option<Value>, String> {
        match raw.map(|raw| serde_json::from_str::<Value>(&raw)) {
            None | Some(Ok(Value::Null)) => Ok(None),
            Some(Ok(value @ Value::Object(_))) => Ok(Some(value)),
            _ => Err(format!("`{name}` must be a JSON object")),
        }
    };
    let variables = match json_object(params.variables, "variables") {
        Ok(variables) => variables,
        Err(message) => return bad_request(media, &message),
    };
    let hash = match json_object(params.extensions, "extensions")
        .and_then(|extensions| DocumentHash::from_extensions(extensions.as_ref()))
    {
        Ok(hash) => hash,
        Err(message) => return bad_request(media, &message),
    };
    let params = Params {
        query: params.query,
        variables,
        operation_name: params.operation_name,
        hash,
    };
    execute(&api, &http, media, params, true).await
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
    Ok((request, shape.operation))
}

/// Checks the request against the edge's limits, runs it, and answers as `media` says.
async fn execute(
    api: &Api,
    http: &HttpRequest,
    media: Media,
    params: Params,
    over_get: bool,
) -> HttpResponse {
    let edge = api.edge();
    let started = Instant::now();
    let record = |kind: &'static str| {
        http.extensions_mut().insert(OperationKind(kind));
        api.metrics()
            .graphql_request(kind, started.elapsed().as_secs_f64());
    };
    // Subscriptions run over WebSocket; mutations only over POST.
    let runs = |operation| match operation {
        OperationType::Query => true,
        OperationType::Mutation => !over_get,
        OperationType::Subscription => false,
    };
    let (request, operation) = match check(api, params, runs) {
        Ok(checked) => checked,
        Err(Refused::Document(refusal)) => {
            record("invalid");
            let (code, message) = Refused::document(&refusal);
            api.metrics().error(code);
            // Clients expect a "not found" in a 200 (it is a step of the protocol, not a
            // failure); a refused document is a request error; a malformed request is 400.
            let failure = match refusal {
                Refusal::NotTrusted => Failure::Request,
                _ => Failure::Code,
            };
            return errors_response(failure, media, code, message);
        }
        Err(Refused::Operation(OperationType::Mutation)) => {
            record("invalid");
            return method_not_allowed("POST");
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
            record("invalid");
            api.metrics().error(ErrorCode::BadUserInput);
            return graphql_response(
                media,
                Response::from_errors(vec![coded(error)]),
                edge.max_response_bytes,
            );
        }
    };
    let request = request.data(Credentials::from_header(
        http.headers()
            .get(header::AUTHORIZATION)
            .map(|v| v.to_str().unwrap_or_default()),
    ));
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
    let response = tokio::time::timeout_at(deadline.into(), api.execute(request)).await;
    record(kind);
    let response = match response {
        Ok(response) if Instant::now() <= deadline => response,
        _ => {
            api.metrics().error(ErrorCode::Timeout);
            let timeout = AppError::Timeout {
                limit_ms: edge.timeout_ms,
            };
            return errors_response(Failure::Code, media, timeout.code(), &timeout.to_string());
        }
    };
    for error in &response.errors {
        api.metrics().error(super::error::code_of(error));
    }
    graphql_response(media, response, edge.max_response_bytes)
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

/// The HTTP response of a GraphQL response. A request error (nothing executed: the document
/// did not parse or validate, a variable did not coerce) has no `data` entry, and is 400 under
/// `application/graphql-response+json`. At most `MAX_ERRORS` errors are listed, and a body
/// larger than `max_bytes` is replaced by an error: a client cannot make the server build an
/// answer of unbounded size.
fn graphql_response(media: Media, mut response: Response, max_bytes: usize) -> HttpResponse {
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
    let status = match request_error {
        _ if unavailable => Failure::Code.status(media, ErrorCode::Unavailable),
        true => Failure::Request.status(media, ErrorCode::BadUserInput),
        false => StatusCode::OK,
    };
    // Serialised once, straight from the response: a request error has no `data` member.
    let bytes = if request_error {
        serde_json::to_vec(&WithoutData {
            extensions: &response.extensions,
            errors: &response.errors,
        })
    } else {
        serde_json::to_vec(&response)
    }
    .unwrap_or_default();
    if bytes.len() > max_bytes {
        return errors_response(
            Failure::Request,
            media,
            ErrorCode::BadUserInput,
            &format!("the response would be larger than {max_bytes} bytes; ask for less"),
        );
    }
    let mut http = HttpResponse::build(status);
    if unavailable {
        http.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECONDS.to_string()));
    }
    http.content_type(media.content_type())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(bytes)
}

/// The body of a response to a request that never executed (the GraphQL-over-HTTP
/// specification: no `data` member).
#[derive(serde::Serialize)]
struct WithoutData<'a> {
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    extensions: &'a std::collections::BTreeMap<String, async_graphql::Value>,
    errors: &'a [ServerError],
}

/// What a client that met `UNAVAILABLE` is told to wait before it retries.
pub const RETRY_AFTER_SECONDS: u64 = 2;

fn not_acceptable() -> HttpResponse {
    errors_response(
        Failure::NotAcceptable,
        Media::Json,
        ErrorCode::BadUserInput,
        "accept application/graphql-response+json or application/json",
    )
}

async fn schema() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(super::sdl())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;
    use serde_json::json;

    fn negotiate(accept: Option<&str>) -> Option<Media> {
        let mut request = TestRequest::default();
        if let Some(accept) = accept {
            request = request.insert_header((header::ACCEPT, accept));
        }
        Media::negotiate(&request.to_http_request())
    }

    #[test]
    fn accept_negotiation_follows_the_specification() {
        assert_eq!(negotiate(None), Some(Media::Json));
        assert_eq!(negotiate(Some("*/*")), Some(Media::Json));
        assert_eq!(negotiate(Some("application/json")), Some(Media::Json));
        assert_eq!(
            negotiate(Some(
                "application/graphql-response+json, application/json;q=0.9"
            )),
            Some(Media::GraphqlResponse)
        );
        assert_eq!(
            negotiate(Some(
                "application/graphql-response+json;q=0.5, application/json"
            )),
            Some(Media::Json)
        );
        assert_eq!(negotiate(Some("text/html")), None);
        assert_eq!(negotiate(Some("")), Some(Media::Json));
        assert_eq!(negotiate(Some("Application/JSON")), Some(Media::Json));
        assert_eq!(negotiate(Some("application/*;q=0.2")), Some(Media::Json));
        assert_eq!(negotiate(Some("application/json;q=0")), None);
        assert_eq!(
            negotiate(Some("text/html, application/graphql-response+json;q=0.1")),
            Some(Media::GraphqlResponse)
        );
    }

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
