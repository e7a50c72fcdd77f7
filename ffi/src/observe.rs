//! Metadata snapshots, metrics and the logging callback.

use std::ffi::{c_char, c_void};
use std::sync::Mutex;

use cqlbridge_core::logging::{clear_log_callback, set_log_callback, LogLevel};
use cqlbridge_core::{Host, KeyspaceMetadata, Session};

use crate::boundary::{
    blocking, fail, ffi_call, out, release, resolve, str_arg, Failure, FfiResult, UserData,
};
use crate::handle::{Kind, REGISTRY};
use crate::session::cqlb_session;
use crate::status::cqlb_status;

/// A snapshot of the cluster's metadata: hosts and schema, as the session saw them.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct cqlb_metadata {
    /// The handle; 0 is never valid.
    pub handle: u64,
}

/// A node; strings are borrowed while the metadata handle lives.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cqlb_host {
    /// The node's host id (16 bytes).
    pub host_id: [u8; 16],
    /// Its address as text (`127.0.0.1`).
    pub address: *const c_char,
    /// Length of `address`.
    pub address_len: usize,
    /// Its CQL port.
    pub port: u16,
    /// Its datacenter (empty when unknown).
    pub datacenter: *const c_char,
    /// Length of `datacenter`.
    pub datacenter_len: usize,
    /// Its rack (empty when unknown).
    pub rack: *const c_char,
    /// Length of `rack`.
    pub rack_len: usize,
    /// Whether the driver holds a working connection to it.
    pub up: bool,
}

/// A column of a table; strings are borrowed while the metadata handle lives.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cqlb_column_info {
    /// The column's name.
    pub name: *const c_char,
    /// Length of `name`.
    pub name_len: usize,
    /// Its CQL type as text, as CQL writes it (UDT names double-quoted).
    pub type_text: *const c_char,
    /// Length of `type_text`.
    pub type_len: usize,
    /// 0 regular, 1 partition key, 2 clustering, 3 static.
    pub kind: u32,
    /// Position in the partition or clustering key (0 for other columns).
    pub position: u32,
}

struct Snapshot {
    hosts: Vec<(Host, String)>,
    /// Tokens in ring order with the index of their host in `hosts`.
    ring: Vec<(i64, usize)>,
    keyspaces: Vec<KeyspaceMetadata>,
    /// Column type texts, per keyspace, table and column order.
    types: Vec<Vec<Vec<(String, String)>>>,
}

fn snapshot(m: cqlb_metadata) -> FfiResult<std::sync::Arc<Snapshot>> {
    resolve::<Snapshot>(m.handle, Kind::Metadata)
}

/// Takes a snapshot of the cluster's metadata (free it with `cqlb_metadata_free`).
#[no_mangle]
pub unsafe extern "C" fn cqlb_session_metadata(
    session: cqlb_session,
    out_metadata: *mut cqlb_metadata,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_metadata, "out_metadata")?;
        let s = resolve::<Session>(session.handle, Kind::Session)?;
        let hosts = s
            .hosts()
            .into_iter()
            .map(|h| (h.address.ip().to_string(), h))
            .map(|(a, h)| (h, a))
            .collect();
        let keyspaces: Vec<KeyspaceMetadata> = s
            .keyspace_names()
            .iter()
            .filter_map(|k| s.keyspace_metadata(k))
            .collect();
        let types = keyspaces
            .iter()
            .map(|k| {
                k.tables
                    .values()
                    .map(|t| {
                        t.columns
                            .iter()
                            .map(|(n, c)| (n.clone(), c.typ.to_string()))
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let hosts: Vec<(Host, String)> = hosts;
        let ring = s
            .token_ring()
            .into_iter()
            .filter_map(|(t, h)| {
                hosts
                    .iter()
                    .position(|(x, _)| x.host_id == h.host_id)
                    .map(|i| (t, i))
            })
            .collect();
        let snapshot = Snapshot {
            hosts,
            ring,
            keyspaces,
            types,
        };
        slot.write(cqlb_metadata {
            handle: REGISTRY.insert(Kind::Metadata, snapshot),
        });
        Ok(())
    })
}

/// Frees a metadata snapshot.
#[no_mangle]
pub extern "C" fn cqlb_metadata_free(metadata: cqlb_metadata) -> cqlb_status {
    ffi_call(|| release(metadata.handle, Kind::Metadata))
}

/// The number of hosts.
#[no_mangle]
pub unsafe extern "C" fn cqlb_metadata_host_count(
    metadata: cqlb_metadata,
    out_count: *mut usize,
) -> cqlb_status {
    ffi_call(|| {
        out(out_count, "out_count")?.write(snapshot(metadata)?.hosts.len());
        Ok(())
    })
}

/// Host `index`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_metadata_host(
    metadata: cqlb_metadata,
    index: usize,
    out_host: *mut cqlb_host,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_host, "out_host")?;
        let m = snapshot(metadata)?;
        let Some((h, address)) = m.hosts.get(index) else {
            return fail(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                format!("host {index} is out of range"),
            );
        };
        let text = |s: &Option<String>| {
            s.as_deref()
                .map_or((std::ptr::null(), 0), |s| (s.as_ptr().cast(), s.len()))
        };
        let (dc, dc_len) = text(&h.datacenter);
        let (rack, rack_len) = text(&h.rack);
        slot.write(cqlb_host {
            host_id: *h.host_id.as_bytes(),
            address: address.as_ptr().cast(),
            address_len: address.len(),
            port: h.address.port(),
            datacenter: dc,
            datacenter_len: dc_len,
            rack,
            rack_len,
            up: h.up,
        });
        Ok(())
    })
}

/// The number of keyspaces.
#[no_mangle]
pub unsafe extern "C" fn cqlb_metadata_keyspace_count(
    metadata: cqlb_metadata,
    out_count: *mut usize,
) -> cqlb_status {
    ffi_call(|| {
        out(out_count, "out_count")?.write(snapshot(metadata)?.keyspaces.len());
        Ok(())
    })
}

/// The name of keyspace `index`, borrowed while the snapshot lives.
#[no_mangle]
pub unsafe extern "C" fn cqlb_metadata_keyspace_name(
    metadata: cqlb_metadata,
    index: usize,
    out_name: *mut *const c_char,
    out_len: *mut usize,
) -> cqlb_status {
    ffi_call(|| {
        let (n, l) = (out(out_name, "out_name")?, out(out_len, "out_len")?);
        let m = snapshot(metadata)?;
        let Some(k) = m.keyspaces.get(index) else {
            return fail(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                format!("keyspace {index} is out of range"),
            );
        };
        n.write(k.name.as_ptr().cast());
        l.write(k.name.len());
        Ok(())
    })
}

/// The number of tables of `keyspace`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_metadata_table_count(
    metadata: cqlb_metadata,
    keyspace: *const c_char,
    keyspace_len: usize,
    out_count: *mut usize,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_count, "out_count")?;
        let m = snapshot(metadata)?;
        let ks = str_arg(keyspace, keyspace_len, "keyspace")?;
        match m.keyspaces.iter().find(|k| k.name == ks) {
            Some(k) => {
                slot.write(k.tables.len());
                Ok(())
            }
            None => fail(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                format!("no keyspace {ks:?}"),
            ),
        }
    })
}

/// The name of table `index` of `keyspace` (tables in name order), borrowed while the
/// snapshot lives.
#[no_mangle]
pub unsafe extern "C" fn cqlb_metadata_table_name(
    metadata: cqlb_metadata,
    keyspace: *const c_char,
    keyspace_len: usize,
    index: usize,
    out_name: *mut *const c_char,
    out_len: *mut usize,
) -> cqlb_status {
    ffi_call(|| {
        let (n, l) = (out(out_name, "out_name")?, out(out_len, "out_len")?);
        let m = snapshot(metadata)?;
        let ks = str_arg(keyspace, keyspace_len, "keyspace")?;
        let Some(k) = m.keyspaces.iter().find(|k| k.name == ks) else {
            return fail(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                format!("no keyspace {ks:?}"),
            );
        };
        let Some(name) = k.tables.keys().nth(index) else {
            return fail(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                format!("table {index} is out of range"),
            );
        };
        n.write(name.as_ptr().cast());
        l.write(name.len());
        Ok(())
    })
}

fn find_table<'a>(
    m: &'a Snapshot,
    keyspace: &str,
    table: &str,
) -> FfiResult<(usize, usize, &'a cqlbridge_core::TableMetadata)> {
    let (ki, k) = m
        .keyspaces
        .iter()
        .enumerate()
        .find(|(_, k)| k.name == keyspace)
        .ok_or_else(|| {
            Failure(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                format!("no keyspace {keyspace:?}"),
            )
        })?;
    let (ti, (_, t)) = k
        .tables
        .iter()
        .enumerate()
        .find(|(_, (n, _))| n.as_str() == table)
        .ok_or_else(|| {
            Failure(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                format!("no table {keyspace}.{table}"),
            )
        })?;
    Ok((ki, ti, t))
}

/// The number of columns of `keyspace`.`table`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_metadata_column_count(
    metadata: cqlb_metadata,
    keyspace: *const c_char,
    keyspace_len: usize,
    table: *const c_char,
    table_len: usize,
    out_count: *mut usize,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_count, "out_count")?;
        let m = snapshot(metadata)?;
        let (_, _, t) = find_table(
            &m,
            str_arg(keyspace, keyspace_len, "keyspace")?,
            str_arg(table, table_len, "table")?,
        )?;
        slot.write(t.columns.len());
        Ok(())
    })
}

/// Column `index` of `keyspace`.`table` (columns in name order).
#[no_mangle]
pub unsafe extern "C" fn cqlb_metadata_column(
    metadata: cqlb_metadata,
    keyspace: *const c_char,
    keyspace_len: usize,
    table: *const c_char,
    table_len: usize,
    index: usize,
    out_column: *mut cqlb_column_info,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_column, "out_column")?;
        let m = snapshot(metadata)?;
        let (ki, ti, t) = find_table(
            &m,
            str_arg(keyspace, keyspace_len, "keyspace")?,
            str_arg(table, table_len, "table")?,
        )?;
        let Some((name, type_text)) = m.types[ki][ti].get(index) else {
            return fail(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                format!("column {index} is out of range"),
            );
        };
        let (kind, position) = match t.columns[name].kind {
            cqlbridge_core::ColumnKind::PartitionKey => (
                1,
                t.partition_key.iter().position(|c| c == name).unwrap_or(0),
            ),
            cqlbridge_core::ColumnKind::Clustering => (
                2,
                t.clustering_key.iter().position(|c| c == name).unwrap_or(0),
            ),
            cqlbridge_core::ColumnKind::Static => (3, 0),
            cqlbridge_core::ColumnKind::Regular => (0, 0),
        };
        slot.write(cqlb_column_info {
            name: name.as_ptr().cast(),
            name_len: name.len(),
            type_text: type_text.as_ptr().cast(),
            type_len: type_text.len(),
            kind,
            position: position as u32,
        });
        Ok(())
    })
}

/// Waits until every reachable node has the same schema version.
#[no_mangle]
pub extern "C" fn cqlb_session_wait_for_schema_agreement(session: cqlb_session) -> cqlb_status {
    ffi_call(|| {
        let s = resolve::<Session>(session.handle, Kind::Session)?;
        blocking(async move { s.wait_for_schema_agreement().await })?;
        Ok(())
    })
}

/// A session's metrics.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct cqlb_metrics {
    /// Requests sent (each page counts).
    pub requests: u64,
    /// Requests that failed.
    pub errors: u64,
    /// Retries.
    pub retries: u64,
    /// Speculative executions started.
    pub speculative_executions: u64,
    /// Client-side request timeouts.
    pub request_timeouts: u64,
    /// Open connections.
    pub open_connections: u64,
    /// Mean latency in ms (0 before any request).
    pub latency_mean_ms: u64,
    /// Median latency in ms.
    pub latency_p50_ms: u64,
    /// 99th percentile latency in ms.
    pub latency_p99_ms: u64,
    /// 99.9th percentile latency in ms.
    pub latency_p999_ms: u64,
}

/// Reads the session's metrics.
#[no_mangle]
pub unsafe extern "C" fn cqlb_session_metrics(
    session: cqlb_session,
    out_metrics: *mut cqlb_metrics,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_metrics, "out_metrics")?;
        let m = resolve::<Session>(session.handle, Kind::Session)?.metrics();
        let l = m.latency_ms;
        slot.write(cqlb_metrics {
            requests: m.requests,
            errors: m.errors,
            retries: m.retries,
            speculative_executions: m.speculative_executions,
            request_timeouts: m.request_timeouts,
            open_connections: m.open_connections,
            latency_mean_ms: l.map_or(0, |l| l.mean),
            latency_p50_ms: l.map_or(0, |l| l.p50),
            latency_p99_ms: l.map_or(0, |l| l.p99),
            latency_p999_ms: l.map_or(0, |l| l.p999),
        });
        Ok(())
    })
}

/// Receives a log record: its level (1 error, 2 warn, 3 info, 4 debug, 5 trace), where it
/// comes from, the message, and the registration's userdata. Called on library threads; it
/// must not block. The strings are valid during the call only.
pub type cqlb_log_callback = Option<
    unsafe extern "C" fn(
        level: u32,
        target: *const c_char,
        target_len: usize,
        message: *const c_char,
        message_len: usize,
        userdata: *mut c_void,
    ),
>;

/// Routes the library's log records at `max_level` (1 error .. 5 trace) or more severe to
/// `callback`; NULL stops. Replaces an earlier callback. Records come from the library's
/// threads only; nothing global is installed.
#[no_mangle]
pub extern "C" fn cqlb_set_log_callback(
    max_level: u32,
    callback: cqlb_log_callback,
    userdata: *mut c_void,
) -> cqlb_status {
    ffi_call(|| {
        let level = match max_level {
            1 => LogLevel::Error,
            2 => LogLevel::Warn,
            3 => LogLevel::Info,
            4 => LogLevel::Debug,
            5 => LogLevel::Trace,
            other => {
                return fail(
                    cqlb_status::CQLB_INVALID_ARGUMENT,
                    format!("log level {other} is not 1 to 5"),
                )
            }
        };
        let Some(cb) = callback else {
            clear_log_callback();
            return Ok(());
        };
        let data = UserData(userdata);
        set_log_callback(level, move |r| {
            let data = &data;
            // SAFETY: the caller's function pointer, with its own userdata.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| unsafe {
                cb(
                    r.level as u32,
                    r.target.as_ptr().cast(),
                    r.target.len(),
                    r.message.as_ptr().cast(),
                    r.message.len(),
                    data.0,
                )
            }));
        });
        Ok(())
    })
}

/// The trace of a request executed with tracing on (`cqlb_result_tracing_id`), as a result
/// with one row per event: `activity` (text), `source` (text), `source_elapsed_us` (int),
/// `thread` (text).
#[no_mangle]
pub unsafe extern "C" fn cqlb_session_trace(
    session: cqlb_session,
    tracing_id: *const u8,
    out_events: *mut crate::result::cqlb_result,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_events, "out_events")?;
        let id = uuid::Uuid::from_slice(crate::boundary::bytes_arg(tracing_id, 16, "tracing_id")?)
            .map_err(|e| Failure(cqlb_status::CQLB_INVALID_ARGUMENT, e.to_string()))?;
        let s = resolve::<Session>(session.handle, Kind::Session)?;
        let trace = blocking(async move { s.trace(id).await })?;
        let spec = |name: &str, typ| cqlbridge_core::ColumnSpec {
            keyspace: "system_traces".into(),
            table: "events".into(),
            name: name.into(),
            typ,
        };
        use cqlbridge_core::{CqlType, Value};
        let rs = cqlbridge_core::ResultSet {
            columns: vec![
                spec("activity", CqlType::Text),
                spec("source", CqlType::Text),
                spec("source_elapsed_us", CqlType::Int),
                spec("thread", CqlType::Text),
            ]
            .into(),
            rows: trace
                .events
                .iter()
                .map(|e| {
                    vec![
                        Value::Text(e.activity.clone()),
                        e.source.map_or(Value::Null, |a| Value::Text(a.to_string())),
                        e.source_elapsed_micros.map_or(Value::Null, Value::Int),
                        e.thread.clone().map_or(Value::Null, Value::Text),
                    ]
                })
                .collect(),
            ..Default::default()
        };
        slot.write(crate::result::cqlb_result {
            handle: REGISTRY.insert(
                Kind::Result,
                crate::result::FfiRows::new(std::sync::Arc::new(rs)),
            ),
        });
        Ok(())
    })
}

/// Called for each host change: `event` 1 added, 2 removed, 3 up, 4 down; the host's address
/// as text (valid during the call); the registration's userdata. Runs on a library thread.
pub type cqlb_host_callback = Option<
    unsafe extern "C" fn(
        event: u32,
        address: *const c_char,
        address_len: usize,
        userdata: *mut c_void,
    ),
>;

/// A running host watch.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct cqlb_host_watch {
    /// The handle; 0 is never valid.
    pub handle: u64,
}

/// Calls `callback` for every host added, removed, up or down, checking every `interval_ms`
/// (at least 10). Stop with `cqlb_host_watch_free`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_session_watch_hosts(
    session: cqlb_session,
    interval_ms: u64,
    callback: cqlb_host_callback,
    userdata: *mut c_void,
    out_watch: *mut cqlb_host_watch,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_watch, "out_watch")?;
        let Some(cb) = callback else {
            return fail(cqlb_status::CQLB_NULL_ARGUMENT, "`callback` is NULL");
        };
        let s = resolve::<Session>(session.handle, Kind::Session)?;
        let data = UserData(userdata);
        let watch = s.watch_hosts(
            std::time::Duration::from_millis(interval_ms),
            move |event| {
                use cqlbridge_core::HostEvent::*;
                let (kind, host) = match &event {
                    Added(h) => (1, h),
                    Removed(h) => (2, h),
                    Up(h) => (3, h),
                    Down(h) => (4, h),
                };
                let address = host.address.ip().to_string();
                let data = &data;
                // SAFETY: the caller's function pointer, with its own userdata.
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| unsafe {
                    cb(kind, address.as_ptr().cast(), address.len(), data.0)
                }));
            },
        )?;
        slot.write(cqlb_host_watch {
            handle: REGISTRY.insert(Kind::HostWatch, Mutex::new(Some(watch))),
        });
        Ok(())
    })
}

/// Stops a host watch.
#[no_mangle]
pub extern "C" fn cqlb_host_watch_free(watch: cqlb_host_watch) -> cqlb_status {
    ffi_call(|| release(watch.handle, Kind::HostWatch))
}

/// The number of tokens in the ring (one per node here).
#[no_mangle]
pub unsafe extern "C" fn cqlb_metadata_token_count(
    metadata: cqlb_metadata,
    out_count: *mut usize,
) -> cqlb_status {
    ffi_call(|| {
        out(out_count, "out_count")?.write(snapshot(metadata)?.ring.len());
        Ok(())
    })
}

/// Token `index` of the ring and the index of its host (as `cqlb_metadata_host` numbers them).
#[no_mangle]
pub unsafe extern "C" fn cqlb_metadata_token(
    metadata: cqlb_metadata,
    index: usize,
    out_token: *mut i64,
    out_host: *mut usize,
) -> cqlb_status {
    ffi_call(|| {
        let (t, h) = (out(out_token, "out_token")?, out(out_host, "out_host")?);
        let m = snapshot(metadata)?;
        let Some((token, host)) = m.ring.get(index) else {
            return fail(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                format!("token {index} is out of range"),
            );
        };
        t.write(*token);
        h.write(*host);
        Ok(())
    })
}
