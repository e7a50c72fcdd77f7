//! The one public error: core's error, flattened into a record every language can map to its
//! own exception classes by `kind`.

use cqlbridge_core::packed::Writer;
use cqlbridge_core::Error;

/// A failure, with everything core knows about it.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ErrorInfo {
    /// The stable code of core's `ErrorKind` (100 SyntaxError, 101 InvalidRequest, ...).
    pub kind: u16,
    /// The kind's name, e.g. `InvalidRequest`, `WriteTimeout`, `NoHostAvailable`.
    pub name: String,
    /// The full message.
    pub message: String,
    /// The server's protocol error code; 0 when the error did not come from the server.
    pub server_code: i32,
    /// The consistency level's protocol code, for availability, timeout and failure errors.
    pub consistency: Option<u16>,
    /// Replicas required.
    pub required: Option<i32>,
    /// Replicas that answered (alive, for Unavailable).
    pub received: Option<i32>,
    /// Replicas that failed.
    pub failures: Option<i32>,
    /// Whether the replica asked for data answered.
    pub data_present: Option<bool>,
    /// The write type of write timeouts and failures.
    pub write_type: Option<String>,
    /// The keyspace (AlreadyExists, FunctionFailure).
    pub keyspace: Option<String>,
    /// The table (AlreadyExists) or function (FunctionFailure).
    pub table: Option<String>,
    /// For a conditional write that was not applied: the existing row, packed as a count and
    /// then (name, value) pairs; empty otherwise.
    pub existing: Vec<u8>,
}

/// The error every fallible export returns.
#[derive(Debug, Clone, thiserror::Error, uniffi::Error)]
pub enum CqlError {
    /// The operation failed; `info` says how.
    #[error("{}", info.message)]
    Failed {
        /// What failed, with the server's details.
        info: ErrorInfo,
    },
}

impl From<&Error> for ErrorInfo {
    fn from(e: &Error) -> Self {
        let kind = e.kind();
        let details = e
            .server_error()
            .map(|s| s.kind.details())
            .unwrap_or_default();
        let existing = match e {
            Error::LwtFailed { existing } => {
                let mut w = Writer::new();
                w.u32(existing.len());
                for (name, v) in existing {
                    w.str(name);
                    w.value(v);
                }
                w.into_bytes()
            }
            _ => Vec::new(),
        };
        ErrorInfo {
            kind: kind as u16,
            name: format!("{kind:?}"),
            message: e.to_string(),
            server_code: if e.server_error().is_some() {
                details.code
            } else {
                0
            },
            consistency: details.consistency.map(|c| c as u16),
            required: details.required,
            received: details.received,
            failures: details.failures,
            data_present: details.data_present,
            write_type: details.write_type,
            keyspace: details.keyspace,
            table: details.table,
            existing,
        }
    }
}

impl From<Error> for CqlError {
    fn from(e: Error) -> Self {
        CqlError::Failed { info: (&e).into() }
    }
}

/// An argument the caller got wrong.
pub(crate) fn invalid(message: impl Into<String>) -> CqlError {
    Error::InvalidArgument(message.into()).into()
}
