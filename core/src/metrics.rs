//! Metrics of a session: requests, errors by kind, retries, speculative executions, latency
//! percentiles and open connections. The driver's own counters come from `scylla`'s metrics;
//! errors by kind and speculative executions are counted here.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use scylla::errors::{RequestAttemptError, RequestError};
use scylla::observability::history::{AttemptId, HistoryListener, RequestId, SpeculativeId};
use scylla::policies::retry::RetryDecision;

use crate::error::{ErrorKind, Result};
use crate::session::Session;

/// A snapshot of a session's metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct Metrics {
    /// Requests sent (each page of a paged request counts).
    pub requests: u64,
    /// Requests that failed at the driver level.
    pub errors: u64,
    /// Failures reported to the application, by kind (client-side ones included).
    pub errors_by_kind: BTreeMap<ErrorKind, u64>,
    /// Retries decided by the retry policy.
    pub retries: u64,
    /// Speculative executions started.
    pub speculative_executions: u64,
    /// Client-side request timeouts.
    pub request_timeouts: u64,
    /// Connections currently open.
    pub open_connections: u64,
    /// Latency percentiles in milliseconds (`None` before any request was measured).
    pub latency_ms: Option<LatencyPercentiles>,
}

/// Request latency in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatencyPercentiles {
    /// Mean.
    pub mean: u64,
    /// Median.
    pub p50: u64,
    /// 99th percentile.
    pub p99: u64,
    /// 99.9th percentile.
    pub p999: u64,
}

/// Counters that core keeps itself.
#[derive(Debug, Default)]
pub(crate) struct CoreCounters {
    errors_by_kind: Mutex<BTreeMap<ErrorKind, u64>>,
    pub(crate) speculative: std::sync::Arc<SpeculationCounter>,
}

impl CoreCounters {
    /// Counts the error of `outcome`, if any, and passes it on.
    pub(crate) fn observe<T>(&self, outcome: Result<T>) -> Result<T> {
        if let Err(e) = &outcome {
            *self
                .errors_by_kind
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .entry(e.kind())
                .or_default() += 1;
        }
        outcome
    }
}

/// Counts speculative executions through the driver's history hooks.
#[derive(Debug, Default)]
pub(crate) struct SpeculationCounter {
    fibers: AtomicUsize,
}

impl HistoryListener for SpeculationCounter {
    fn log_request_start(&self) -> RequestId {
        RequestId(0)
    }
    fn log_request_success(&self, _: RequestId) {}
    fn log_request_error(&self, _: RequestId, _: &RequestError) {}
    fn log_new_speculative_fiber(&self, _: RequestId) -> SpeculativeId {
        SpeculativeId(self.fibers.fetch_add(1, Ordering::Relaxed))
    }
    fn log_attempt_start(
        &self,
        _: RequestId,
        _: Option<SpeculativeId>,
        _: SocketAddr,
    ) -> AttemptId {
        AttemptId(0)
    }
    fn log_attempt_success(&self, _: AttemptId) {}
    fn log_attempt_error(&self, _: AttemptId, _: &RequestAttemptError, _: &RetryDecision) {}
}

impl Session {
    /// A snapshot of this session's metrics.
    pub fn metrics(&self) -> Metrics {
        let m = self.driver().get_metrics();
        let latency_ms = match (
            m.get_latency_avg_ms(),
            m.get_latency_percentile_ms(50.0),
            m.get_latency_percentile_ms(99.0),
            m.get_latency_percentile_ms(99.9),
        ) {
            (Ok(mean), Ok(p50), Ok(p99), Ok(p999)) => Some(LatencyPercentiles {
                mean,
                p50,
                p99,
                p999,
            }),
            _ => None,
        };
        Metrics {
            requests: m.get_requests_unpaged_num()
                + m.get_requests_manually_paged_num()
                + m.get_requests_automatically_paged_num(),
            errors: m.get_errors_unpaged_num()
                + m.get_errors_manually_paged_num()
                + m.get_errors_automatically_paged_num(),
            errors_by_kind: self
                .counters()
                .errors_by_kind
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone(),
            retries: m.get_retries_num(),
            speculative_executions: self.counters().speculative.fibers.load(Ordering::Relaxed)
                as u64,
            request_timeouts: m.get_request_timeouts(),
            open_connections: m.get_total_connections(),
            latency_ms,
        }
    }
}
