//! Request tracing: a traced request's id leads to the server's trace session and events.

use std::net::IpAddr;

use uuid::Uuid;

use crate::error::{Error, Result};
use crate::session::Session;

/// A server-side trace of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    /// The trace id (the request's tracing id).
    pub id: Uuid,
    /// The coordinator that handled the request.
    pub coordinator: Option<IpAddr>,
    /// The request as the server describes it.
    pub request: Option<String>,
    /// Total duration on the coordinator, in microseconds.
    pub duration_micros: Option<i32>,
    /// The events, in order.
    pub events: Vec<TraceEvent>,
}

/// One step of a traced request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceEvent {
    /// What happened.
    pub activity: String,
    /// The node it happened on.
    pub source: Option<IpAddr>,
    /// Microseconds since the request started on that node.
    pub source_elapsed_micros: Option<i32>,
    /// The server thread.
    pub thread: Option<String>,
}

impl Session {
    /// Fetches the trace of a request executed with tracing on (see
    /// [`crate::ResultSet::tracing_id`]). Traces are written asynchronously by the server;
    /// this retries for a short while until the trace is complete.
    pub async fn trace(&self, id: Uuid) -> Result<Trace> {
        let info = self
            .driver()
            .get_tracing_info(&id)
            .await
            .map_err(|e| match e {
                scylla::errors::TracingError::ExecutionError(x) => Error::from(x),
                other => Error::Driver(format!("cannot read trace {id}: {other}")),
            })?;
        Ok(Trace {
            id,
            coordinator: info.coordinator,
            request: info.request,
            duration_micros: info.duration,
            events: info
                .events
                .into_iter()
                .map(|e| TraceEvent {
                    activity: e.activity.unwrap_or_default(),
                    source: e.source,
                    source_elapsed_micros: e.source_elapsed,
                    thread: e.thread,
                })
                .collect(),
        })
    }
}
