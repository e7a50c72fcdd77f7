//! cqlbridge-core: everything a Cassandra driver does, in plain async Rust, built on the
//! `scylla` crate. Front ends (the C ABI, the uniffi bindings) are thin layers over it.
//!
//! ```no_run
//! # async fn demo() -> cqlbridge_core::Result<()> {
//! use cqlbridge_core::{ClusterConfig, Session, Value};
//! let config = ClusterConfig::builder().contact_point("127.0.0.1").build()?;
//! let session = Session::connect(&config).await?;
//! let rows = session
//!     .execute("SELECT release_version FROM system.local WHERE key = ?", vec![Value::from("local")])
//!     .await?;
//! println!("{:?}", rows.rows[0][0]);
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

pub mod batch;
pub mod completion;
pub mod concurrent;
pub mod config;
pub mod error;
pub mod events;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzz_checks;
pub mod logging;
pub mod mapper;
pub mod metadata;
pub mod metrics;
pub mod packed;
pub mod paging;
pub mod policies;
pub mod result;
pub mod runtime;
pub mod session;
pub mod statement;
pub mod tls;
pub mod trace;
pub mod types;
pub mod value;

pub use batch::{Batch, BatchType};
pub use completion::Completion;
pub use concurrent::ConcurrencyOptions;
pub use config::{ClusterConfig, ClusterConfigBuilder, Credentials};
pub use error::{Error, ErrorKind, Result, ServerError, ServerErrorDetails, ServerErrorKind};
pub use events::{HostEvent, HostWatch};
pub use logging::{LogLevel, LogRecord};
pub use metadata::{ColumnKind, Host, IndexMetadata, KeyspaceMetadata, Replication, TableMetadata};
pub use metrics::{LatencyPercentiles, Metrics};
pub use paging::RowStream;
pub use policies::{
    Compression, ExecutionProfile, LoadBalancing, Reconnection, Retry, SpeculativeExecution,
};
pub use result::{ColumnSpec, ResultSet, Row};
pub use session::{Prepared, Query, ResponseFuture, Session};
pub use statement::{Consistency, SerialConsistency, Statement, StatementOptions, Values};
pub use tls::TlsConfig;
pub use trace::{Trace, TraceEvent};
pub use types::CqlType;
pub use value::{Duration, Value, ValueError};

/// The version of this crate.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
