//! Reading inside collections, tuples, UDTs and vectors, without allocating: a value inside
//! the cell at (row, column) is named by a path of indexes, one per level. In a list, set,
//! vector or tuple, index i is the i-th element; in a map, index 2i is the i-th key and
//! 2i + 1 its value; in a UDT, index i is the i-th field (its name: `cqlb_result_element_name`).
//! `cqlb_result_element_count` tells how many indexes a level has.
//!
//! Errors as for the cell getters; an index out of range is `CQLB_INVALID_ARGUMENT`, a path
//! going into a scalar `CQLB_WRONG_TYPE`.

use std::ffi::c_char;

use cqlbridge_core::Value;

use crate::boundary::{fail, ffi_call, out, FfiResult};
use crate::result::{cell, cqlb_result, rows};
use crate::status::cqlb_status;

/// The children of a container value, by index.
fn child(v: &Value, i: usize) -> FfiResult<&Value> {
    let found = match v {
        Value::List(items) | Value::Set(items) | Value::Vector(items) | Value::Tuple(items) => {
            items.get(i)
        }
        Value::Map(entries) => entries
            .get(i / 2)
            .map(|(k, val)| if i.is_multiple_of(2) { k } else { val }),
        Value::Udt { fields, .. } => fields.get(i).map(|(_, val)| val),
        other => {
            return fail(
                cqlb_status::CQLB_WRONG_TYPE,
                format!("a {} has no elements", other.type_name()),
            )
        }
    };
    found.ok_or_else(|| {
        crate::boundary::Failure(
            cqlb_status::CQLB_INVALID_ARGUMENT,
            format!("element {i} is out of range"),
        )
    })
}

fn count(v: &Value) -> FfiResult<usize> {
    Ok(match v {
        Value::List(items) | Value::Set(items) | Value::Vector(items) | Value::Tuple(items) => {
            items.len()
        }
        Value::Map(entries) => entries.len() * 2,
        Value::Udt { fields, .. } => fields.len(),
        other => {
            return fail(
                cqlb_status::CQLB_WRONG_TYPE,
                format!("a {} has no elements", other.type_name()),
            )
        }
    })
}

/// The value at `path` (of `depth` indexes) inside `cell`.
fn at(cell: &Value, path: *const usize, depth: usize) -> FfiResult<&Value> {
    if path.is_null() && depth > 0 {
        return fail(cqlb_status::CQLB_NULL_ARGUMENT, "`path` is NULL");
    }
    // SAFETY: the caller provides `depth` readable indexes at `path`.
    let path = if depth == 0 {
        &[][..]
    } else {
        unsafe { std::slice::from_raw_parts(path, depth) }
    };
    let mut v = cell;
    for &i in path {
        v = child(v, i)?;
    }
    Ok(v)
}

fn non_null(v: &Value) -> FfiResult<&Value> {
    if v.is_null() {
        return fail(cqlb_status::CQLB_NULL_VALUE, "the element is null");
    }
    Ok(v)
}

/// How many indexes the level at `path` has (`depth` 0: the cell itself).
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_element_count(
    result: cqlb_result,
    row: usize,
    column: usize,
    path: *const usize,
    depth: usize,
    out_count: *mut usize,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_count, "out_count")?;
        let r = rows(result)?;
        slot.write(count(at(cell(&r, row, column)?, path, depth)?)?);
        Ok(())
    })
}

/// Whether the element at `path` is null (tuple elements and UDT fields may be).
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_element_is_null(
    result: cqlb_result,
    row: usize,
    column: usize,
    path: *const usize,
    depth: usize,
    out_null: *mut bool,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_null, "out_null")?;
        let r = rows(result)?;
        slot.write(at(cell(&r, row, column)?, path, depth)?.is_null());
        Ok(())
    })
}

/// The name of the UDT field at `path` (its last index names a field of a UDT), borrowed
/// while the result lives.
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_element_name(
    result: cqlb_result,
    row: usize,
    column: usize,
    path: *const usize,
    depth: usize,
    out_name: *mut *const c_char,
    out_len: *mut usize,
) -> cqlb_status {
    ffi_call(|| {
        let (n, l) = (out(out_name, "out_name")?, out(out_len, "out_len")?);
        if depth == 0 || path.is_null() {
            return fail(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                "a field name needs a path to the field",
            );
        }
        let r = rows(result)?;
        let parent = at(cell(&r, row, column)?, path, depth - 1)?;
        let i = *path.add(depth - 1);
        match parent {
            Value::Udt { fields, .. } => match fields.get(i) {
                Some((name, _)) => {
                    n.write(name.as_ptr().cast());
                    l.write(name.len());
                    Ok(())
                }
                None => fail(
                    cqlb_status::CQLB_INVALID_ARGUMENT,
                    format!("field {i} is out of range"),
                ),
            },
            other => fail(
                cqlb_status::CQLB_WRONG_TYPE,
                format!("a {} has no named fields", other.type_name()),
            ),
        }
    })
}

/// Reads text at `path`, borrowed while the result lives.
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_element_get_string(
    result: cqlb_result,
    row: usize,
    column: usize,
    path: *const usize,
    depth: usize,
    out_value: *mut *const c_char,
    out_len: *mut usize,
) -> cqlb_status {
    ffi_call(|| {
        let (value_slot, len_slot) = (out(out_value, "out_value")?, out(out_len, "out_len")?);
        let r = rows(result)?;
        let s = crate::convert::read_string(non_null(at(cell(&r, row, column)?, path, depth)?)?)?;
        value_slot.write(s.as_ptr().cast());
        len_slot.write(s.len());
        Ok(())
    })
}

/// Reads a uuid or timeuuid at `path` into `out_uuid` (16 bytes).
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_element_get_uuid(
    result: cqlb_result,
    row: usize,
    column: usize,
    path: *const usize,
    depth: usize,
    out_uuid: *mut u8,
) -> cqlb_status {
    ffi_call(|| {
        if out_uuid.is_null() {
            return fail(cqlb_status::CQLB_NULL_ARGUMENT, "`out_uuid` is NULL");
        }
        let r = rows(result)?;
        let u = crate::convert::read_uuid(non_null(at(cell(&r, row, column)?, path, depth)?)?)?;
        std::ptr::copy_nonoverlapping(u.as_ptr(), out_uuid, 16);
        Ok(())
    })
}

/// Reads the element at `path` as with `cqlb_result_get_bool`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_element_get_bool(
    result: cqlb_result,
    row: usize,
    column: usize,
    path: *const usize,
    depth: usize,
    out_value: *mut bool,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_value, "out_value")?;
        let r = rows(result)?;
        slot.write(crate::convert::read_bool(non_null(at(
            cell(&r, row, column)?,
            path,
            depth,
        )?)?)?);
        Ok(())
    })
}

/// Reads the element at `path` as with `cqlb_result_get_int8`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_element_get_int8(
    result: cqlb_result,
    row: usize,
    column: usize,
    path: *const usize,
    depth: usize,
    out_value: *mut i8,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_value, "out_value")?;
        let r = rows(result)?;
        slot.write(crate::convert::read_int8(non_null(at(
            cell(&r, row, column)?,
            path,
            depth,
        )?)?)?);
        Ok(())
    })
}

/// Reads the element at `path` as with `cqlb_result_get_int16`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_element_get_int16(
    result: cqlb_result,
    row: usize,
    column: usize,
    path: *const usize,
    depth: usize,
    out_value: *mut i16,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_value, "out_value")?;
        let r = rows(result)?;
        slot.write(crate::convert::read_int16(non_null(at(
            cell(&r, row, column)?,
            path,
            depth,
        )?)?)?);
        Ok(())
    })
}

/// Reads the element at `path` as with `cqlb_result_get_int32`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_element_get_int32(
    result: cqlb_result,
    row: usize,
    column: usize,
    path: *const usize,
    depth: usize,
    out_value: *mut i32,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_value, "out_value")?;
        let r = rows(result)?;
        slot.write(crate::convert::read_int32(non_null(at(
            cell(&r, row, column)?,
            path,
            depth,
        )?)?)?);
        Ok(())
    })
}

/// Reads the element at `path` as with `cqlb_result_get_int64`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_element_get_int64(
    result: cqlb_result,
    row: usize,
    column: usize,
    path: *const usize,
    depth: usize,
    out_value: *mut i64,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_value, "out_value")?;
        let r = rows(result)?;
        slot.write(crate::convert::read_int64(non_null(at(
            cell(&r, row, column)?,
            path,
            depth,
        )?)?)?);
        Ok(())
    })
}

/// Reads the element at `path` as with `cqlb_result_get_float`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_element_get_float(
    result: cqlb_result,
    row: usize,
    column: usize,
    path: *const usize,
    depth: usize,
    out_value: *mut f32,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_value, "out_value")?;
        let r = rows(result)?;
        slot.write(crate::convert::read_float(non_null(at(
            cell(&r, row, column)?,
            path,
            depth,
        )?)?)?);
        Ok(())
    })
}

/// Reads the element at `path` as with `cqlb_result_get_double`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_element_get_double(
    result: cqlb_result,
    row: usize,
    column: usize,
    path: *const usize,
    depth: usize,
    out_value: *mut f64,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_value, "out_value")?;
        let r = rows(result)?;
        slot.write(crate::convert::read_double(non_null(at(
            cell(&r, row, column)?,
            path,
            depth,
        )?)?)?);
        Ok(())
    })
}

/// Reads the element at `path` as with `cqlb_result_get_date`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_element_get_date(
    result: cqlb_result,
    row: usize,
    column: usize,
    path: *const usize,
    depth: usize,
    out_value: *mut i32,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_value, "out_value")?;
        let r = rows(result)?;
        slot.write(crate::convert::read_date(non_null(at(
            cell(&r, row, column)?,
            path,
            depth,
        )?)?)?);
        Ok(())
    })
}

/// Reads the element at `path` as with `cqlb_result_get_time`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_element_get_time(
    result: cqlb_result,
    row: usize,
    column: usize,
    path: *const usize,
    depth: usize,
    out_value: *mut i64,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_value, "out_value")?;
        let r = rows(result)?;
        slot.write(crate::convert::read_time(non_null(at(
            cell(&r, row, column)?,
            path,
            depth,
        )?)?)?);
        Ok(())
    })
}

/// Reads the element at `path` as with `cqlb_result_get_timestamp`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_result_element_get_timestamp(
    result: cqlb_result,
    row: usize,
    column: usize,
    path: *const usize,
    depth: usize,
    out_value: *mut i64,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_value, "out_value")?;
        let r = rows(result)?;
        slot.write(crate::convert::read_timestamp(non_null(at(
            cell(&r, row, column)?,
            path,
            depth,
        )?)?)?);
        Ok(())
    })
}
