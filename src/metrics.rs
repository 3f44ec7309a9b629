//! Prometheus metrics of one server process, rendered at `/metrics` in the text format.

use crate::error::ErrorCode;
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};

/// Latency buckets in seconds: from a cached lookup to a slow search.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

pub struct Metrics {
    registry: Registry,
    /// By method, route pattern and status code.
    http_requests: IntCounterVec,
    /// By route pattern.
    http_duration: HistogramVec,
    /// GraphQL requests by operation kind (`query`, `mutation`, `invalid`).
    graphql_requests: IntCounterVec,
    graphql_duration: HistogramVec,
    /// GraphQL errors by `extensions.code`.
    errors: IntCounterVec,
    search_duration: Histogram,
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry =
            Registry::new_custom(Some("policy_kb".into()), None).expect("a valid metrics prefix");
        let counter = |name: &str, help: &str, labels: &[&str]| {
            let counter =
                IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric options");
            registry
                .register(Box::new(counter.clone()))
                .expect("metric names are unique");
            counter
        };
        let histogram = |name: &str, help: &str, labels: &[&str]| {
            let opts = HistogramOpts::new(name, help).buckets(BUCKETS.to_vec());
            let histogram = HistogramVec::new(opts, labels).expect("valid metric options");
            registry
                .register(Box::new(histogram.clone()))
                .expect("metric names are unique");
            histogram
        };
        let http_requests = counter(
            "http_requests_total",
            "HTTP requests by method, route and status.",
            &["method", "route", "status"],
        );
        let http_duration = histogram(
            "http_request_duration_seconds",
            "HTTP request latency by route.",
            &["route"],
        );
        let graphql_requests = counter(
            "graphql_requests_total",
            "GraphQL requests by operation kind.",
            &["operation"],
        );
        let graphql_duration = histogram(
            "graphql_request_duration_seconds",
            "GraphQL execution latency by operation kind.",
            &["operation"],
        );
        let errors = counter(
            "graphql_errors_total",
            "GraphQL errors by extensions.code.",
            &["code"],
        );
        let search_duration = histogram(
            "search_duration_seconds",
            "Full-text search latency (one search field resolved).",
            &[],
        )
        .with_label_values(&[] as &[&str]);
        Metrics {
            registry,
            http_requests,
            http_duration,
            graphql_requests,
            graphql_duration,
            errors,
            search_duration,
        }
    }

    /// Every label must come from a closed set, so that no client can grow the number of
    /// series: the edge passes a standard method or `other`, a pattern of the route table or
    /// `unmatched`, and the status the server chose.
    pub fn http_request(&self, method: &'static str, route: &str, status: u16, seconds: f64) {
        self.http_requests
            .with_label_values(&[method, route, &status.to_string()])
            .inc();
        self.http_duration
            .with_label_values(&[route])
            .observe(seconds);
    }

    pub fn graphql_request(&self, operation: &str, seconds: f64) {
        self.graphql_requests.with_label_values(&[operation]).inc();
        self.graphql_duration
            .with_label_values(&[operation])
            .observe(seconds);
    }

    pub fn error(&self, code: ErrorCode) {
        self.errors.with_label_values(&[code.as_str()]).inc();
    }

    pub fn search(&self, seconds: f64) {
        self.search_duration.observe(seconds);
    }

    /// Everything, in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        // Encoding into a Vec cannot fail for well-formed metric families.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_what_was_recorded() {
        let metrics = Metrics::new();
        metrics.http_request("POST", "/graphql", 200, 0.003);
        metrics.graphql_request("query", 0.002);
        metrics.error(ErrorCode::BadUserInput);
        metrics.search(0.004);
        let text = metrics.render();
        assert!(text.contains(
            "policy_kb_http_requests_total{method=\"POST\",route=\"/graphql\",status=\"200\"} 1"
        ));
        assert!(text.contains("policy_kb_graphql_requests_total{operation=\"query\"} 1"));
        assert!(text.contains("policy_kb_graphql_errors_total{code=\"BAD_USER_INPUT\"} 1"));
        assert!(text.contains("policy_kb_search_duration_seconds_count 1"));
    }
}
