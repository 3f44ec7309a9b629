//! The HTTP edge around every route: request ids and the access log, metrics, security
//! headers, CORS and rate limiting. Each is configured by `settings::EdgeSettings`.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use actix_cors::Cors;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ConnectionInfo, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::{DefaultHeaders, Next};
use actix_web::{web, HttpMessage, HttpResponse};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tracing::Instrument;

use crate::error::{AppError, ErrorCode};
use crate::metrics::Metrics;
use crate::routes::graphql::OperationKind;
use crate::settings::EdgeSettings;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Headers every response carries: no MIME sniffing, no framing by other sites, no referrer.
pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::CONTENT_SECURITY_POLICY, "frame-ancestors 'none'"))
        .add((header::REFERRER_POLICY, "no-referrer"))
}

/// Cross-origin access for the configured origins only (none by default).
pub fn cors(settings: &EdgeSettings) -> Cors {
    settings
        .cors_origins
        .iter()
        .map(|origin| origin.trim())
        .filter(|origin| !origin.is_empty())
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
        .allowed_methods([Method::GET, Method::POST])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .expose_headers([REQUEST_ID])
        .max_age(3600)
}

/// A token bucket per client IP (governor's GCRA), or nothing when the rate is 0.
pub struct RateLimit {
    limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
    trust_proxy: bool,
    checks: AtomicU64,
}

impl RateLimit {
    pub fn new(settings: &EdgeSettings) -> RateLimit {
        let limiter = NonZeroU32::new(settings.rate_limit).map(|rate| {
            let burst = NonZeroU32::new(settings.rate_limit_burst).unwrap_or(rate);
            RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst))
        });
        RateLimit {
            limiter,
            trust_proxy: settings.trust_proxy,
            checks: AtomicU64::new(0),
        }
    }

    /// `Err(seconds to wait)` when `client` has used up its bucket.
    fn check(&self, client: IpAddr) -> Result<(), u64> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        // Forget idle clients now and then, so the table does not grow without bound.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 10_000 == 9_999 {
            limiter.retain_recent();
        }
        limiter.check_key(&client).map_err(|not_until| {
            not_until
                .wait_time_from(DefaultClock::default().now())
                .as_secs_f64()
                .ceil()
                .max(1.0) as u64
        })
    }
}

/// The client's IP: the peer, or what the proxy says when it is trusted.
pub fn client_ip(info: &ConnectionInfo, trust_proxy: bool) -> Option<IpAddr> {
    let address = if trust_proxy {
        info.realip_remote_addr()
    } else {
        info.peer_addr()
    }?;
    address
        .parse::<IpAddr>()
        .ok()
        .or_else(|| address.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()))
        .or_else(|| {
            address
                .rsplit_once(':')
                .and_then(|(ip, _)| ip.trim_matches(['[', ']']).parse().ok())
        })
}

/// Refuses a client that has used up its token bucket with 429 and `Retry-After`. It runs
/// inside CORS and the security headers, so a refusal carries them (a browser on an allowed
/// origin can read it), and after CORS has answered preflights, which are never limited.
pub async fn limit_rate(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let wait = request
        .app_data::<web::Data<RateLimit>>()
        .and_then(|limits| {
            let client = client_ip(&request.connection_info(), limits.trust_proxy)?;
            limits.check(client).err()
        });
    match wait {
        Some(wait) => {
            let refusal = AppError::RateLimited { retry_after: wait };
            let mut response = error_response(refusal.code(), &refusal.to_string());
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from_str(&wait.to_string()).expect("digits are a valid header"),
            );
            Ok(request.into_response(response))
        }
        None => Ok(next.call(request).await?.map_into_boxed_body()),
    }
}

/// An error response in the API's shape: `{"errors": [{"message", "extensions": {"code"}}]}`.
pub fn error_body(status: StatusCode, code: ErrorCode, message: &str) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(crate::error::error_body(code, message))
}

/// An error response with `code`'s own status (the table in `ErrorCode`).
pub fn error_response(code: ErrorCode, message: &str) -> HttpResponse {
    error_body(status_of(code), code, message)
}

/// The HTTP status of `code`, from the one table (`ErrorCode::http_status`).
pub fn status_of(code: ErrorCode) -> StatusCode {
    StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Gives the request an id, and runs the rest of the request inside a `request` span that
/// carries it, so every log line of the request has it: the handler, then the `x-request-id`
/// header, metrics and the access-log line. One span with one field: a per-request cost that
/// logging at info level can afford.
pub async fn observe(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let request_id = format!("{:032x}", rand::random::<u128>());
    let span = tracing::info_span!("request", request_id = %request_id);
    observed(request, next, request_id).instrument(span).await
}

async fn observed(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
    request_id: String,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let metrics = request.app_data::<web::Data<Arc<Metrics>>>().cloned();
    let trust_proxy = request
        .app_data::<web::Data<RateLimit>>()
        .is_some_and(|l| l.trust_proxy);
    let client = client_ip(&request.connection_info(), trust_proxy);
    let method = method_label(request.method());
    let path = request.path().to_string();

    let response = next.call(request).await?.map_into_boxed_body();
    let mut response = with_error_body(response);

    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    let status = response.status().as_u16();
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_string());
    let operation = response
        .request()
        .extensions()
        .get::<OperationKind>()
        .map(|kind| kind.0);
    let seconds = started.elapsed().as_secs_f64();
    if let Some(metrics) = &metrics {
        metrics.http_request(method, &route, status, seconds);
    }
    tracing::info!(
        target: "access",
        request_id,
        method,
        path,
        route,
        status,
        operation,
        client = client.map(|ip| ip.to_string()),
        duration_ms = (seconds * 1000.0 * 100.0).round() / 100.0,
        "request"
    );
    Ok(response)
}

/// Every error the API answers has a body in the API's shape: an error response that actix or
/// a middleware built with an empty or plain-text body (an unknown route, a refused CORS
/// preflight, an extractor's rejection) gets one, with the code of its status.
fn with_error_body(response: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let status = response.status();
    let cors = response
        .response()
        .error()
        .and_then(|e| e.as_error::<actix_cors::CorsError>())
        .map(|e| e.to_string());
    let empty = matches!(
        response.response().body().size(),
        actix_web::body::BodySize::None | actix_web::body::BodySize::Sized(0)
    );
    if !(status.is_client_error() || status.is_server_error())
        || response.request().method() == Method::HEAD
        || !(empty || cors.is_some())
    {
        return response;
    }
    let (status, code, message) = match cors {
        Some(reason) => (
            status_of(ErrorCode::Forbidden),
            ErrorCode::Forbidden,
            format!("cross-origin request refused: {reason}"),
        ),
        None => {
            let code = code_of_status(status);
            let reason = status.canonical_reason().unwrap_or("error");
            (status, code, reason.to_lowercase())
        }
    };
    let (request, original) = response.into_parts();
    let mut replaced = error_body(status, code, &message);
    for (name, value) in original.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            replaced.headers_mut().insert(name.clone(), value.clone());
        }
    }
    ServiceResponse::new(request, replaced)
}

/// The code of an error response that has nothing more specific to say: the code whose status
/// it is, else `BAD_USER_INPUT` for a client error and `INTERNAL` for a server error.
fn code_of_status(status: StatusCode) -> ErrorCode {
    ErrorCode::ALL
        .into_iter()
        .find(|code| code.http_status() == status.as_u16() && *code != ErrorCode::Timeout)
        .unwrap_or(if status.is_client_error() {
            ErrorCode::BadUserInput
        } else {
            ErrorCode::Internal
        })
}

/// The label of an HTTP method in metrics and logs: the standard ones by name, any made-up one
/// as `other` (a client must not be able to mint label values).
fn method_label(method: &Method) -> &'static str {
    const KNOWN: [(Method, &str); 9] = [
        (Method::GET, "GET"),
        (Method::POST, "POST"),
        (Method::HEAD, "HEAD"),
        (Method::OPTIONS, "OPTIONS"),
        (Method::PUT, "PUT"),
        (Method::DELETE, "DELETE"),
        (Method::PATCH, "PATCH"),
        (Method::CONNECT, "CONNECT"),
        (Method::TRACE, "TRACE"),
    ];
    KNOWN
        .iter()
        .find(|(known, _)| known == method)
        .map_or("other", |(_, label)| label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_up_methods_are_labelled_other() {
        assert_eq!(method_label(&Method::POST), "POST");
        let made_up = Method::from_bytes(b"X000001MMMM").unwrap();
        assert_eq!(method_label(&made_up), "other");
    }
}
