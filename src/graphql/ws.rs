//! GraphQL over WebSocket at `/graphql`: the `graphql-transport-ws` protocol (what the
//! `graphql-ws` library, Apollo Client and urql speak), for subscriptions.
//!
//! Written here rather than with async-graphql's `http::WebSocket`: its close codes are not the
//! protocol's (a malformed message closes with 1002, not 4400; a subscribe before the
//! acknowledgement with 1011, not 4401; a duplicate id replaces the running operation instead
//! of closing with 4409), it has no initialisation timeout, and its actix integration queues
//! outgoing messages without bound.
//!
//! What the edge enforces (`settings::EdgeSettings`, `docs/operations.md`):
//! - connections per client IP: one more is refused with 429 before the upgrade;
//! - operations per connection: one more gets an `error` message (`RATE_LIMITED`);
//! - every `subscribe` passes the checks a POST passes (`http::check`: persisted and trusted
//!   documents, nesting, aliases, root fields, fields, directives), then the schema's depth and
//!   complexity; only subscriptions run here (queries and mutations: POST);
//! - frames and messages larger than `--max-body-bytes` close with 1009, events larger than
//!   `--max-response-bytes` end their subscription with an `error`;
//! - no `connection_init` within the init timeout: 4408; no subscription running and no
//!   message received for the idle timeout: 1000; a ping every `KEEPALIVE` keeps proxies
//!   from closing a quiet subscription;
//! - a subscription that falls more than `--ws-max-lag` changes behind the feed closes its
//!   connection with 1013 (try again later): nothing is buffered for a slow client beyond
//!   the feed's bounded broadcast and one message in flight, and a client that takes nothing
//!   for `SEND_TIMEOUT` is dropped.
//!
//! Protocol errors close as the protocol says: 4400 for a malformed message, 4401 for a
//! `subscribe` before `connection_ack`, 4406 without the subprotocol, 4409 for an id in use,
//! 4429 for a second `connection_init`.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, HttpRequest, HttpResponse};
use actix_ws::{AggregatedMessage, AggregatedMessageStream, CloseReason, ProtocolError, Session};
use async_graphql::parser::types::OperationType;
use async_graphql::Response;
use futures_util::{FutureExt, Stream, StreamExt};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::time::{sleep_until, timeout, Instant};
use tokio_stream::StreamMap;

use super::http::{check, Params, Refused};
use super::subscription::Behind;
use super::Api;
use crate::error::ErrorCode;

/// The subprotocol this endpoint speaks.
pub const PROTOCOL: &str = "graphql-transport-ws";

/// How long one outgoing message may wait for the client to take it: a client that reads
/// nothing for this long is gone or cannot keep up, and is dropped without more ado.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// How often the server pings a connection: proxies close connections silent for a minute
/// (nginx's default `proxy_read_timeout`), and a client that is gone shows when a ping cannot
/// be sent. Pongs do not count as activity for the idle timeout.
const KEEPALIVE: Duration = Duration::from_secs(15);

/// A WebSocket close frame's reason has room for 123 bytes.
const MAX_REASON_BYTES: usize = 123;

/// Whether `http` asks to switch to WebSocket.
pub fn is_upgrade(http: &HttpRequest) -> bool {
    http.headers()
        .get(header::UPGRADE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim().eq_ignore_ascii_case("websocket"))
}

/// The WebSocket connections open per client IP.
#[derive(Default)]
pub struct Connections(Mutex<HashMap<IpAddr, usize>>);

impl Connections {
    /// A slot for one more connection of `client`, or `None` when it has `limit` open.
    fn open(self: &Arc<Self>, client: IpAddr, limit: usize) -> Option<Slot> {
        let mut open = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(client).or_insert(0);
        if *count >= limit {
            return None;
        }
        *count += 1;
        Some(Slot {
            connections: self.clone(),
            client,
        })
    }
}

/// One open connection of a client; frees its place when dropped.
struct Slot {
    connections: Arc<Connections>,
    client: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self
            .connections
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.client) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.client);
            }
        }
    }
}

/// Answers a WebSocket handshake on `/graphql` and serves the connection on a task of its own.
pub fn upgrade(api: &Api, http: &HttpRequest, payload: web::Payload) -> HttpResponse {
    let edge = api.edge();
    let client = crate::edge::client_ip(&http.connection_info(), edge.trust_proxy)
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let Some(slot) = api
        .connections()
        .open(client, edge.ws_max_connections_per_client)
    else {
        api.metrics().error(ErrorCode::RateLimited);
        return crate::edge::error_response(
            ErrorCode::RateLimited,
            &format!(
                "at most {} WebSocket connections per client; close one first",
                edge.ws_max_connections_per_client
            ),
        );
    };
    let (mut response, session, messages) = match actix_ws::handle(http, payload) {
        Ok(parts) => parts,
        Err(err) => {
            return crate::edge::error_response(
                ErrorCode::BadUserInput,
                &format!("not a WebSocket handshake: {err}"),
            )
        }
    };
    let speaks_protocol = http
        .headers()
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|protocol| protocol.trim() == PROTOCOL);
    if speaks_protocol {
        response.headers_mut().insert(
            header::SEC_WEBSOCKET_PROTOCOL,
            HeaderValue::from_static(PROTOCOL),
        );
    }
    let messages = messages
        .max_frame_size(edge.max_body_bytes)
        .aggregate_continuations()
        .max_continuation_size(edge.max_body_bytes);
    let connection = Connection {
        api: api.clone(),
        session,
        acknowledged: false,
        running: StreamMap::new(),
        behind: Behind::default(),
        _slot: slot,
    };
    actix_web::rt::spawn(connection.run(messages, speaks_protocol));
    response
}

/// A message from the client.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ClientMessage {
    ConnectionInit { payload: Option<Value> },
    Ping { payload: Option<Value> },
    Pong { payload: Option<Value> },
    Subscribe { id: String, payload: Value },
    Complete { id: String },
}

impl ClientMessage {
    /// Reads a text message; what is not a message of the protocol is the reason of a 4400.
    fn parse(text: &str) -> Result<ClientMessage, String> {
        let message: ClientMessage = serde_json::from_str(text).map_err(|err| err.to_string())?;
        match &message {
            ClientMessage::ConnectionInit { payload }
            | ClientMessage::Ping { payload }
            | ClientMessage::Pong { payload }
                if !matches!(payload, None | Some(Value::Null | Value::Object(_))) =>
            {
                Err("`payload` must be an object".into())
            }
            ClientMessage::Subscribe { id, .. } | ClientMessage::Complete { id }
                if id.is_empty() =>
            {
                Err("`id` must not be empty".into())
            }
            _ => Ok(message),
        }
    }
}

/// What to do after one event of the connection.
enum Step {
    Continue,
    /// Close with this code and reason.
    Close(u16, String),
    /// The client is gone (or too slow to take a message): drop the connection.
    Gone,
}

/// A running operation: its responses, then `None` when it completes.
type Operation = Pin<Box<dyn Stream<Item = Option<Response>> + Send>>;

struct Connection {
    api: Api,
    session: Session,
    acknowledged: bool,
    running: StreamMap<String, Operation>,
    /// Set by a subscription of this connection that fell behind the feed.
    behind: Behind,
    _slot: Slot,
}

impl Connection {
    async fn run(mut self, mut messages: AggregatedMessageStream, speaks_protocol: bool) {
        let end = if speaks_protocol {
            self.serve(&mut messages).await
        } else {
            Step::Close(4406, "Subprotocol not acceptable".into())
        };
        if let Step::Close(code, reason) = end {
            let reason = CloseReason {
                code: code.into(),
                description: Some(truncated(reason)),
            };
            let _ = timeout(SEND_TIMEOUT, self.session.close(Some(reason))).await;
        }
    }

    /// Serves messages and subscriptions until the connection is to end; how it ends.
    async fn serve(&mut self, messages: &mut AggregatedMessageStream) -> Step {
        let edge = self.api.edge();
        let init_deadline = Instant::now() + Duration::from_millis(edge.ws_init_timeout_ms);
        let idle_timeout = Duration::from_secs(edge.ws_idle_timeout_secs);
        let mut active_at = Instant::now();
        let mut keepalive = tokio::time::interval_at(Instant::now() + KEEPALIVE, KEEPALIVE);
        loop {
            let busy = !self.running.is_empty();
            let behind = self.behind.clone();
            let step = tokio::select! {
                // A slow client first: nothing more is sent to it.
                biased;
                missed = behind.reported() => Step::Close(
                    1013,
                    format!("too slow: fell {missed} changes behind; reconnect and refetch"),
                ),
                Some((id, item)) = self.running.next(), if busy => self.forward(id, item).await,
                message = messages.next() => {
                    if matches!(message, Some(Ok(AggregatedMessage::Text(_)))) {
                        active_at = Instant::now();
                    }
                    self.receive(message).await
                }
                _ = keepalive.tick() => match timeout(SEND_TIMEOUT, self.session.ping(b"")).await {
                    Ok(Ok(())) => Step::Continue,
                    _ => Step::Gone,
                },
                _ = sleep_until(init_deadline), if !self.acknowledged => {
                    Step::Close(4408, "Connection initialisation timeout".into())
                }
                _ = sleep_until(active_at + idle_timeout), if !busy => Step::Close(
                    1000,
                    format!("idle: no subscription for {} s", idle_timeout.as_secs()),
                ),
            };
            if busy || !self.running.is_empty() {
                active_at = Instant::now();
            }
            match step {
                Step::Continue => {}
                end => return end,
            }
        }
    }

    async fn receive(&mut self, message: Option<Result<AggregatedMessage, ProtocolError>>) -> Step {
        match message {
            None => Step::Gone,
            Some(Err(ProtocolError::Overflow)) => Step::Close(
                1009,
                format!(
                    "a message is larger than {} bytes",
                    self.api.edge().max_body_bytes
                ),
            ),
            Some(Err(err)) => Step::Close(1002, err.to_string()),
            Some(Ok(AggregatedMessage::Text(text))) => match ClientMessage::parse(&text) {
                Ok(message) => self.handle(message).await,
                Err(reason) => Step::Close(4400, format!("Invalid message received: {reason}")),
            },
            Some(Ok(AggregatedMessage::Binary(_))) => Step::Close(
                4400,
                "Invalid message received: the protocol's messages are text".into(),
            ),
            Some(Ok(AggregatedMessage::Ping(bytes))) => match self.session.pong(&bytes).await {
                Ok(()) => Step::Continue,
                Err(_) => Step::Gone,
            },
            Some(Ok(AggregatedMessage::Pong(_))) => Step::Continue,
            Some(Ok(AggregatedMessage::Close(_))) => Step::Close(1000, String::new()),
        }
    }

    async fn handle(&mut self, message: ClientMessage) -> Step {
        match message {
            ClientMessage::ConnectionInit { .. } if self.acknowledged => {
                Step::Close(4429, "Too many initialisation requests".into())
            }
            ClientMessage::ConnectionInit { .. } => {
                self.acknowledged = true;
                self.send(json!({ "type": "connection_ack" })).await
            }
            ClientMessage::Ping { .. } => self.send(json!({ "type": "pong" })).await,
            ClientMessage::Pong { .. } => Step::Continue,
            ClientMessage::Subscribe { id, payload } => self.subscribe(id, payload).await,
            ClientMessage::Complete { id } => {
                // The client's own `complete`: nothing is sent back.
                self.running.remove(&id);
                Step::Continue
            }
        }
    }

    async fn subscribe(&mut self, id: String, payload: Value) -> Step {
        if !self.acknowledged {
            return Step::Close(4401, "Unauthorized".into());
        }
        if self.running.contains_key(&id) {
            return Step::Close(4409, format!("Subscriber for {id} already exists"));
        }
        let params = match Params::from_json(payload) {
            Ok(params) => params,
            Err(reason) => return Step::Close(4400, format!("Invalid message received: {reason}")),
        };
        let limit = self.api.edge().ws_max_subscriptions;
        if self.running.len() >= limit {
            return self
                .refuse(
                    &id,
                    ErrorCode::RateLimited,
                    &format!("at most {limit} operations run at once on one connection; complete one first"),
                )
                .await;
        }
        let runs = |operation| operation == OperationType::Subscription;
        let request = match check(&self.api, params, runs) {
            Ok((request, _)) => request,
            Err(Refused::Document(refusal)) => {
                let (code, message) = Refused::document(&refusal);
                return self.refuse(&id, code, message).await;
            }
            Err(Refused::Operation(_)) => {
                return self
                    .refuse(
                        &id,
                        ErrorCode::BadUserInput,
                        "only subscriptions run over WebSocket; send queries and mutations with POST /graphql",
                    )
                    .await
            }
            Err(Refused::Invalid(error)) => {
                let response = Response::from_errors(vec![error]);
                return self.fail(&id, super::error::assign_missing_codes(response)).await;
            }
        };
        let mut operation: Operation = Box::pin(
            self.api
                .stream(request.data(self.behind.clone()))
                .map(Some)
                .chain(futures_util::stream::once(async { None })),
        );
        // Polled once now, so that the subscription listens to the feed before the next
        // message is read: a client's `ping` after its `subscribe` is answered only then.
        let first = operation.next().now_or_never();
        self.running.insert(id.clone(), operation);
        match first {
            Some(Some(item)) => self.forward(id, item).await,
            _ => Step::Continue,
        }
    }

    /// Sends what an operation produced: a response, or its completion.
    async fn forward(&mut self, id: String, item: Option<Response>) -> Step {
        let Some(response) = item else {
            self.running.remove(&id);
            return self.send(json!({ "id": id, "type": "complete" })).await;
        };
        // Nothing ran (the document did not validate): the protocol's `error`, which ends it.
        let request_error = response.data == async_graphql::Value::Null
            && !response.errors.is_empty()
            && response.errors.iter().all(|error| error.path.is_empty());
        if request_error {
            return self.fail(&id, response).await;
        }
        for error in &response.errors {
            self.api.metrics().error(super::error::code_of(error));
        }
        let message = json!({ "id": id, "type": "next", "payload": response });
        let max = self.api.edge().max_response_bytes;
        if message.to_string().len() > max {
            return self
                .refuse(
                    &id,
                    ErrorCode::BadUserInput,
                    &format!("an event would be larger than {max} bytes; ask for less"),
                )
                .await;
        }
        self.send(message).await
    }

    /// Ends operation `id` with one error.
    async fn refuse(&mut self, id: &str, code: ErrorCode, message: &str) -> Step {
        let error = super::error::server_error(code, message);
        self.fail(id, Response::from_errors(vec![error])).await
    }

    /// Ends operation `id` with the protocol's `error` message (no `complete` follows).
    async fn fail(&mut self, id: &str, response: Response) -> Step {
        self.running.remove(id);
        for error in &response.errors {
            self.api.metrics().error(super::error::code_of(error));
        }
        self.send(json!({ "id": id, "type": "error", "payload": response.errors }))
            .await
    }

    async fn send(&mut self, message: Value) -> Step {
        match timeout(SEND_TIMEOUT, self.session.text(message.to_string())).await {
            Ok(Ok(())) => Step::Continue,
            _ => Step::Gone,
        }
    }
}

/// `reason` cut to what a close frame carries, at a character boundary.
fn truncated(mut reason: String) -> String {
    if reason.len() > MAX_REASON_BYTES {
        let mut end = MAX_REASON_BYTES;
        while !reason.is_char_boundary(end) {
            end -= 1;
        }
        reason.truncate(end);
    }
    reason
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_of_the_protocol_parse_and_anything_else_is_refused() {
        assert!(matches!(
            ClientMessage::parse(r#"{"type":"connection_init"}"#),
            Ok(ClientMessage::ConnectionInit { payload: None })
        ));
        assert!(matches!(
            ClientMessage::parse(r#"{"type":"subscribe","id":"1","payload":{"query":"{a}"}}"#),
            Ok(ClientMessage::Subscribe { .. })
        ));
        assert!(matches!(
            ClientMessage::parse(r#"{"type":"complete","id":"1"}"#),
            Ok(ClientMessage::Complete { .. })
        ));
        for bad in [
            "not json",
            r#"{"type":"start","id":"1","payload":{}}"#,
            r#"{"type":"subscribe","payload":{"query":"{a}"}}"#,
            r#"{"type":"subscribe","id":"","payload":{"query":"{a}"}}"#,
            r#"{"type":"complete","id":7}"#,
            r#"{"type":"connection_init","payload":[1]}"#,
            r#"{"id":"1"}"#,
        ] {
            assert!(ClientMessage::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn close_reasons_fit_a_frame_and_keep_whole_characters() {
        let reason = truncated("扶".repeat(100));
        assert!(reason.len() <= MAX_REASON_BYTES);
        assert_eq!(reason, "扶".repeat(41));
        assert_eq!(truncated("short".into()), "short");
    }

    #[test]
    fn a_client_has_at_most_its_limit_of_connections_and_a_closed_one_frees_its_place() {
        let connections = Arc::new(Connections::default());
        let client = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let first = connections.open(client, 2).unwrap();
        let _second = connections.open(client, 2).unwrap();
        assert!(connections.open(client, 2).is_none());
        assert!(connections
            .open(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 2)
            .is_some());
        drop(first);
        assert!(connections.open(client, 2).is_some());
    }
}
