//! The object mapper from C: a model described with builder calls, table management, DML,
//! queries and batches. A row of named values (for writes, keys and filters) is a
//! `cqlb_value` made with `cqlb_value_new_udt` (`cqlb_value_field` names each column). Rows
//! come back as a `cqlb_result` whose columns are the model's attributes.
//!
//! A conditional write that is not applied returns `CQLB_LWT_FAILED` and, as the one
//! exception to "out-params only on success", writes the existing row to `*out_existing`
//! when that pointer is not NULL.

use std::ffi::c_char;
use std::sync::{Arc, Mutex};

use cqlbridge_core::mapper::{
    render_create, render_delete, render_update, Change, ClusteringOrder, ColumnDef, ColumnDefault,
    Filter, FilterOp, ModelBatch, ModelQuery, ModelRow, ModelSchema, Op, OptionValue, Polymorphism,
    WriteOptions,
};
use cqlbridge_core::{BatchType, ColumnSpec, CqlType, Error, ResultSet, Session, Value};

use crate::boundary::{
    blocking, fail, ffi_call, out, release, resolve, str_arg, Failure, FfiResult,
};
use crate::config::consistency_from_c;
use crate::handle::{Kind, REGISTRY};
use crate::result::{cqlb_result, FfiRows};
use crate::session::cqlb_session;
use crate::status::cqlb_status;
use crate::value::{cqlb_value, FfiValue};

/// A model under description.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct cqlb_model {
    /// The handle; 0 is never valid.
    pub handle: u64,
}

/// A batch of model writes.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct cqlb_model_batch {
    /// The handle; 0 is never valid.
    pub handle: u64,
}

/// Options of a model write; pass NULL for the defaults.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cqlb_write_options {
    /// Time to live in seconds; 0 for the table's default.
    pub ttl: i32,
    /// Write timestamp in microseconds; 0 for the server's.
    pub timestamp: i64,
    /// Consistency level (`CQLB_CONSISTENCY_*`); 0xFFFF for the session's.
    pub consistency: u16,
    /// `IF NOT EXISTS` (create).
    pub if_not_exists: bool,
    /// `IF EXISTS` (update, delete).
    pub if_exists: bool,
    /// `IF col = value AND ...` for each named value of this row (0 for none).
    pub conditions: cqlb_value,
}

/// Options of a model query; pass NULL for the defaults.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cqlb_query_options {
    /// At most this many rows; 0 for no limit.
    pub limit: i32,
    /// Let the server filter (`ALLOW FILTERING`).
    pub allow_filtering: bool,
    /// Consistency level (`CQLB_CONSISTENCY_*`); 0xFFFF for the session's.
    pub consistency: u16,
}

/// Column flag: a static column.
pub const CQLB_COLUMN_STATIC: u32 = 1;
/// Column flag: give the column a secondary index.
pub const CQLB_COLUMN_INDEX: u32 = 2;
/// Column flag: refuse null.
pub const CQLB_COLUMN_REQUIRED: u32 = 4;
/// Column flag: the polymorphism discriminator.
pub const CQLB_COLUMN_DISCRIMINATOR: u32 = 8;

type SharedModel = Mutex<ModelSchema>;

fn model(m: cqlb_model) -> FfiResult<Arc<SharedModel>> {
    resolve::<SharedModel>(m.handle, Kind::Model)
}

fn edit(m: cqlb_model, f: impl FnOnce(&mut ModelSchema) -> FfiResult) -> FfiResult {
    let shared = model(m)?;
    let mut guard = shared.lock().unwrap_or_else(|p| p.into_inner());
    f(&mut guard)
}

fn snapshot(m: cqlb_model) -> FfiResult<ModelSchema> {
    let shared = model(m)?;
    let guard = shared.lock().unwrap_or_else(|p| p.into_inner());
    Ok(guard.clone().validate()?)
}

fn column<'a>(m: &'a mut ModelSchema, name: &str) -> FfiResult<&'a mut ColumnDef> {
    let model_name = m.name.clone();
    m.columns
        .iter_mut()
        .find(|c| c.name == name)
        .ok_or_else(|| {
            Failure(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                format!("model {model_name} has no column {name:?}"),
            )
        })
}

/// The named values of a UDT-shaped value builder (0 handle: none).
fn row(v: cqlb_value) -> FfiResult<Vec<(String, Value)>> {
    if v.handle == 0 {
        return Ok(Vec::new());
    }
    match resolve::<FfiValue>(v.handle, Kind::Value)?.value() {
        Value::Udt { fields, .. } => Ok(fields),
        _ => fail(
            cqlb_status::CQLB_INVALID_ARGUMENT,
            "a row of named values is made with cqlb_value_new_udt",
        ),
    }
}

fn write_options(o: *const cqlb_write_options) -> FfiResult<WriteOptions> {
    if o.is_null() {
        return Ok(WriteOptions::default());
    }
    // SAFETY: non-null, and the caller provides a readable struct.
    let o = unsafe { &*o };
    Ok(WriteOptions {
        ttl: (o.ttl != 0).then_some(o.ttl),
        timestamp: (o.timestamp != 0).then_some(o.timestamp),
        consistency: if o.consistency == 0xFFFF {
            None
        } else {
            Some(consistency_from_c(o.consistency)?)
        },
        timeout: None,
        if_not_exists: o.if_not_exists,
        if_exists: o.if_exists,
        conditions: row(o.conditions)?
            .into_iter()
            .map(|(c, v)| (c, Op::Eq, v))
            .collect(),
    })
}

/// Rows of a model as a result page whose columns are the model's attributes.
fn as_result(m: &ModelSchema, rows: &[ModelRow]) -> ResultSet {
    let names: Vec<String> = match rows.first() {
        Some(r) => r.values.iter().map(|(n, _)| n.clone()).collect(),
        None => m.columns.iter().map(|c| c.name.clone()).collect(),
    };
    let columns: Arc<[ColumnSpec]> = names
        .iter()
        .map(|n| ColumnSpec {
            keyspace: m.keyspace.clone().unwrap_or_default(),
            table: m.table.clone(),
            name: n.clone(),
            typ: m
                .get(n)
                .map_or(CqlType::Custom("unknown".into()), |c| c.typ.clone()),
        })
        .collect();
    ResultSet {
        columns,
        rows: rows
            .iter()
            .map(|r| r.values.iter().map(|(_, v)| v.clone()).collect())
            .collect(),
        ..Default::default()
    }
}

fn result_handle(rs: ResultSet) -> cqlb_result {
    cqlb_result {
        handle: REGISTRY.insert(Kind::Result, FfiRows::new(Arc::new(rs))),
    }
}

/// Like `blocking`, turning a not-applied LWT into `CQLB_LWT_FAILED` with
/// the existing row written to `out_existing`.
fn blocking_lwt<T: Send + 'static>(
    m: &ModelSchema,
    out_existing: *mut cqlb_result,
    work: impl std::future::Future<Output = cqlbridge_core::Result<T>> + Send + 'static,
) -> FfiResult<T> {
    match cqlbridge_core::runtime::block_on(work).map_err(Failure::from)? {
        Ok(v) => Ok(v),
        Err(Error::LwtFailed { existing }) => {
            if !out_existing.is_null() {
                let row = ModelRow {
                    model: m.name.clone(),
                    values: existing.clone(),
                };
                // SAFETY: non-null, and the caller provides writable storage.
                unsafe { out_existing.write(result_handle(as_result(m, &[row]))) };
            }
            Err(Failure::from(Error::LwtFailed { existing }))
        }
        Err(e) => Err(Failure::from(e)),
    }
}

fn session(s: cqlb_session) -> FfiResult<Arc<Session>> {
    resolve::<Session>(s.handle, Kind::Session)
}

/// Starts describing a model named `name` (its table: the name in snake_case).
#[no_mangle]
pub unsafe extern "C" fn cqlb_model_new(
    name: *const c_char,
    len: usize,
    out_model: *mut cqlb_model,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_model, "out_model")?;
        let name = str_arg(name, len, "name")?;
        slot.write(cqlb_model {
            handle: REGISTRY.insert::<SharedModel>(Kind::Model, Mutex::new(ModelSchema::new(name))),
        });
        Ok(())
    })
}

/// Frees a model description.
#[no_mangle]
pub extern "C" fn cqlb_model_free(m: cqlb_model) -> cqlb_status {
    ffi_call(|| release(m.handle, Kind::Model))
}

/// Sets the model's keyspace (otherwise the session's).
#[no_mangle]
pub unsafe extern "C" fn cqlb_model_set_keyspace(
    m: cqlb_model,
    keyspace: *const c_char,
    len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let ks = str_arg(keyspace, len, "keyspace")?.to_owned();
        edit(m, |s| {
            s.keyspace = Some(ks);
            Ok(())
        })
    })
}

/// Sets the model's table name.
#[no_mangle]
pub unsafe extern "C" fn cqlb_model_set_table(
    m: cqlb_model,
    table: *const c_char,
    len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let t = str_arg(table, len, "table")?.to_owned();
        edit(m, |s| {
            s.table = t;
            Ok(())
        })
    })
}

/// Adds a column: its CQL type as text (`"map<text, int>"`, a UDT by name, double-quoted
/// when its name needs it: `frozen<"My Type">`), its part in the key (0 none, 1 partition
/// key, 2 clustering ascending, 3 clustering descending) and `CQLB_COLUMN_*` flags. Key
/// columns are in declaration order.
#[no_mangle]
pub unsafe extern "C" fn cqlb_model_add_column(
    m: cqlb_model,
    name: *const c_char,
    name_len: usize,
    cql_type: *const c_char,
    cql_type_len: usize,
    key: u32,
    flags: u32,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, name_len, "name")?;
        let text = str_arg(cql_type, cql_type_len, "cql_type")?;
        let typ: CqlType = text.parse().map_err(|e| {
            Failure(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                format!("type {text:?}: {e}"),
            )
        })?;
        let mut c = ColumnDef::new(name, typ);
        c = match key {
            0 => c,
            1 => c.partition_key(),
            2 => c.clustering(ClusteringOrder::Asc),
            3 => c.clustering(ClusteringOrder::Desc),
            other => {
                return fail(
                    cqlb_status::CQLB_INVALID_ARGUMENT,
                    format!("key kind {other} is not 0 to 3"),
                )
            }
        };
        c.is_static = flags & CQLB_COLUMN_STATIC != 0;
        c.index = flags & CQLB_COLUMN_INDEX != 0;
        c.required = flags & CQLB_COLUMN_REQUIRED != 0;
        c.discriminator = flags & CQLB_COLUMN_DISCRIMINATOR != 0;
        edit(m, |s| {
            s.columns.push(c);
            Ok(())
        })
    })
}

/// Gives a column a generated default: 1 a random UUID, 2 a time UUID, 3 now.
#[no_mangle]
pub unsafe extern "C" fn cqlb_model_set_column_default(
    m: cqlb_model,
    name: *const c_char,
    len: usize,
    generated: u32,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, len, "name")?;
        let d = match generated {
            1 => ColumnDefault::Uuid4,
            2 => ColumnDefault::TimeUuid,
            3 => ColumnDefault::Now,
            other => {
                return fail(
                    cqlb_status::CQLB_INVALID_ARGUMENT,
                    format!("default kind {other} is not 1 to 3"),
                )
            }
        };
        edit(m, |s| {
            column(s, name)?.default = Some(d);
            Ok(())
        })
    })
}

/// Sets a text column's length bounds in characters (0: no bound).
#[no_mangle]
pub unsafe extern "C" fn cqlb_model_set_column_length(
    m: cqlb_model,
    name: *const c_char,
    len: usize,
    min: usize,
    max: usize,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, len, "name")?;
        edit(m, |s| {
            let c = column(s, name)?;
            c.min_length = (min != 0).then_some(min);
            c.max_length = (max != 0).then_some(max);
            Ok(())
        })
    })
}

/// Sets the column's name in the table when it differs from its attribute name.
#[no_mangle]
pub unsafe extern "C" fn cqlb_model_set_column_db_field(
    m: cqlb_model,
    name: *const c_char,
    len: usize,
    db_field: *const c_char,
    db_field_len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, len, "name")?;
        let db = str_arg(db_field, db_field_len, "db_field")?.to_owned();
        edit(m, |s| {
            column(s, name)?.db_field = Some(db);
            Ok(())
        })
    })
}

/// Sets a numeric table option (`gc_grace_seconds`, ...).
#[no_mangle]
pub unsafe extern "C" fn cqlb_model_set_option_int(
    m: cqlb_model,
    name: *const c_char,
    len: usize,
    value: i64,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, len, "name")?.to_owned();
        edit(m, |s| {
            s.options.insert(name, OptionValue::Int(value));
            Ok(())
        })
    })
}

/// Sets a text table option (`comment`, `read_repair`, ...).
#[no_mangle]
pub unsafe extern "C" fn cqlb_model_set_option_text(
    m: cqlb_model,
    name: *const c_char,
    len: usize,
    value: *const c_char,
    value_len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, len, "name")?.to_owned();
        let value = str_arg(value, value_len, "value")?.to_owned();
        edit(m, |s| {
            s.options.insert(name, OptionValue::Text(value));
            Ok(())
        })
    })
}

/// Sets one entry of a map table option (`compaction`, `caching`, `compression`).
#[no_mangle]
pub unsafe extern "C" fn cqlb_model_set_option_entry(
    m: cqlb_model,
    name: *const c_char,
    len: usize,
    key: *const c_char,
    key_len: usize,
    value: *const c_char,
    value_len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, len, "name")?.to_owned();
        let key = str_arg(key, key_len, "key")?.to_owned();
        let value = str_arg(value, value_len, "value")?.to_owned();
        edit(m, |s| {
            match s
                .options
                .entry(name)
                .or_insert_with(|| OptionValue::Map(Default::default()))
            {
                OptionValue::Map(map) => {
                    map.insert(key, value);
                    Ok(())
                }
                _ => fail(
                    cqlb_status::CQLB_INVALID_ARGUMENT,
                    "that option is not a map",
                ),
            }
        })
    })
}

/// Sets the default time to live in seconds.
#[no_mangle]
pub extern "C" fn cqlb_model_set_default_ttl(m: cqlb_model, seconds: i32) -> cqlb_status {
    ffi_call(|| {
        edit(m, |s| {
            s.default_ttl = Some(seconds);
            Ok(())
        })
    })
}

/// Makes the model part of a polymorphic table: `column` is the discriminator (flagged
/// `CQLB_COLUMN_DISCRIMINATOR`); `value` is this model's discriminator value, NULL and 0 for
/// the base model (which cannot be saved).
#[no_mangle]
pub unsafe extern "C" fn cqlb_model_set_polymorphism(
    m: cqlb_model,
    column_name: *const c_char,
    column_len: usize,
    value: *const c_char,
    value_len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let column_name = str_arg(column_name, column_len, "column")?.to_owned();
        let v = str_arg(value, value_len, "value")?;
        let value = (!v.is_empty()).then(|| Value::from(v));
        edit(m, |s| {
            let subtypes = s
                .polymorphism
                .take()
                .map(|p| p.subtypes)
                .unwrap_or_default();
            s.polymorphism = Some(Polymorphism {
                column: column_name,
                value,
                subtypes,
            });
            Ok(())
        })
    })
}

/// Declares a subtype of a polymorphic model: its discriminator value and model name (a base
/// model's query reports each row's model through the discriminator).
#[no_mangle]
pub unsafe extern "C" fn cqlb_model_add_subtype(
    m: cqlb_model,
    value: *const c_char,
    value_len: usize,
    name: *const c_char,
    name_len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let value = Value::from(str_arg(value, value_len, "value")?);
        let name = str_arg(name, name_len, "name")?.to_owned();
        edit(m, |s| match &mut s.polymorphism {
            Some(p) => {
                p.subtypes.push((value, name));
                Ok(())
            }
            None => fail(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                "call cqlb_model_set_polymorphism first",
            ),
        })
    })
}

/// `CREATE KEYSPACE IF NOT EXISTS` with SimpleStrategy.
#[no_mangle]
pub unsafe extern "C" fn cqlb_session_create_keyspace_simple(
    s: cqlb_session,
    name: *const c_char,
    len: usize,
    replication_factor: u32,
) -> cqlb_status {
    ffi_call(|| {
        let (s, name) = (session(s)?, str_arg(name, len, "name")?.to_owned());
        blocking(async move {
            s.create_keyspace_simple(&name, replication_factor, true)
                .await
        })?;
        Ok(())
    })
}

/// `DROP KEYSPACE IF EXISTS`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_session_drop_keyspace(
    s: cqlb_session,
    name: *const c_char,
    len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let (s, name) = (session(s)?, str_arg(name, len, "name")?.to_owned());
        blocking(async move { s.drop_keyspace(&name).await })?;
        Ok(())
    })
}

/// Makes the model's table match the model (creates it, adds columns and indexes, alters
/// options; never drops; `CQLB_SCHEMA_MISMATCH` on a primary-key change). `*out_changed`
/// (may be NULL) says whether anything changed.
#[no_mangle]
pub unsafe extern "C" fn cqlb_session_sync_table(
    s: cqlb_session,
    m: cqlb_model,
    out_changed: *mut bool,
) -> cqlb_status {
    ffi_call(|| {
        let (s, m) = (session(s)?, snapshot(m)?);
        let report = blocking(async move { s.sync_table(&m).await })?;
        if !out_changed.is_null() {
            out_changed.write(!report.unchanged());
        }
        Ok(())
    })
}

/// `DROP TABLE IF EXISTS` for the model's table.
#[no_mangle]
pub extern "C" fn cqlb_session_drop_table(s: cqlb_session, m: cqlb_model) -> cqlb_status {
    ffi_call(|| {
        let (s, m) = (session(s)?, snapshot(m)?);
        blocking(async move { s.drop_table(&m).await })?;
        Ok(())
    })
}

/// Inserts a row (validated, defaults filled). `*out_row` (may be NULL) receives the row as
/// stored. With `if_not_exists`, an existing row gives `CQLB_LWT_FAILED` and `*out_existing`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_model_create(
    s: cqlb_session,
    m: cqlb_model,
    values: cqlb_value,
    options: *const cqlb_write_options,
    out_row: *mut cqlb_result,
    out_existing: *mut cqlb_result,
) -> cqlb_status {
    ffi_call(|| {
        let (s, m, values, opts) = (
            session(s)?,
            snapshot(m)?,
            row(values)?,
            write_options(options)?,
        );
        let model = m.clone();
        let created = blocking_lwt(&m, out_existing, async move {
            s.model_create(&model, &values, &opts).await
        })?;
        if !out_row.is_null() {
            out_row.write(result_handle(as_result(&m, &[created])));
        }
        Ok(())
    })
}

/// Updates the row whose whole primary key is in `key`, setting each named value of
/// `changes` (null deletes the column). Conditions as for `cqlb_model_create`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_model_update(
    s: cqlb_session,
    m: cqlb_model,
    key: cqlb_value,
    changes: cqlb_value,
    options: *const cqlb_write_options,
    out_existing: *mut cqlb_result,
) -> cqlb_status {
    update(s, m, key, options, out_existing, || {
        Ok(row(changes)?
            .into_iter()
            .map(|(c, v)| (c, Change::Set(v)))
            .collect())
    })
}

/// The body of both updates: resolves the arguments, then the changes, then runs.
fn update(
    s: cqlb_session,
    m: cqlb_model,
    key: cqlb_value,
    options: *const cqlb_write_options,
    out_existing: *mut cqlb_result,
    changes: impl FnOnce() -> FfiResult<Vec<(String, Change)>>,
) -> cqlb_status {
    ffi_call(|| {
        let (s, m, key, opts) = (
            session(s)?,
            snapshot(m)?,
            row(key)?,
            write_options(options)?,
        );
        let changes = changes()?;
        let model = m.clone();
        blocking_lwt(&m, out_existing, async move {
            s.model_update(&model, &key, &changes, &opts).await
        })
    })
}

/// Deletes the rows matching `key` (at least the whole partition key).
#[no_mangle]
pub unsafe extern "C" fn cqlb_model_delete(
    s: cqlb_session,
    m: cqlb_model,
    key: cqlb_value,
    options: *const cqlb_write_options,
    out_existing: *mut cqlb_result,
) -> cqlb_status {
    ffi_call(|| {
        let (s, m, key, opts) = (
            session(s)?,
            snapshot(m)?,
            row(key)?,
            write_options(options)?,
        );
        let model = m.clone();
        blocking_lwt(&m, out_existing, async move {
            s.model_delete(&model, &key, &[], &opts).await
        })
    })
}

fn query(filters: cqlb_value, options: *const cqlb_query_options) -> FfiResult<ModelQuery> {
    let mut q = ModelQuery {
        filters: row(filters)?
            .into_iter()
            .map(|(column, value)| Filter {
                column,
                op: FilterOp::Eq,
                value,
            })
            .collect(),
        ..Default::default()
    };
    if !options.is_null() {
        // SAFETY: non-null, and the caller provides a readable struct.
        let o = unsafe { &*options };
        q.limit = (o.limit != 0).then_some(o.limit);
        q.allow_filtering = o.allow_filtering;
        q.consistency = if o.consistency == 0xFFFF {
            None
        } else {
            Some(consistency_from_c(o.consistency)?)
        };
    }
    Ok(q)
}

/// Every row matching the equality `filters` (a row of named values; 0 for none), all pages,
/// as one result. Queries Cassandra would refuse give `CQLB_QUERY_ERROR` before sending.
#[no_mangle]
pub unsafe extern "C" fn cqlb_model_select(
    s: cqlb_session,
    m: cqlb_model,
    filters: cqlb_value,
    options: *const cqlb_query_options,
    out_rows: *mut cqlb_result,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_rows, "out_rows")?;
        let (s, m, q) = (session(s)?, snapshot(m)?, query(filters, options)?);
        slot.write(select(s, m, q)?);
        Ok(())
    })
}

/// Exactly one row matching `filters`: `CQLB_DOES_NOT_EXIST` when none,
/// `CQLB_MULTIPLE_OBJECTS_RETURNED` when several.
#[no_mangle]
pub unsafe extern "C" fn cqlb_model_get(
    s: cqlb_session,
    m: cqlb_model,
    filters: cqlb_value,
    out_row: *mut cqlb_result,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_row, "out_row")?;
        let (s, m, q) = (session(s)?, snapshot(m)?, query(filters, std::ptr::null())?);
        let model = m.clone();
        let found = blocking(async move { s.model_get(&model, &q).await })?;
        slot.write(result_handle(as_result(&m, &[found])));
        Ok(())
    })
}

/// How many rows match `filters`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_model_count(
    s: cqlb_session,
    m: cqlb_model,
    filters: cqlb_value,
    options: *const cqlb_query_options,
    out_count: *mut i64,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_count, "out_count")?;
        let (s, m, q) = (session(s)?, snapshot(m)?, query(filters, options)?);
        slot.write(count(s, m, q)?);
        Ok(())
    })
}

/// The rows of a model query, as a result handle (`cqlb_model_select` and `_where`).
fn select(s: Arc<Session>, m: ModelSchema, q: ModelQuery) -> FfiResult<cqlb_result> {
    let model = m.clone();
    let rows = blocking(async move { s.model_select(&model, &q).await })?;
    Ok(result_handle(as_result(&m, &rows)))
}

/// How many rows a model query matches (`cqlb_model_count` and `_where`).
fn count(s: Arc<Session>, m: ModelSchema, q: ModelQuery) -> FfiResult<i64> {
    blocking(async move { s.model_count(&m, &q).await })
}

/// Terms of the `_where` / `_changes` calls: a list of tuples `(attribute, code, value)`.
fn terms(v: cqlb_value, what: &str) -> FfiResult<Vec<(String, i64, Value)>> {
    if v.handle == 0 {
        return Ok(Vec::new());
    }
    let bad = || {
        fail(
            cqlb_status::CQLB_INVALID_ARGUMENT,
            format!("{what} are a list of tuples (text attribute, int code, value)"),
        )
    };
    let Value::List(items) = resolve::<FfiValue>(v.handle, Kind::Value)?.value() else {
        return bad();
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let Value::Tuple(parts) = item else {
            return bad();
        };
        let Ok([Value::Text(name), code, value]) = <[Value; 3]>::try_from(parts) else {
            return bad();
        };
        let code = match code {
            Value::Int(n) => i64::from(n),
            Value::BigInt(n) => n,
            Value::SmallInt(n) => i64::from(n),
            Value::TinyInt(n) => i64::from(n),
            _ => return bad(),
        };
        out.push((name, code, value));
    }
    Ok(out)
}

/// A query from `terms`, `order_by` and `options`.
fn query_where(
    where_terms: cqlb_value,
    order_by: cqlb_value,
    options: *const cqlb_query_options,
) -> FfiResult<ModelQuery> {
    let mut q = query(cqlb_value { handle: 0 }, options)?;
    for (column, code, value) in terms(where_terms, "filters")? {
        // Token ranges (codes 8-11) are not part of the C ABI yet.
        let Some(op) = FilterOp::from_code(code).filter(|_| code <= 7) else {
            return fail(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                format!("unknown filter operator {code}"),
            );
        };
        q.filters.push(Filter { column, op, value });
    }
    if order_by.handle != 0 {
        let Value::List(items) = resolve::<FfiValue>(order_by.handle, Kind::Value)?.value() else {
            return fail(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                "order_by is a list of tuples (text attribute, boolean descending)",
            );
        };
        for item in items {
            match item {
                Value::Tuple(p) if matches!(p.as_slice(), [Value::Text(_), Value::Boolean(_)]) => {
                    let (Value::Text(name), Value::Boolean(desc)) = (&p[0], &p[1]) else {
                        unreachable!("matched above")
                    };
                    let order = if *desc {
                        ClusteringOrder::Desc
                    } else {
                        ClusteringOrder::Asc
                    };
                    q.order_by.push((name.clone(), order));
                }
                _ => {
                    return fail(
                        cqlb_status::CQLB_INVALID_ARGUMENT,
                        "order_by is a list of tuples (text attribute, boolean descending)",
                    )
                }
            }
        }
    }
    Ok(q)
}

/// Every row matching `filters` — a list of tuples `(attribute text, operator int, value)`,
/// operators 0 `=`, 1 `IN`, 2 `>`, 3 `>=`, 4 `<`, 5 `<=`, 6 `CONTAINS`, 7 `CONTAINS KEY` (0 for
/// none) — ordered by `order_by`, a list of tuples `(attribute text, descending boolean)` (0
/// for the table's order); all pages, as one result. Queries Cassandra would refuse give
/// `CQLB_QUERY_ERROR` before sending.
#[no_mangle]
pub unsafe extern "C" fn cqlb_model_select_where(
    s: cqlb_session,
    m: cqlb_model,
    filters: cqlb_value,
    order_by: cqlb_value,
    options: *const cqlb_query_options,
    out_rows: *mut cqlb_result,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_rows, "out_rows")?;
        let (s, m, q) = (
            session(s)?,
            snapshot(m)?,
            query_where(filters, order_by, options)?,
        );
        slot.write(select(s, m, q)?);
        Ok(())
    })
}

/// How many rows match `filters` (as for `cqlb_model_select_where`).
#[no_mangle]
pub unsafe extern "C" fn cqlb_model_count_where(
    s: cqlb_session,
    m: cqlb_model,
    filters: cqlb_value,
    options: *const cqlb_query_options,
    out_count: *mut i64,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_count, "out_count")?;
        let q = query_where(filters, cqlb_value { handle: 0 }, options)?;
        let (s, m) = (session(s)?, snapshot(m)?);
        slot.write(count(s, m, q)?);
        Ok(())
    })
}

/// Updates the rows of `key` with `changes`, a list of tuples `(attribute text, change int,
/// value)`: 0 set (null deletes), 1 add (to a set; append to a list; increment a counter), 2
/// remove (from a set or list; decrement a counter), 3 prepend to a list, 4 put the entries
/// of a map, 5 remove the keys (a set) from a map. Conditions as for `cqlb_model_create`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_model_update_changes(
    s: cqlb_session,
    m: cqlb_model,
    key: cqlb_value,
    changes: cqlb_value,
    options: *const cqlb_write_options,
    out_existing: *mut cqlb_result,
) -> cqlb_status {
    update(s, m, key, options, out_existing, || {
        terms(changes, "changes")?
            .into_iter()
            .map(|(name, code, v)| match Change::from_code(code, v) {
                Some(change) => Ok((name, change)),
                None => fail(
                    cqlb_status::CQLB_INVALID_ARGUMENT,
                    format!("unknown change {code}"),
                ),
            })
            .collect()
    })
}

type SharedBatch = Mutex<Option<ModelBatch>>;

/// Starts a batch of model writes: 0 LOGGED, 1 UNLOGGED, 2 COUNTER.
#[no_mangle]
pub unsafe extern "C" fn cqlb_model_batch_new(
    batch_type: u32,
    out_batch: *mut cqlb_model_batch,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_batch, "out_batch")?;
        let kind = match batch_type {
            0 => BatchType::Logged,
            1 => BatchType::Unlogged,
            2 => BatchType::Counter,
            other => {
                return fail(
                    cqlb_status::CQLB_INVALID_ARGUMENT,
                    format!("unknown batch type {other}"),
                )
            }
        };
        slot.write(cqlb_model_batch {
            handle: REGISTRY
                .insert::<SharedBatch>(Kind::ModelBatch, Mutex::new(Some(ModelBatch::new(kind)))),
        });
        Ok(())
    })
}

fn add_to_batch(b: cqlb_model_batch, f: impl FnOnce(&mut ModelBatch) -> FfiResult) -> FfiResult {
    let shared = resolve::<SharedBatch>(b.handle, Kind::ModelBatch)?;
    let mut guard = shared.lock().unwrap_or_else(|p| p.into_inner());
    match guard.as_mut() {
        Some(batch) => f(batch),
        None => fail(
            cqlb_status::CQLB_INVALID_ARGUMENT,
            "the batch was already executed",
        ),
    }
}

/// Adds a create (validated now, sent with the batch). The model must name its keyspace or
/// the session must use one.
#[no_mangle]
pub unsafe extern "C" fn cqlb_model_batch_add_create(
    b: cqlb_model_batch,
    m: cqlb_model,
    values: cqlb_value,
    options: *const cqlb_write_options,
) -> cqlb_status {
    ffi_call(|| {
        let (m, values, opts) = (snapshot(m)?, row(values)?, write_options(options)?);
        let (rendered, _) = render_create(&m, &values, &opts)?;
        add_to_batch(b, |batch| {
            batch.add(rendered);
            Ok(())
        })
    })
}

/// Adds an update of the row whose primary key is `key`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_model_batch_add_update(
    b: cqlb_model_batch,
    m: cqlb_model,
    key: cqlb_value,
    changes: cqlb_value,
    options: *const cqlb_write_options,
) -> cqlb_status {
    ffi_call(|| {
        let (m, key, opts) = (snapshot(m)?, row(key)?, write_options(options)?);
        let changes: Vec<(String, Change)> = row(changes)?
            .into_iter()
            .map(|(c, v)| (c, Change::Set(v)))
            .collect();
        let rendered = render_update(&m, &key, &changes, &opts)?;
        add_to_batch(b, |batch| {
            batch.add(rendered);
            Ok(())
        })
    })
}

/// Adds a delete of the rows matching `key`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_model_batch_add_delete(
    b: cqlb_model_batch,
    m: cqlb_model,
    key: cqlb_value,
    options: *const cqlb_write_options,
) -> cqlb_status {
    ffi_call(|| {
        let (m, key, opts) = (snapshot(m)?, row(key)?, write_options(options)?);
        let rendered = render_delete(&m, &key, &[], &opts)?;
        add_to_batch(b, |batch| {
            batch.add(rendered);
            Ok(())
        })
    })
}

/// Sends the batch (once); a conditional batch not applied is `CQLB_LWT_FAILED`.
#[no_mangle]
pub extern "C" fn cqlb_model_batch_execute(s: cqlb_session, b: cqlb_model_batch) -> cqlb_status {
    ffi_call(|| {
        let s = session(s)?;
        let shared = resolve::<SharedBatch>(b.handle, Kind::ModelBatch)?;
        let batch = shared.lock().unwrap_or_else(|p| p.into_inner()).take();
        let Some(batch) = batch else {
            return fail(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                "the batch was already executed",
            );
        };
        blocking(async move { batch.execute(&s).await })?;
        Ok(())
    })
}

/// Frees a model batch.
#[no_mangle]
pub extern "C" fn cqlb_model_batch_free(b: cqlb_model_batch) -> cqlb_status {
    ffi_call(|| release(b.handle, Kind::ModelBatch))
}

/// Creates a user-defined type `keyspace`.`name` or adds the fields it lacks: `count` fields,
/// with names and CQL type texts as `(pointer, length)` arrays. `*out_changed` (may be NULL)
/// says whether anything changed.
#[no_mangle]
pub unsafe extern "C" fn cqlb_session_sync_type(
    s: cqlb_session,
    keyspace: *const c_char,
    keyspace_len: usize,
    name: *const c_char,
    name_len: usize,
    field_names: *const *const c_char,
    field_name_lens: *const usize,
    field_types: *const *const c_char,
    field_type_lens: *const usize,
    count: usize,
    out_changed: *mut bool,
) -> cqlb_status {
    ffi_call(|| {
        if count > 0
            && (field_names.is_null()
                || field_name_lens.is_null()
                || field_types.is_null()
                || field_type_lens.is_null())
        {
            return fail(cqlb_status::CQLB_NULL_ARGUMENT, "a field array is NULL");
        }
        let s = session(s)?;
        let keyspace = str_arg(keyspace, keyspace_len, "keyspace")?.to_owned();
        let name = str_arg(name, name_len, "name")?.to_owned();
        let mut fields = Vec::with_capacity(count);
        for i in 0..count {
            let field =
                str_arg(*field_names.add(i), *field_name_lens.add(i), "field name")?.to_owned();
            let text = str_arg(*field_types.add(i), *field_type_lens.add(i), "field type")?;
            let typ: CqlType = text.parse().map_err(|e| {
                Failure(
                    cqlb_status::CQLB_INVALID_ARGUMENT,
                    format!("type {text:?}: {e}"),
                )
            })?;
            fields.push((field, typ));
        }
        let report = blocking(async move { s.sync_type(&keyspace, &name, &fields).await })?;
        if !out_changed.is_null() {
            out_changed.write(!report.unchanged());
        }
        Ok(())
    })
}
