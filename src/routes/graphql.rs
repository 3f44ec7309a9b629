//! The GraphQL endpoints over HTTP, after the GraphQL-over-HTTP specification: `POST /graphql`
//! (`application/json` bodies only), `GET /graphql` (queries only, or a WebSocket handshake),
//! and `/schema.graphql`. The HTTP side only: what runs is `graphql::Api::over_http`.
//!
//! - Responses are `application/graphql-response+json` when the client accepts it (request
//!   errors, such as a document that does not parse or validate, are then 400), else
//!   `application/json` (always 200 for a well-formed request).
//! - Any other request content type (text/plain, forms, multipart) is 415 and runs nothing, so
//!   no browser can send a request without a CORS preflight; a compressed body is 415 too.
//! - The body is counted while it is read: past the limit, 413 without reading further.
//! - A batch (a JSON array) is 400: one operation per request.
//! - A mutation over GET is 405 with `Allow: POST`; other methods 405 with `Allow: GET, POST`.

use std::time::Instant;

use actix_web::http::header::{self, HeaderValue, Quality};
use actix_web::http::StatusCode;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde_json::Value;

use crate::auth::Credentials;
use crate::error::ErrorCode;
use crate::graphql::http::{Answer, Failure, Params};
use crate::graphql::persisted::DocumentHash;
use crate::graphql::{self, Api};

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

/// How a failed request is answered: the one place these endpoints pick an HTTP status. A
/// code's own status comes from the table in `ErrorCode`; the rest is the protocol's.
#[derive(Clone, Copy, Debug)]
enum Status {
    /// What GraphQL-over-HTTP says (`graphql::http::Failure`).
    Of(Failure),
    /// The transport refuses the request before reading it as GraphQL.
    Method,
    NotAcceptable,
    ContentType,
    TooLarge,
}

impl Status {
    fn status(self, media: Media, code: ErrorCode) -> StatusCode {
        match (self, media) {
            (Status::Of(Failure::Code), _) => crate::edge::status_of(code),
            (Status::Of(Failure::Request), Media::GraphqlResponse) => StatusCode::BAD_REQUEST,
            (Status::Of(Failure::Request), Media::Json) => StatusCode::OK,
            (Status::Method, _) => StatusCode::METHOD_NOT_ALLOWED,
            (Status::NotAcceptable, _) => StatusCode::NOT_ACCEPTABLE,
            (Status::ContentType, _) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            (Status::TooLarge, _) => StatusCode::PAYLOAD_TOO_LARGE,
        }
    }
}

/// A response whose body is a list of errors with their codes, and no data.
fn errors_response(status: Status, media: Media, code: ErrorCode, message: &str) -> HttpResponse {
    HttpResponse::build(status.status(media, code))
        .content_type(media.content_type())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(crate::error::error_body(code, message))
}

fn bad_request(media: Media, message: &str) -> HttpResponse {
    errors_response(
        Status::Of(Failure::Code),
        media,
        ErrorCode::BadUserInput,
        message,
    )
}

fn method_not_allowed(allow: &'static str) -> HttpResponse {
    let mut response = errors_response(
        Status::Method,
        Media::Json,
        ErrorCode::BadUserInput,
        &format!("this endpoint accepts {allow}"),
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response
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
            Status::ContentType,
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
            Status::ContentType,
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
                Status::TooLarge,
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
    if graphql::ws::is_upgrade(&http) {
        return graphql::ws::upgrade(&api, &http, payload);
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
    let params = Params::new(params.query, variables, params.operation_name, hash);
    execute(&api, &http, media, params, true).await
}

/// Runs the request (`Api::over_http`) and answers as `media` says.
async fn execute(
    api: &Api,
    http: &HttpRequest,
    media: Media,
    params: Params,
    over_get: bool,
) -> HttpResponse {
    let started = Instant::now();
    let credentials = Credentials::from_header(
        http.headers()
            .get(header::AUTHORIZATION)
            .map(|v| v.to_str().unwrap_or_default()),
    );
    let outcome = api.over_http(params, credentials, over_get, started).await;
    http.extensions_mut().insert(OperationKind(outcome.kind));
    match outcome.answer {
        Answer::Error {
            failure,
            code,
            message,
        } => errors_response(Status::Of(failure), media, code, &message),
        Answer::MutationOverGet => method_not_allowed("POST"),
        Answer::Response {
            body,
            request_error,
            unavailable,
        } => {
            let status = match request_error {
                _ if unavailable => Status::Of(Failure::Code).status(media, ErrorCode::Unavailable),
                true => Status::Of(Failure::Request).status(media, ErrorCode::BadUserInput),
                false => StatusCode::OK,
            };
            let mut http = HttpResponse::build(status);
            if unavailable {
                http.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECONDS.to_string()));
            }
            http.content_type(media.content_type())
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .body(body)
        }
    }
}

/// What a client that met `UNAVAILABLE` is told to wait before it retries.
pub const RETRY_AFTER_SECONDS: u64 = 2;

fn not_acceptable() -> HttpResponse {
    errors_response(
        Status::NotAcceptable,
        Media::Json,
        ErrorCode::BadUserInput,
        "accept application/graphql-response+json or application/json",
    )
}

async fn schema() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(graphql::sdl())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

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
}
