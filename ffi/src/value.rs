//! Values built piece by piece for collections, tuples, UDTs and vectors, bound with
//! `cqlb_statement_bind_value`. A builder is a list, set, map (append key, value, key, value,
//! ...), tuple (elements in order; null allowed), UDT (name each field with
//! `cqlb_value_field` before appending its value) or vector. Builders nest: append one
//! builder to another with `cqlb_value_append_value` (its value is copied).
//!
//! (The appenders are written out one by one so that cbindgen sees them; they all go through
//! `append`.)

use std::ffi::c_char;
use std::net::IpAddr;
use std::sync::Mutex;

use cqlbridge_core::Value;

use crate::boundary::{
    bytes_arg, fail, ffi_call, out, parse, release, resolve, str_arg, Failure, FfiResult,
};
use crate::handle::{Kind, REGISTRY};
use crate::status::cqlb_status;

/// A collection, tuple, UDT or vector value under construction.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct cqlb_value {
    /// The handle; 0 is never valid.
    pub handle: u64,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Shape {
    List,
    Set,
    Map,
    Tuple,
    Udt,
    Vector,
}

struct Builder {
    shape: Shape,
    items: Vec<Value>,
    names: Vec<String>,
    next_name: Option<String>,
}

pub(crate) struct FfiValue(Mutex<Builder>);

impl FfiValue {
    /// The value built so far.
    pub(crate) fn value(&self) -> Value {
        let b = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match b.shape {
            Shape::List => Value::List(b.items.clone()),
            Shape::Set => Value::Set(b.items.clone()),
            Shape::Vector => Value::Vector(b.items.clone()),
            Shape::Tuple => Value::Tuple(b.items.clone()),
            Shape::Map => Value::Map(
                b.items
                    .chunks(2)
                    .map(|kv| (kv[0].clone(), kv.get(1).cloned().unwrap_or(Value::Null)))
                    .collect(),
            ),
            Shape::Udt => Value::Udt {
                keyspace: String::new(),
                name: String::new(),
                fields: b
                    .names
                    .iter()
                    .cloned()
                    .zip(b.items.iter().cloned())
                    .collect(),
            },
        }
    }
}

fn new_value(shape: Shape, out_value: *mut cqlb_value) -> FfiResult {
    // SAFETY: passed on from the export's caller.
    let slot = unsafe { out(out_value, "out_value")? };
    let b = Builder {
        shape,
        items: Vec::new(),
        names: Vec::new(),
        next_name: None,
    };
    slot.write(cqlb_value {
        handle: REGISTRY.insert(Kind::Value, FfiValue(Mutex::new(b))),
    });
    Ok(())
}

fn append(v: cqlb_value, value: Value) -> FfiResult {
    let b = resolve::<FfiValue>(v.handle, Kind::Value)?;
    let mut b = b.0.lock().unwrap_or_else(|p| p.into_inner());
    match b.shape {
        Shape::Udt => {
            let Some(name) = b.next_name.take() else {
                return fail(
                    cqlb_status::CQLB_INVALID_ARGUMENT,
                    "name the UDT field with cqlb_value_field before its value",
                );
            };
            b.names.push(name);
        }
        Shape::List | Shape::Set | Shape::Vector if value.is_null() => {
            return fail(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                "a collection element cannot be null",
            );
        }
        Shape::Map if value.is_null() && b.items.len().is_multiple_of(2) => {
            return fail(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                "a map key cannot be null",
            );
        }
        _ => {}
    }
    b.items.push(value);
    Ok(())
}

/// Starts a `list` value.
#[no_mangle]
pub unsafe extern "C" fn cqlb_value_new_list(out_value: *mut cqlb_value) -> cqlb_status {
    ffi_call(|| new_value(Shape::List, out_value))
}

/// Starts a `set` value.
#[no_mangle]
pub unsafe extern "C" fn cqlb_value_new_set(out_value: *mut cqlb_value) -> cqlb_status {
    ffi_call(|| new_value(Shape::Set, out_value))
}

/// Starts a `map` value: append a key, then its value, and so on.
#[no_mangle]
pub unsafe extern "C" fn cqlb_value_new_map(out_value: *mut cqlb_value) -> cqlb_status {
    ffi_call(|| new_value(Shape::Map, out_value))
}

/// Starts a `tuple` value: append its elements in order (null allowed).
#[no_mangle]
pub unsafe extern "C" fn cqlb_value_new_tuple(out_value: *mut cqlb_value) -> cqlb_status {
    ffi_call(|| new_value(Shape::Tuple, out_value))
}

/// Starts a user-defined type value: `cqlb_value_field` names each field, then its value is
/// appended. Fields left out are null.
#[no_mangle]
pub unsafe extern "C" fn cqlb_value_new_udt(out_value: *mut cqlb_value) -> cqlb_status {
    ffi_call(|| new_value(Shape::Udt, out_value))
}

/// Starts a `vector` value.
#[no_mangle]
pub unsafe extern "C" fn cqlb_value_new_vector(out_value: *mut cqlb_value) -> cqlb_status {
    ffi_call(|| new_value(Shape::Vector, out_value))
}

/// Names the next field of a UDT value (`len` bytes of UTF-8).
#[no_mangle]
pub unsafe extern "C" fn cqlb_value_field(
    value: cqlb_value,
    name: *const c_char,
    len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, len, "name")?.to_owned();
        let b = resolve::<FfiValue>(value.handle, Kind::Value)?;
        let mut b = b.0.lock().unwrap_or_else(|p| p.into_inner());
        if b.shape != Shape::Udt {
            return fail(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                "only UDT values have named fields",
            );
        }
        b.next_name = Some(name);
        Ok(())
    })
}

/// Appends a copy of another builder's value (nesting).
#[no_mangle]
pub extern "C" fn cqlb_value_append_value(value: cqlb_value, element: cqlb_value) -> cqlb_status {
    ffi_call(|| {
        let inner = resolve::<FfiValue>(element.handle, Kind::Value)?.value();
        append(value, inner)
    })
}

/// Frees a value builder (values already bound or appended are copies).
#[no_mangle]
pub extern "C" fn cqlb_value_free(value: cqlb_value) -> cqlb_status {
    ffi_call(|| release(value.handle, Kind::Value))
}

/// Appends null (tuples, UDT fields, map values).
#[no_mangle]
pub extern "C" fn cqlb_value_append_null(value: cqlb_value) -> cqlb_status {
    ffi_call(|| {
        let element = Value::Null;
        append(value, element)
    })
}

/// Appends a `boolean`.
#[no_mangle]
pub extern "C" fn cqlb_value_append_bool(value: cqlb_value, v: bool) -> cqlb_status {
    ffi_call(|| {
        let element = Value::Boolean(v);
        append(value, element)
    })
}

/// Appends a `tinyint`.
#[no_mangle]
pub extern "C" fn cqlb_value_append_int8(value: cqlb_value, v: i8) -> cqlb_status {
    ffi_call(|| {
        let element = Value::TinyInt(v);
        append(value, element)
    })
}

/// Appends a `smallint`.
#[no_mangle]
pub extern "C" fn cqlb_value_append_int16(value: cqlb_value, v: i16) -> cqlb_status {
    ffi_call(|| {
        let element = Value::SmallInt(v);
        append(value, element)
    })
}

/// Appends an `int`.
#[no_mangle]
pub extern "C" fn cqlb_value_append_int32(value: cqlb_value, v: i32) -> cqlb_status {
    ffi_call(|| {
        let element = Value::Int(v);
        append(value, element)
    })
}

/// Appends a `bigint`.
#[no_mangle]
pub extern "C" fn cqlb_value_append_int64(value: cqlb_value, v: i64) -> cqlb_status {
    ffi_call(|| {
        let element = Value::BigInt(v);
        append(value, element)
    })
}

/// Appends a `float`.
#[no_mangle]
pub extern "C" fn cqlb_value_append_float(value: cqlb_value, v: f32) -> cqlb_status {
    ffi_call(|| {
        let element = Value::Float(v);
        append(value, element)
    })
}

/// Appends a `double`.
#[no_mangle]
pub extern "C" fn cqlb_value_append_double(value: cqlb_value, v: f64) -> cqlb_status {
    ffi_call(|| {
        let element = Value::Double(v);
        append(value, element)
    })
}

/// Appends a `text` of `len` bytes of UTF-8.
#[no_mangle]
pub unsafe extern "C" fn cqlb_value_append_string(
    value: cqlb_value,
    v: *const c_char,
    len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let element = Value::Text(str_arg(v, len, "v")?.to_owned());
        append(value, element)
    })
}

/// Appends a `blob` of `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn cqlb_value_append_blob(
    value: cqlb_value,
    v: *const u8,
    len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let element = Value::Blob(bytes_arg(v, len, "v")?.to_vec());
        append(value, element)
    })
}

/// Appends a `uuid` (16 bytes).
#[no_mangle]
pub unsafe extern "C" fn cqlb_value_append_uuid(value: cqlb_value, v: *const u8) -> cqlb_status {
    ffi_call(|| {
        let element = Value::Uuid(
            uuid::Uuid::from_slice(bytes_arg(v, 16, "v")?)
                .map_err(|e| Failure(cqlb_status::CQLB_INVALID_ARGUMENT, e.to_string()))?,
        );
        append(value, element)
    })
}

/// Appends an `inet` written as text.
#[no_mangle]
pub unsafe extern "C" fn cqlb_value_append_inet(
    value: cqlb_value,
    v: *const c_char,
    len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let element = Value::Inet(parse::<IpAddr>(str_arg(v, len, "v")?, "IP address")?);
        append(value, element)
    })
}

/// Appends a `date` (days since 1970-01-01).
#[no_mangle]
pub extern "C" fn cqlb_value_append_date(value: cqlb_value, days: i32) -> cqlb_status {
    ffi_call(|| {
        let element = Value::Date(days);
        append(value, element)
    })
}

/// Appends a `timestamp` (ms since the epoch).
#[no_mangle]
pub extern "C" fn cqlb_value_append_timestamp(value: cqlb_value, millis: i64) -> cqlb_status {
    ffi_call(|| {
        let element = Value::Timestamp(millis);
        append(value, element)
    })
}

/// Appends a `timeuuid` (16 bytes, a version-1 UUID).
#[no_mangle]
pub unsafe extern "C" fn cqlb_value_append_timeuuid(
    value: cqlb_value,
    v: *const u8,
) -> cqlb_status {
    ffi_call(|| {
        let element = Value::Timeuuid(
            uuid::Uuid::from_slice(bytes_arg(v, 16, "v")?)
                .map_err(|e| Failure(cqlb_status::CQLB_INVALID_ARGUMENT, e.to_string()))?,
        );
        append(value, element)
    })
}

/// Appends a `time` (nanoseconds since midnight).
#[no_mangle]
pub extern "C" fn cqlb_value_append_time(value: cqlb_value, nanos: i64) -> cqlb_status {
    ffi_call(|| {
        let element = Value::Time(nanos);
        append(value, element)
    })
}

/// Appends a `duration`.
#[no_mangle]
pub extern "C" fn cqlb_value_append_duration(
    value: cqlb_value,
    months: i32,
    days: i32,
    nanos: i64,
) -> cqlb_status {
    ffi_call(|| {
        let element = Value::Duration(cqlbridge_core::Duration {
            months,
            days,
            nanoseconds: nanos,
        });
        append(value, element)
    })
}

/// Appends a `decimal` written as text.
#[no_mangle]
pub unsafe extern "C" fn cqlb_value_append_decimal(
    value: cqlb_value,
    v: *const c_char,
    len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let element = Value::Decimal(parse::<bigdecimal::BigDecimal>(
            str_arg(v, len, "v")?,
            "decimal",
        )?);
        append(value, element)
    })
}

/// Appends a `varint` written as text.
#[no_mangle]
pub unsafe extern "C" fn cqlb_value_append_varint(
    value: cqlb_value,
    v: *const c_char,
    len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let element = Value::Varint(parse::<num_bigint::BigInt>(
            str_arg(v, len, "v")?,
            "varint",
        )?);
        append(value, element)
    })
}
