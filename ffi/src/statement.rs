//! Statements: a CQL string or a prepared statement, with bound values and options.
//!
//! Typed binders exist for every scalar CQL type, by marker index and by marker name. For a
//! prepared statement, the index must name a marker and the value must fit its type, or the
//! binder fails at once (`CQLB_INVALID_ARGUMENT`, `CQLB_BIND_ERROR`); for a CQL string, the
//! values are checked when the statement runs (it is prepared first).
//!
//! (The binders below are written out one by one so that cbindgen sees them; they all go
//! through `bind`.)

use std::ffi::c_char;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cqlbridge_core::{
    Prepared, Query, ResultSet, Session, Statement, StatementOptions, Value, Values,
};

use crate::boundary::{
    bytes_arg, fail, ffi_call, out, parse, release, resolve, str_arg, Failure, FfiResult,
};
use crate::config::consistency_from_c;
use crate::handle::{Kind, REGISTRY};
use crate::prepared::cqlb_prepared;
use crate::status::cqlb_status;

/// A statement with its bound values and options.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct cqlb_statement {
    /// The handle; 0 is never valid.
    pub handle: u64,
}

#[derive(Default, Clone)]
struct State {
    positional: Vec<Value>,
    named: Vec<(String, Value)>,
    options: StatementOptions,
    paging_state: Option<Vec<u8>>,
}

pub(crate) struct FfiStatement {
    query: Query,
    state: Mutex<State>,
}

/// A snapshot of a statement, ready to run.
pub(crate) struct Request {
    pub(crate) query: Query,
    pub(crate) values: Values,
    options: StatementOptions,
    paging_state: Option<Vec<u8>>,
}

impl Request {
    pub(crate) async fn run(self, session: &Session) -> cqlbridge_core::Result<ResultSet> {
        session
            .run_with(
                &self.query,
                &self.values,
                self.paging_state.as_deref(),
                &self.options,
            )
            .await
    }
}

impl FfiStatement {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn request(&self) -> FfiResult<Request> {
        let state = self.lock().clone();
        let values = match (state.positional.is_empty(), state.named.is_empty()) {
            (true, true) => Values::None,
            (false, true) => Values::Positional(state.positional),
            (true, false) => Values::Named(state.named),
            (false, false) => {
                return fail(
                    cqlb_status::CQLB_BIND_ERROR,
                    "values were bound both by index and by name",
                );
            }
        };
        Ok(Request {
            query: self.query.clone(),
            values,
            options: state.options,
            paging_state: state.paging_state,
        })
    }
}

enum Target<'a> {
    Index(usize),
    Name(&'a str),
}

fn bind(statement: cqlb_statement, target: Target<'_>, value: Value) -> FfiResult {
    let st = resolve::<FfiStatement>(statement.handle, Kind::Statement)?;
    let mut state = st.lock();
    match (&st.query, target) {
        (Query::Prepared(p), target) => {
            let index = match target {
                Target::Index(i) => i,
                Target::Name(n) => match p.params().iter().position(|m| m.name == n) {
                    Some(i) => i,
                    None => {
                        return fail(
                            cqlb_status::CQLB_BIND_ERROR,
                            format!("no bind marker named {n:?}"),
                        )
                    }
                },
            };
            let Some(param) = p.params().get(index) else {
                return fail(
                    cqlb_status::CQLB_INVALID_ARGUMENT,
                    format!(
                        "marker index {index} is out of range ({} markers)",
                        p.params().len()
                    ),
                );
            };
            if !matches!(value, Value::Unset) {
                value.to_cql(&param.typ.to_column_type()).map_err(|e| {
                    Failure(
                        cqlb_status::CQLB_BIND_ERROR,
                        format!("cannot bind value {index} ({}): {}", param.name, e.0),
                    )
                })?;
            }
            if state.positional.len() < p.params().len() {
                state.positional.resize(p.params().len(), Value::Unset);
            }
            state.positional[index] = value;
        }
        (Query::Cql(_), Target::Index(i)) => {
            // The protocol carries at most 65535 values: a larger index is a caller's error,
            // not an allocation of gigabytes (or a capacity-overflow panic).
            if i >= usize::from(u16::MAX) {
                return fail(
                    cqlb_status::CQLB_INVALID_ARGUMENT,
                    format!(
                        "marker index {i} is out of range (a statement has at most 65535 values)"
                    ),
                );
            }
            if state.positional.len() <= i {
                state.positional.resize(i + 1, Value::Unset);
            }
            state.positional[i] = value;
        }
        (Query::Cql(_), Target::Name(n)) => match state.named.iter_mut().find(|(k, _)| k == n) {
            Some((_, v)) => *v = value,
            None => state.named.push((n.to_owned(), value)),
        },
    }
    Ok(())
}

fn options(statement: cqlb_statement, f: impl FnOnce(&mut State) -> FfiResult) -> FfiResult {
    let st = resolve::<FfiStatement>(statement.handle, Kind::Statement)?;
    let mut state = st.lock();
    f(&mut state)
}

/// Creates a statement from a CQL string (`len` bytes of UTF-8). Free it with
/// `cqlb_statement_free`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_new(
    cql: *const c_char,
    len: usize,
    out_statement: *mut cqlb_statement,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_statement, "out_statement")?;
        let cql = str_arg(cql, len, "cql")?;
        let st = FfiStatement {
            query: Query::Cql(Statement::new(cql)),
            state: Mutex::new(State::default()),
        };
        slot.write(cqlb_statement {
            handle: REGISTRY.insert(Kind::Statement, st),
        });
        Ok(())
    })
}

/// Creates a statement from a prepared statement, every marker unset. Free it with
/// `cqlb_statement_free`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_prepared_bind(
    prepared: cqlb_prepared,
    out_statement: *mut cqlb_statement,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_statement, "out_statement")?;
        let p = resolve::<Prepared>(prepared.handle, Kind::Prepared)?;
        let state = State {
            positional: vec![Value::Unset; p.params().len()],
            ..Default::default()
        };
        let st = FfiStatement {
            query: Query::Prepared(Arc::unwrap_or_clone(p)),
            state: Mutex::new(state),
        };
        slot.write(cqlb_statement {
            handle: REGISTRY.insert(Kind::Statement, st),
        });
        Ok(())
    })
}

/// Frees a statement. Executions already started are unaffected.
#[no_mangle]
pub extern "C" fn cqlb_statement_free(statement: cqlb_statement) -> cqlb_status {
    ffi_call(|| release(statement.handle, Kind::Statement))
}

/// Sets the consistency level (a `CQLB_CONSISTENCY_*` value).
#[no_mangle]
pub extern "C" fn cqlb_statement_set_consistency(
    statement: cqlb_statement,
    consistency_level: u16,
) -> cqlb_status {
    ffi_call(|| {
        let c = consistency_from_c(consistency_level)?;
        options(statement, |s| {
            s.options.consistency = Some(c);
            Ok(())
        })
    })
}

/// Sets the serial consistency of a conditional statement: 0x0008 SERIAL or 0x0009
/// LOCAL_SERIAL.
#[no_mangle]
pub extern "C" fn cqlb_statement_set_serial_consistency(
    statement: cqlb_statement,
    serial_consistency: u16,
) -> cqlb_status {
    ffi_call(|| {
        let c = cqlbridge_core::SerialConsistency::try_from(serial_consistency)?;
        options(statement, |s| {
            s.options.serial_consistency = Some(c);
            Ok(())
        })
    })
}

/// Sets the page size in rows (positive).
#[no_mangle]
pub extern "C" fn cqlb_statement_set_page_size(
    statement: cqlb_statement,
    rows: i32,
) -> cqlb_status {
    ffi_call(|| {
        if rows <= 0 {
            return fail(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                format!("page size must be positive, got {rows}"),
            );
        }
        options(statement, |s| {
            s.options.page_size = Some(rows);
            Ok(())
        })
    })
}

/// Resumes at a paging state taken from a result (`cqlb_result_paging_state`); NULL and 0
/// start from the first page.
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_set_paging_state(
    statement: cqlb_statement,
    state: *const u8,
    len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let bytes = bytes_arg(state, len, "state")?;
        options(statement, |s| {
            s.paging_state = (!bytes.is_empty()).then(|| bytes.to_vec());
            Ok(())
        })
    })
}

/// Sets the client-side timeout in milliseconds (positive).
#[no_mangle]
pub extern "C" fn cqlb_statement_set_timeout_ms(
    statement: cqlb_statement,
    millis: u64,
) -> cqlb_status {
    ffi_call(|| {
        if millis == 0 {
            return fail(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                "the timeout must be positive",
            );
        }
        options(statement, |s| {
            s.options.timeout = Some(Duration::from_millis(millis));
            Ok(())
        })
    })
}

/// Marks the statement idempotent (safe to retry and to execute speculatively).
#[no_mangle]
pub extern "C" fn cqlb_statement_set_idempotent(
    statement: cqlb_statement,
    idempotent: bool,
) -> cqlb_status {
    ffi_call(|| {
        options(statement, |s| {
            s.options.idempotent = idempotent;
            Ok(())
        })
    })
}

/// Sets the client-side write timestamp in microseconds since the epoch.
#[no_mangle]
pub extern "C" fn cqlb_statement_set_timestamp(
    statement: cqlb_statement,
    micros: i64,
) -> cqlb_status {
    ffi_call(|| {
        options(statement, |s| {
            s.options.timestamp = Some(micros);
            Ok(())
        })
    })
}

/// Uses the named execution profile (added with `cqlb_cluster_config_add_profile`).
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_set_profile(
    statement: cqlb_statement,
    name: *const c_char,
    len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, len, "name")?.to_owned();
        options(statement, |s| {
            s.options.profile = Some(name);
            Ok(())
        })
    })
}

/// Sends the request to this node only (`ip` or `ip:port`), bypassing load balancing.
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_set_host(
    statement: cqlb_statement,
    host: *const c_char,
    len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let host = str_arg(host, len, "host")?.to_owned();
        options(statement, |s| {
            s.options.host = Some(host);
            Ok(())
        })
    })
}

/// Asks the server to trace the request (the result then has a tracing id).
#[no_mangle]
pub extern "C" fn cqlb_statement_set_tracing(
    statement: cqlb_statement,
    tracing: bool,
) -> cqlb_status {
    ffi_call(|| {
        options(statement, |s| {
            s.options.tracing = tracing;
            Ok(())
        })
    })
}

/// Binds null (deletes the column) to marker `index`.
#[no_mangle]
pub extern "C" fn cqlb_statement_bind_null(statement: cqlb_statement, index: usize) -> cqlb_status {
    ffi_call(|| {
        let value = Value::Null;
        bind(statement, Target::Index(index), value)
    })
}

/// Binds null (deletes the column) to the marker named `name` (`name_len` bytes of UTF-8).
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_bind_null_by_name(
    statement: cqlb_statement,
    name: *const c_char,
    name_len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, name_len, "name")?;
        let value = Value::Null;
        bind(statement, Target::Name(name), value)
    })
}

/// Binds unset (leaves the column as it is) to marker `index`.
#[no_mangle]
pub extern "C" fn cqlb_statement_bind_unset(
    statement: cqlb_statement,
    index: usize,
) -> cqlb_status {
    ffi_call(|| {
        let value = Value::Unset;
        bind(statement, Target::Index(index), value)
    })
}

/// Binds unset (leaves the column as it is) to the marker named `name` (`name_len` bytes of UTF-8).
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_bind_unset_by_name(
    statement: cqlb_statement,
    name: *const c_char,
    name_len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, name_len, "name")?;
        let value = Value::Unset;
        bind(statement, Target::Name(name), value)
    })
}

/// Binds a `boolean` to marker `index`.
#[no_mangle]
pub extern "C" fn cqlb_statement_bind_bool(
    statement: cqlb_statement,
    index: usize,
    value: bool,
) -> cqlb_status {
    ffi_call(|| {
        let value = Value::Boolean(value);
        bind(statement, Target::Index(index), value)
    })
}

/// Binds a `boolean` to the marker named `name` (`name_len` bytes of UTF-8).
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_bind_bool_by_name(
    statement: cqlb_statement,
    name: *const c_char,
    name_len: usize,
    value: bool,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, name_len, "name")?;
        let value = Value::Boolean(value);
        bind(statement, Target::Name(name), value)
    })
}

/// Binds a `tinyint` to marker `index`.
#[no_mangle]
pub extern "C" fn cqlb_statement_bind_int8(
    statement: cqlb_statement,
    index: usize,
    value: i8,
) -> cqlb_status {
    ffi_call(|| {
        let value = Value::TinyInt(value);
        bind(statement, Target::Index(index), value)
    })
}

/// Binds a `tinyint` to the marker named `name` (`name_len` bytes of UTF-8).
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_bind_int8_by_name(
    statement: cqlb_statement,
    name: *const c_char,
    name_len: usize,
    value: i8,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, name_len, "name")?;
        let value = Value::TinyInt(value);
        bind(statement, Target::Name(name), value)
    })
}

/// Binds a `smallint` to marker `index`.
#[no_mangle]
pub extern "C" fn cqlb_statement_bind_int16(
    statement: cqlb_statement,
    index: usize,
    value: i16,
) -> cqlb_status {
    ffi_call(|| {
        let value = Value::SmallInt(value);
        bind(statement, Target::Index(index), value)
    })
}

/// Binds a `smallint` to the marker named `name` (`name_len` bytes of UTF-8).
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_bind_int16_by_name(
    statement: cqlb_statement,
    name: *const c_char,
    name_len: usize,
    value: i16,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, name_len, "name")?;
        let value = Value::SmallInt(value);
        bind(statement, Target::Name(name), value)
    })
}

/// Binds an `int` to marker `index`.
#[no_mangle]
pub extern "C" fn cqlb_statement_bind_int32(
    statement: cqlb_statement,
    index: usize,
    value: i32,
) -> cqlb_status {
    ffi_call(|| {
        let value = Value::Int(value);
        bind(statement, Target::Index(index), value)
    })
}

/// Binds an `int` to the marker named `name` (`name_len` bytes of UTF-8).
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_bind_int32_by_name(
    statement: cqlb_statement,
    name: *const c_char,
    name_len: usize,
    value: i32,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, name_len, "name")?;
        let value = Value::Int(value);
        bind(statement, Target::Name(name), value)
    })
}

/// Binds a `bigint` (binds to any integer column that holds it) to marker `index`.
#[no_mangle]
pub extern "C" fn cqlb_statement_bind_int64(
    statement: cqlb_statement,
    index: usize,
    value: i64,
) -> cqlb_status {
    ffi_call(|| {
        let value = Value::BigInt(value);
        bind(statement, Target::Index(index), value)
    })
}

/// Binds a `bigint` (binds to any integer column that holds it) to the marker named `name` (`name_len` bytes of UTF-8).
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_bind_int64_by_name(
    statement: cqlb_statement,
    name: *const c_char,
    name_len: usize,
    value: i64,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, name_len, "name")?;
        let value = Value::BigInt(value);
        bind(statement, Target::Name(name), value)
    })
}

/// Binds a `counter` increment to marker `index`.
#[no_mangle]
pub extern "C" fn cqlb_statement_bind_counter(
    statement: cqlb_statement,
    index: usize,
    value: i64,
) -> cqlb_status {
    ffi_call(|| {
        let value = Value::Counter(value);
        bind(statement, Target::Index(index), value)
    })
}

/// Binds a `counter` increment to the marker named `name` (`name_len` bytes of UTF-8).
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_bind_counter_by_name(
    statement: cqlb_statement,
    name: *const c_char,
    name_len: usize,
    value: i64,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, name_len, "name")?;
        let value = Value::Counter(value);
        bind(statement, Target::Name(name), value)
    })
}

/// Binds a `float` to marker `index`.
#[no_mangle]
pub extern "C" fn cqlb_statement_bind_float(
    statement: cqlb_statement,
    index: usize,
    value: f32,
) -> cqlb_status {
    ffi_call(|| {
        let value = Value::Float(value);
        bind(statement, Target::Index(index), value)
    })
}

/// Binds a `float` to the marker named `name` (`name_len` bytes of UTF-8).
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_bind_float_by_name(
    statement: cqlb_statement,
    name: *const c_char,
    name_len: usize,
    value: f32,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, name_len, "name")?;
        let value = Value::Float(value);
        bind(statement, Target::Name(name), value)
    })
}

/// Binds a `double` to marker `index`.
#[no_mangle]
pub extern "C" fn cqlb_statement_bind_double(
    statement: cqlb_statement,
    index: usize,
    value: f64,
) -> cqlb_status {
    ffi_call(|| {
        let value = Value::Double(value);
        bind(statement, Target::Index(index), value)
    })
}

/// Binds a `double` to the marker named `name` (`name_len` bytes of UTF-8).
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_bind_double_by_name(
    statement: cqlb_statement,
    name: *const c_char,
    name_len: usize,
    value: f64,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, name_len, "name")?;
        let value = Value::Double(value);
        bind(statement, Target::Name(name), value)
    })
}

/// Binds a `text` (or `ascii`) of `len` bytes of UTF-8 to marker `index`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_bind_string(
    statement: cqlb_statement,
    index: usize,
    value: *const c_char,
    len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let value = Value::Text(str_arg(value, len, "value")?.to_owned());
        bind(statement, Target::Index(index), value)
    })
}

/// Binds a `text` (or `ascii`) of `len` bytes of UTF-8 to the marker named `name` (`name_len` bytes of UTF-8).
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_bind_string_by_name(
    statement: cqlb_statement,
    name: *const c_char,
    name_len: usize,
    value: *const c_char,
    len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, name_len, "name")?;
        let value = Value::Text(str_arg(value, len, "value")?.to_owned());
        bind(statement, Target::Name(name), value)
    })
}

/// Binds a `blob` of `len` bytes to marker `index`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_bind_blob(
    statement: cqlb_statement,
    index: usize,
    value: *const u8,
    len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let value = Value::Blob(bytes_arg(value, len, "value")?.to_vec());
        bind(statement, Target::Index(index), value)
    })
}

/// Binds a `blob` of `len` bytes to the marker named `name` (`name_len` bytes of UTF-8).
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_bind_blob_by_name(
    statement: cqlb_statement,
    name: *const c_char,
    name_len: usize,
    value: *const u8,
    len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, name_len, "name")?;
        let value = Value::Blob(bytes_arg(value, len, "value")?.to_vec());
        bind(statement, Target::Name(name), value)
    })
}

/// Binds a `uuid` (16 bytes, big-endian) to marker `index`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_bind_uuid(
    statement: cqlb_statement,
    index: usize,
    value: *const u8,
) -> cqlb_status {
    ffi_call(|| {
        let value = Value::Uuid(
            uuid::Uuid::from_slice(bytes_arg(value, 16, "value")?)
                .map_err(|e| Failure(cqlb_status::CQLB_INVALID_ARGUMENT, e.to_string()))?,
        );
        bind(statement, Target::Index(index), value)
    })
}

/// Binds a `uuid` (16 bytes, big-endian) to the marker named `name` (`name_len` bytes of UTF-8).
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_bind_uuid_by_name(
    statement: cqlb_statement,
    name: *const c_char,
    name_len: usize,
    value: *const u8,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, name_len, "name")?;
        let value = Value::Uuid(
            uuid::Uuid::from_slice(bytes_arg(value, 16, "value")?)
                .map_err(|e| Failure(cqlb_status::CQLB_INVALID_ARGUMENT, e.to_string()))?,
        );
        bind(statement, Target::Name(name), value)
    })
}

/// Binds a `timeuuid` (16 bytes, a version-1 UUID) to marker `index`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_bind_timeuuid(
    statement: cqlb_statement,
    index: usize,
    value: *const u8,
) -> cqlb_status {
    ffi_call(|| {
        let value = Value::Timeuuid(
            uuid::Uuid::from_slice(bytes_arg(value, 16, "value")?)
                .map_err(|e| Failure(cqlb_status::CQLB_INVALID_ARGUMENT, e.to_string()))?,
        );
        bind(statement, Target::Index(index), value)
    })
}

/// Binds a `timeuuid` (16 bytes, a version-1 UUID) to the marker named `name` (`name_len` bytes of UTF-8).
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_bind_timeuuid_by_name(
    statement: cqlb_statement,
    name: *const c_char,
    name_len: usize,
    value: *const u8,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, name_len, "name")?;
        let value = Value::Timeuuid(
            uuid::Uuid::from_slice(bytes_arg(value, 16, "value")?)
                .map_err(|e| Failure(cqlb_status::CQLB_INVALID_ARGUMENT, e.to_string()))?,
        );
        bind(statement, Target::Name(name), value)
    })
}

/// Binds an `inet` written as text (`"10.0.0.1"`, `"::1"`) to marker `index`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_bind_inet(
    statement: cqlb_statement,
    index: usize,
    value: *const c_char,
    len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let value = Value::Inet(parse::<IpAddr>(
            str_arg(value, len, "value")?,
            "IP address",
        )?);
        bind(statement, Target::Index(index), value)
    })
}

/// Binds an `inet` written as text (`"10.0.0.1"`, `"::1"`) to the marker named `name` (`name_len` bytes of UTF-8).
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_bind_inet_by_name(
    statement: cqlb_statement,
    name: *const c_char,
    name_len: usize,
    value: *const c_char,
    len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, name_len, "name")?;
        let value = Value::Inet(parse::<IpAddr>(
            str_arg(value, len, "value")?,
            "IP address",
        )?);
        bind(statement, Target::Name(name), value)
    })
}

/// Binds a `date`: days since 1970-01-01 to marker `index`.
#[no_mangle]
pub extern "C" fn cqlb_statement_bind_date(
    statement: cqlb_statement,
    index: usize,
    days: i32,
) -> cqlb_status {
    ffi_call(|| {
        let value = Value::Date(days);
        bind(statement, Target::Index(index), value)
    })
}

/// Binds a `date`: days since 1970-01-01 to the marker named `name` (`name_len` bytes of UTF-8).
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_bind_date_by_name(
    statement: cqlb_statement,
    name: *const c_char,
    name_len: usize,
    days: i32,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, name_len, "name")?;
        let value = Value::Date(days);
        bind(statement, Target::Name(name), value)
    })
}

/// Binds a `time`: nanoseconds since midnight to marker `index`.
#[no_mangle]
pub extern "C" fn cqlb_statement_bind_time(
    statement: cqlb_statement,
    index: usize,
    nanos: i64,
) -> cqlb_status {
    ffi_call(|| {
        let value = Value::Time(nanos);
        bind(statement, Target::Index(index), value)
    })
}

/// Binds a `time`: nanoseconds since midnight to the marker named `name` (`name_len` bytes of UTF-8).
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_bind_time_by_name(
    statement: cqlb_statement,
    name: *const c_char,
    name_len: usize,
    nanos: i64,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, name_len, "name")?;
        let value = Value::Time(nanos);
        bind(statement, Target::Name(name), value)
    })
}

/// Binds a `timestamp`: milliseconds since the Unix epoch to marker `index`.
#[no_mangle]
pub extern "C" fn cqlb_statement_bind_timestamp(
    statement: cqlb_statement,
    index: usize,
    millis: i64,
) -> cqlb_status {
    ffi_call(|| {
        let value = Value::Timestamp(millis);
        bind(statement, Target::Index(index), value)
    })
}

/// Binds a `timestamp`: milliseconds since the Unix epoch to the marker named `name` (`name_len` bytes of UTF-8).
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_bind_timestamp_by_name(
    statement: cqlb_statement,
    name: *const c_char,
    name_len: usize,
    millis: i64,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, name_len, "name")?;
        let value = Value::Timestamp(millis);
        bind(statement, Target::Name(name), value)
    })
}

/// Binds a `duration` to marker `index`.
#[no_mangle]
pub extern "C" fn cqlb_statement_bind_duration(
    statement: cqlb_statement,
    index: usize,
    months: i32,
    days: i32,
    nanos: i64,
) -> cqlb_status {
    ffi_call(|| {
        let value = Value::Duration(cqlbridge_core::Duration {
            months,
            days,
            nanoseconds: nanos,
        });
        bind(statement, Target::Index(index), value)
    })
}

/// Binds a `duration` to the marker named `name` (`name_len` bytes of UTF-8).
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_bind_duration_by_name(
    statement: cqlb_statement,
    name: *const c_char,
    name_len: usize,
    months: i32,
    days: i32,
    nanos: i64,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, name_len, "name")?;
        let value = Value::Duration(cqlbridge_core::Duration {
            months,
            days,
            nanoseconds: nanos,
        });
        bind(statement, Target::Name(name), value)
    })
}

/// Binds a `decimal` written as text (`"-12.345"`) to marker `index`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_bind_decimal(
    statement: cqlb_statement,
    index: usize,
    value: *const c_char,
    len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let value = Value::Decimal(parse::<bigdecimal::BigDecimal>(
            str_arg(value, len, "value")?,
            "decimal",
        )?);
        bind(statement, Target::Index(index), value)
    })
}

/// Binds a `decimal` written as text (`"-12.345"`) to the marker named `name` (`name_len` bytes of UTF-8).
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_bind_decimal_by_name(
    statement: cqlb_statement,
    name: *const c_char,
    name_len: usize,
    value: *const c_char,
    len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, name_len, "name")?;
        let value = Value::Decimal(parse::<bigdecimal::BigDecimal>(
            str_arg(value, len, "value")?,
            "decimal",
        )?);
        bind(statement, Target::Name(name), value)
    })
}

/// Binds a `varint` written as text (`"123456789012345678901234567890"`) to marker `index`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_bind_varint(
    statement: cqlb_statement,
    index: usize,
    value: *const c_char,
    len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let value = Value::Varint(parse::<num_bigint::BigInt>(
            str_arg(value, len, "value")?,
            "varint",
        )?);
        bind(statement, Target::Index(index), value)
    })
}

/// Binds a `varint` written as text (`"123456789012345678901234567890"`) to the marker named `name` (`name_len` bytes of UTF-8).
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_bind_varint_by_name(
    statement: cqlb_statement,
    name: *const c_char,
    name_len: usize,
    value: *const c_char,
    len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, name_len, "name")?;
        let value = Value::Varint(parse::<num_bigint::BigInt>(
            str_arg(value, len, "value")?,
            "varint",
        )?);
        bind(statement, Target::Name(name), value)
    })
}

/// Binds the value built by `value` (a list, set, map, tuple, UDT or vector; copied) to marker
/// `index`.
#[no_mangle]
pub extern "C" fn cqlb_statement_bind_value(
    statement: cqlb_statement,
    index: usize,
    value: crate::value::cqlb_value,
) -> cqlb_status {
    ffi_call(|| {
        let v = resolve::<crate::value::FfiValue>(value.handle, Kind::Value)?.value();
        bind(statement, Target::Index(index), v)
    })
}

/// Binds the value built by `value` to the marker named `name`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_statement_bind_value_by_name(
    statement: cqlb_statement,
    name: *const c_char,
    name_len: usize,
    value: crate::value::cqlb_value,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, name_len, "name")?;
        let v = resolve::<crate::value::FfiValue>(value.handle, Kind::Value)?.value();
        bind(statement, Target::Name(name), v)
    })
}
