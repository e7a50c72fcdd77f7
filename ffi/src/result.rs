//! Result pages, read by (row, column) with typed getters; strings and blobs are borrowed
//! while the result handle lives. No allocation per row or per value, except for values
//! rendered as text (decimal, varint, `cqlb_result_get_text_of`), cached in the result.
//!
//! Getters fail with `CQLB_INVALID_ARGUMENT` for a row or column out of range,
//! `CQLB_NULL_VALUE` for null, and `CQLB_WRONG_TYPE` when the column holds another type;
//! the out-parameters are then left as they were. Integer getters accept narrower integer
//! columns (`cqlb_result_get_int64` reads any integer column), `cqlb_result_get_double` reads
//! `float` columns too.

use std::collections::hash_map::{Entry, HashMap};
use std::ffi::c_char;
use std::sync::{Arc, Mutex};

use cqlbridge_core::{ResultSet, Value};

use crate::boundary::{fail, ffi_call, out, release, resolve, FfiResult};
use crate::handle::Kind;
use crate::status::cqlb_status;

/// A page of results.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct cqlb_result {
    /// The handle; 0 is never valid.
    pub handle: u64,
}

/// What a cached text renders: a column's type, or a cell's value.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum TextOf {
    ColumnType(usize),
    Cell(usize, usize),
}

/// A result page with a cache for values rendered as text: each text is rendered once and
/// lives as long as the result.
pub(crate) struct FfiRows {
    rs: Arc<ResultSet>,
    texts: Mutex<HashMap<TextOf, Box<str>>>,
}

impl FfiRows {
    pub(crate) fn new(rs: Arc<ResultSet>) -> Self {
        FfiRows {
            rs,
            texts: Mutex::new(HashMap::new()),
        }
    }

    /// The text `what`, rendered by `render` on first use, kept as long as the result.
    fn text(
        &self,
        what: TextOf,
        render: impl FnOnce() -> FfiResult<String>,
    ) -> FfiResult<(*const c_char, usize)> {
        let mut texts = self.texts.lock().unwrap_or_else(|p| p.into_inner());
        let text = match texts.entry(what) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(render()?.into_boxed_str()),
        };
        // The boxed text never moves while the result lives: the map owns it.
        Ok((text.as_ptr().cast(), text.len()))
    }
}

pub(crate) fn rows(r: cqlb_result) -> FfiResult<Arc<FfiRows>> {
    resolve::<FfiRows>(r.handle, Kind::Result)
}

pub(crate) fn cell(rows: &FfiRows, row: usize, column: usize) -> FfiResult<&Value> {
    let rs = &rows.rs;
    let Some(r) = rs.rows.get(row) else {
        return fail(
            cqlb_status::CQLB_INVALID_ARGUMENT,
            format!("row {row} is out of range ({} rows)", rs.rows.len()),
        );
    };
    match r.get(column) {
        Some(Value::Null) => fail(
            cqlb_status::CQLB_NULL_VALUE,
            format!("row {row}, column {column} is null"),
        ),
        Some(v) => Ok(v),
        None => fail(
            cqlb_status::CQLB_INVALID_ARGUMENT,
            format!(
                "column {column} is out of range ({} columns)",
                rs.columns.len()
            ),
        ),
    }
}

fn wrong_type<T>(v: &Value, wanted: &str) -> FfiResult<T> {
    fail(
        cqlb_status::CQLB_WRONG_TYPE,
        format!("the value is a {}, not a {wanted}", v.type_name()),
    )
}

/// Frees a result.
#[no_mangle]
pub extern "C" fn cqlb_result_free(result: cqlb_result) -> cqlb_status {
    ffi_call(|| release(result.handle, Kind::Result))
}

/// The number of rows in this page.
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_row_count(
    result: cqlb_result,
    out_count: *mut usize,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_count, "out_count")?;
        slot.write(rows(result)?.rs.rows.len());
        Ok(())
    })
}

/// The number of columns.
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_column_count(
    result: cqlb_result,
    out_count: *mut usize,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_count, "out_count")?;
        slot.write(rows(result)?.rs.columns.len());
        Ok(())
    })
}

/// The name of a column, borrowed while the result lives.
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_column_name(
    result: cqlb_result,
    column: usize,
    out_name: *mut *const c_char,
    out_len: *mut usize,
) -> cqlb_status {
    ffi_call(|| {
        let name_slot = out(out_name, "out_name")?;
        let len_slot = out(out_len, "out_len")?;
        let r = rows(result)?;
        let Some(c) = r.rs.columns.get(column) else {
            return fail(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                format!("column {column} is out of range"),
            );
        };
        name_slot.write(c.name.as_ptr().cast());
        len_slot.write(c.name.len());
        Ok(())
    })
}

/// The CQL type of a column as text (e.g. `map<text, int>`), borrowed while the result lives.
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_column_type(
    result: cqlb_result,
    column: usize,
    out_type: *mut *const c_char,
    out_len: *mut usize,
) -> cqlb_status {
    ffi_call(|| {
        let type_slot = out(out_type, "out_type")?;
        let len_slot = out(out_len, "out_len")?;
        let r = rows(result)?;
        let Some(c) = r.rs.columns.get(column) else {
            return fail(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                format!("column {column} is out of range"),
            );
        };
        let (ptr, len) = r.text(TextOf::ColumnType(column), || Ok(c.typ.to_string()))?;
        type_slot.write(ptr);
        len_slot.write(len);
        Ok(())
    })
}

/// The index of the column named `name`; `CQLB_INVALID_ARGUMENT` when there is none.
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_column_index(
    result: cqlb_result,
    name: *const c_char,
    name_len: usize,
    out_index: *mut usize,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_index, "out_index")?;
        let name = crate::boundary::str_arg(name, name_len, "name")?;
        match rows(result)?.rs.column_index(name) {
            Some(i) => {
                slot.write(i);
                Ok(())
            }
            None => fail(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                format!("no column named {name:?}"),
            ),
        }
    })
}

/// Whether more pages follow (resume with `cqlb_result_paging_state`).
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_has_more_pages(
    result: cqlb_result,
    out_more: *mut bool,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_more, "out_more")?;
        slot.write(rows(result)?.rs.has_more_pages());
        Ok(())
    })
}

/// The paging state of the next page (NULL and 0 when this is the last page), borrowed while
/// the result lives.
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_paging_state(
    result: cqlb_result,
    out_state: *mut *const u8,
    out_len: *mut usize,
) -> cqlb_status {
    ffi_call(|| {
        let state_slot = out(out_state, "out_state")?;
        let len_slot = out(out_len, "out_len")?;
        let r = rows(result)?;
        match &r.rs.paging_state {
            Some(s) => {
                state_slot.write(s.as_ptr());
                len_slot.write(s.len());
            }
            None => {
                state_slot.write(std::ptr::null());
                len_slot.write(0);
            }
        }
        Ok(())
    })
}

/// For a conditional statement or batch: 1 when applied, 0 when not (the row then holds the
/// existing values after the `[applied]` column); -1 for other statements.
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_was_applied(
    result: cqlb_result,
    out_applied: *mut i32,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_applied, "out_applied")?;
        slot.write(match rows(result)?.rs.was_applied() {
            Some(true) => 1,
            Some(false) => 0,
            None => -1,
        });
        Ok(())
    })
}

/// The tracing id of a traced request (`cqlb_statement_set_tracing`) into `out_id` (16
/// bytes); `*out_has` says whether there is one.
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_tracing_id(
    result: cqlb_result,
    out_id: *mut u8,
    out_has: *mut bool,
) -> cqlb_status {
    ffi_call(|| {
        let has = out(out_has, "out_has")?;
        if out_id.is_null() {
            return fail(cqlb_status::CQLB_NULL_ARGUMENT, "`out_id` is NULL");
        }
        match rows(result)?.rs.tracing_id {
            Some(id) => {
                std::ptr::copy_nonoverlapping(id.as_bytes().as_ptr(), out_id, 16);
                has.write(true);
            }
            None => {
                has.write(false);
            }
        }
        Ok(())
    })
}

/// The number of warnings the server attached.
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_warning_count(
    result: cqlb_result,
    out_count: *mut usize,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_count, "out_count")?;
        slot.write(rows(result)?.rs.warnings.len());
        Ok(())
    })
}

/// Warning `index`, borrowed while the result lives.
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_warning(
    result: cqlb_result,
    index: usize,
    out_text: *mut *const c_char,
    out_len: *mut usize,
) -> cqlb_status {
    ffi_call(|| {
        let text_slot = out(out_text, "out_text")?;
        let len_slot = out(out_len, "out_len")?;
        let r = rows(result)?;
        let Some(w) = r.rs.warnings.get(index) else {
            return fail(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                format!("warning {index} is out of range"),
            );
        };
        text_slot.write(w.as_ptr().cast());
        len_slot.write(w.len());
        Ok(())
    })
}

/// Whether the value at (row, column) is null.
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_is_null(
    result: cqlb_result,
    row: usize,
    column: usize,
    out_null: *mut bool,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_null, "out_null")?;
        let r = rows(result)?;
        match cell(&r, row, column) {
            Ok(_) => slot.write(false),
            Err(crate::boundary::Failure(cqlb_status::CQLB_NULL_VALUE, _)) => slot.write(true),
            Err(e) => return Err(e),
        };
        Ok(())
    })
}

/// Any value at (row, column) rendered as text, close to CQL literal syntax (`[1, 2]`,
/// `{'k': 1}`): the way to read collections, tuples and UDTs for now. Borrowed while the
/// result lives.
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_get_text_of(
    result: cqlb_result,
    row: usize,
    column: usize,
    out_text: *mut *const c_char,
    out_len: *mut usize,
) -> cqlb_status {
    ffi_call(|| {
        let text_slot = out(out_text, "out_text")?;
        let len_slot = out(out_len, "out_len")?;
        let r = rows(result)?;
        let (ptr, len) = r.text(TextOf::Cell(row, column), || {
            Ok(cell(&r, row, column)?.to_string())
        })?;
        text_slot.write(ptr);
        len_slot.write(len);
        Ok(())
    })
}

/// Reads a `boolean` at (row, column).
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_get_bool(
    result: cqlb_result,
    row: usize,
    column: usize,
    out_value: *mut bool,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_value, "out_value")?;
        let r = rows(result)?;
        let v = cell(&r, row, column)?;
        slot.write(crate::convert::read_bool(v)?);
        Ok(())
    })
}

/// Reads a `tinyint` at (row, column).
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_get_int8(
    result: cqlb_result,
    row: usize,
    column: usize,
    out_value: *mut i8,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_value, "out_value")?;
        let r = rows(result)?;
        let v = cell(&r, row, column)?;
        slot.write(crate::convert::read_int8(v)?);
        Ok(())
    })
}

/// Reads a `smallint` (or `tinyint`) at (row, column).
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_get_int16(
    result: cqlb_result,
    row: usize,
    column: usize,
    out_value: *mut i16,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_value, "out_value")?;
        let r = rows(result)?;
        let v = cell(&r, row, column)?;
        slot.write(crate::convert::read_int16(v)?);
        Ok(())
    })
}

/// Reads an `int` (or a narrower integer) at (row, column).
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_get_int32(
    result: cqlb_result,
    row: usize,
    column: usize,
    out_value: *mut i32,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_value, "out_value")?;
        let r = rows(result)?;
        let v = cell(&r, row, column)?;
        slot.write(crate::convert::read_int32(v)?);
        Ok(())
    })
}

/// Reads a `bigint`, `counter` or narrower integer at (row, column).
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_get_int64(
    result: cqlb_result,
    row: usize,
    column: usize,
    out_value: *mut i64,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_value, "out_value")?;
        let r = rows(result)?;
        let v = cell(&r, row, column)?;
        slot.write(crate::convert::read_int64(v)?);
        Ok(())
    })
}

/// Reads a `float` at (row, column).
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_get_float(
    result: cqlb_result,
    row: usize,
    column: usize,
    out_value: *mut f32,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_value, "out_value")?;
        let r = rows(result)?;
        let v = cell(&r, row, column)?;
        slot.write(crate::convert::read_float(v)?);
        Ok(())
    })
}

/// Reads a `double` (or `float`) at (row, column).
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_get_double(
    result: cqlb_result,
    row: usize,
    column: usize,
    out_value: *mut f64,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_value, "out_value")?;
        let r = rows(result)?;
        let v = cell(&r, row, column)?;
        slot.write(crate::convert::read_double(v)?);
        Ok(())
    })
}

/// Reads a `date` (days since 1970-01-01) at (row, column).
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_get_date(
    result: cqlb_result,
    row: usize,
    column: usize,
    out_value: *mut i32,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_value, "out_value")?;
        let r = rows(result)?;
        let v = cell(&r, row, column)?;
        slot.write(crate::convert::read_date(v)?);
        Ok(())
    })
}

/// Reads a `time` (nanoseconds since midnight) at (row, column).
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_get_time(
    result: cqlb_result,
    row: usize,
    column: usize,
    out_value: *mut i64,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_value, "out_value")?;
        let r = rows(result)?;
        let v = cell(&r, row, column)?;
        slot.write(crate::convert::read_time(v)?);
        Ok(())
    })
}

/// Reads a `timestamp` (milliseconds since the Unix epoch) at (row, column).
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_get_timestamp(
    result: cqlb_result,
    row: usize,
    column: usize,
    out_value: *mut i64,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_value, "out_value")?;
        let r = rows(result)?;
        let v = cell(&r, row, column)?;
        slot.write(crate::convert::read_timestamp(v)?);
        Ok(())
    })
}

/// Reads a `text`, `varchar` or `ascii` value at (row, column), borrowed while the result
/// lives (UTF-8, not NUL-terminated).
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_get_string(
    result: cqlb_result,
    row: usize,
    column: usize,
    out_value: *mut *const c_char,
    out_len: *mut usize,
) -> cqlb_status {
    ffi_call(|| {
        let value_slot = out(out_value, "out_value")?;
        let len_slot = out(out_len, "out_len")?;
        let r = rows(result)?;
        let s = crate::convert::read_string(cell(&r, row, column)?)?;
        value_slot.write(s.as_ptr().cast());
        len_slot.write(s.len());
        Ok(())
    })
}

/// Reads a `blob` at (row, column), borrowed while the result lives.
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_get_blob(
    result: cqlb_result,
    row: usize,
    column: usize,
    out_value: *mut *const u8,
    out_len: *mut usize,
) -> cqlb_status {
    ffi_call(|| {
        let value_slot = out(out_value, "out_value")?;
        let len_slot = out(out_len, "out_len")?;
        let r = rows(result)?;
        let b = crate::convert::read_blob(cell(&r, row, column)?)?;
        value_slot.write(b.as_ptr());
        len_slot.write(b.len());
        Ok(())
    })
}

/// Reads a `uuid` or `timeuuid` at (row, column) into `out_uuid` (16 bytes, big-endian).
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_get_uuid(
    result: cqlb_result,
    row: usize,
    column: usize,
    out_uuid: *mut u8,
) -> cqlb_status {
    ffi_call(|| {
        if out_uuid.is_null() {
            return fail(cqlb_status::CQLB_NULL_ARGUMENT, "`out_uuid` is NULL");
        }
        let r = rows(result)?;
        let u = crate::convert::read_uuid(cell(&r, row, column)?)?;
        // SAFETY: the caller provides 16 writable bytes.
        unsafe { std::ptr::copy_nonoverlapping(u.as_ptr(), out_uuid, 16) };
        Ok(())
    })
}

/// Reads an `inet` at (row, column): 4 (IPv4) or 16 (IPv6) bytes into `out_address` (room
/// for 16), the length into `*out_len`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_get_inet(
    result: cqlb_result,
    row: usize,
    column: usize,
    out_address: *mut u8,
    out_len: *mut usize,
) -> cqlb_status {
    ffi_call(|| {
        if out_address.is_null() {
            return fail(cqlb_status::CQLB_NULL_ARGUMENT, "`out_address` is NULL");
        }
        let len_slot = out(out_len, "out_len")?;
        let r = rows(result)?;
        let bytes: Vec<u8> = match cell(&r, row, column)? {
            Value::Inet(std::net::IpAddr::V4(a)) => a.octets().to_vec(),
            Value::Inet(std::net::IpAddr::V6(a)) => a.octets().to_vec(),
            other => return wrong_type(other, "inet"),
        };
        // SAFETY: the caller provides 16 writable bytes.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), out_address, bytes.len()) };
        len_slot.write(bytes.len());
        Ok(())
    })
}

/// Reads a `duration` at (row, column).
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_get_duration(
    result: cqlb_result,
    row: usize,
    column: usize,
    out_months: *mut i32,
    out_days: *mut i32,
    out_nanos: *mut i64,
) -> cqlb_status {
    ffi_call(|| {
        let (m, d, n) = (
            out(out_months, "out_months")?,
            out(out_days, "out_days")?,
            out(out_nanos, "out_nanos")?,
        );
        let r = rows(result)?;
        match cell(&r, row, column)? {
            Value::Duration(x) => {
                m.write(x.months);
                d.write(x.days);
                n.write(x.nanoseconds);
                Ok(())
            }
            other => wrong_type(other, "duration"),
        }
    })
}

/// Reads a `decimal` or `varint` at (row, column) as decimal text (every digit kept),
/// borrowed while the result lives.
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_get_number_text(
    result: cqlb_result,
    row: usize,
    column: usize,
    out_text: *mut *const c_char,
    out_len: *mut usize,
) -> cqlb_status {
    ffi_call(|| {
        let text_slot = out(out_text, "out_text")?;
        let len_slot = out(out_len, "out_len")?;
        let r = rows(result)?;
        match cell(&r, row, column)? {
            Value::Decimal(_) | Value::Varint(_) => {}
            other => return wrong_type(other, "decimal or varint"),
        }
        // A number's text is its value's text: one cache entry serves both getters.
        let (ptr, len) = r.text(TextOf::Cell(row, column), || {
            Ok(cell(&r, row, column)?.to_string())
        })?;
        text_slot.write(ptr);
        len_slot.write(len);
        Ok(())
    })
}
