//! cqlbridge-uniffi: core's driver exported through uniffi for Python, Kotlin and Swift.
//!
//! Thin by design: every behaviour lives in `cqlbridge-core`; this crate converts arguments,
//! spawns work on core's runtime and hands outcomes back. Two paths, as measured in
//! ARCHITECTURE.md:
//! - cold calls (connect, prepare, metadata) are uniffi `async fn`s whose work is spawned on
//!   core's runtime and aborted when the foreign future is dropped;
//! - requests (execute, batch, concurrent execution) cross as one packed buffer each
//!   (statement, options and values; bindings/PACKED.md) and complete into a
//!   [`CompletionQueue`] that the foreign side drains in batches, pages packed too; off the
//!   hot path, a foreign [`RequestListener`] gets a request's outcomes instead;
//! - [`CqlValue`] carries typed values for cold paths and bindings without a packed decoder.

// The error crosses the FFI by value as a record; boxing it would not shrink what crosses.
#![allow(clippy::result_large_err)]

mod config;
mod error;
mod mapper;
mod metadata;
mod queue;
mod request;
mod session;
mod value;

pub use config::{
    CompressionKind, ConnectOptions, LoadBalancingOptions, ProfileOptions, ReconnectionOptions,
    RequestOptions, RetryKind, SpeculativeOptions, TlsOptions,
};
pub use error::{CqlError, ErrorInfo};
pub use mapper::{
    Model, ModelColumn, ModelDef, ModelDefault, ModelPage, ModelQueryDef, ModelSubtype, ModelWrite,
    ModelWriteOptions, OrderBy, SyncInfo, TableOption, TypeField,
};
pub use metadata::{ColumnInfo, HostInfo, MetricsInfo, TableInfo};
pub use queue::{CompletionQueue, Drained};
pub use session::{Connection, PreparedStatement, RequestListener};
pub use value::{
    ColumnSpecInfo, CqlValue, MapEntry, NamedValue, Term, TypedModelRow, UdtField, ValuePage,
};

uniffi::setup_scaffolding!();

/// UUIDs cross as their canonical text; each language maps them to its own UUID type.
type Uuid = uuid::Uuid;
uniffi::custom_type!(Uuid, String, {
    remote,
    try_lift: |s| Ok(uuid::Uuid::parse_str(&s)?),
    lower: |u| u.to_string(),
});

/// The version of the native library.
#[uniffi::export]
pub fn version() -> String {
    cqlbridge_core::VERSION.to_owned()
}

/// Sets the number of runtime worker threads; effective only before the first connection.
/// Returns whether it took effect.
#[uniffi::export]
pub fn set_runtime_threads(threads: u32) -> bool {
    cqlbridge_core::runtime::set_worker_threads(threads as usize)
}

/// Decodes packed rows (bindings/PACKED.md) with core's decoder and encodes them again:
/// lets each binding test its encoder and decoder against core's.
#[uniffi::export]
pub fn repack_rows(rows: Vec<u8>) -> Result<Vec<u8>, CqlError> {
    let rows =
        cqlbridge_core::packed::unpack_rows(&rows).map_err(|e| error::invalid(e.to_string()))?;
    Ok(cqlbridge_core::packed::pack_rows(&rows))
}

/// Spawns `work` on core's runtime and awaits it; dropping the returned future (a cancelled
/// coroutine or task) aborts the work.
pub(crate) async fn on_runtime<T, F>(work: F) -> Result<T, CqlError>
where
    F: std::future::Future<Output = cqlbridge_core::Result<T>> + Send + 'static,
    T: Send + 'static,
{
    struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);
    impl<T> Drop for AbortOnDrop<T> {
        fn drop(&mut self) {
            self.0.abort();
        }
    }
    let mut task = AbortOnDrop(cqlbridge_core::runtime::spawn(work)?);
    match (&mut task.0).await {
        Ok(outcome) => Ok(outcome?),
        Err(e) => Err(cqlbridge_core::Error::Driver(format!("the task failed: {e}")).into()),
    }
}
