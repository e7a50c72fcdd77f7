//! Reading scalar values for the typed getters of results and of their elements: each
//! accepts its type and the narrower ones it widens from.

use cqlbridge_core::Value;

use crate::boundary::{fail, FfiResult};
use crate::status::cqlb_status;

fn wrong_type<T>(v: &Value, wanted: &str) -> FfiResult<T> {
    fail(
        cqlb_status::CQLB_WRONG_TYPE,
        format!("the value is a {}, not a {wanted}", v.type_name()),
    )
}

/// Reads a `boolean`.
pub(crate) fn read_bool(v: &Value) -> FfiResult<bool> {
    Ok(match v {
        Value::Boolean(b) => *b,
        other => return wrong_type(other, "bool"),
    })
}

/// Reads a `tinyint`.
pub(crate) fn read_int8(v: &Value) -> FfiResult<i8> {
    Ok(match v {
        Value::TinyInt(i) => *i,
        other => return wrong_type(other, "int8"),
    })
}

/// Reads a `smallint` (or `tinyint`).
pub(crate) fn read_int16(v: &Value) -> FfiResult<i16> {
    Ok(match v {
        Value::SmallInt(i) => *i,
        Value::TinyInt(i) => i16::from(*i),
        other => return wrong_type(other, "int16"),
    })
}

/// Reads an `int` (or a narrower integer).
pub(crate) fn read_int32(v: &Value) -> FfiResult<i32> {
    Ok(match v {
        Value::Int(i) => *i,
        Value::SmallInt(i) => i32::from(*i),
        Value::TinyInt(i) => i32::from(*i),
        other => return wrong_type(other, "int32"),
    })
}

/// Reads a `bigint`, `counter` or narrower integer.
pub(crate) fn read_int64(v: &Value) -> FfiResult<i64> {
    Ok(match v {
        Value::BigInt(i) | Value::Counter(i) => *i,
        Value::Int(i) => i64::from(*i),
        Value::SmallInt(i) => i64::from(*i),
        Value::TinyInt(i) => i64::from(*i),
        other => return wrong_type(other, "int64"),
    })
}

/// Reads a `float`.
pub(crate) fn read_float(v: &Value) -> FfiResult<f32> {
    Ok(match v {
        Value::Float(f) => *f,
        other => return wrong_type(other, "float"),
    })
}

/// Reads a `double` (or `float`).
pub(crate) fn read_double(v: &Value) -> FfiResult<f64> {
    Ok(match v {
        Value::Double(f) => *f,
        Value::Float(f) => f64::from(*f),
        other => return wrong_type(other, "double"),
    })
}

/// Reads a `date` (days since 1970-01-01).
pub(crate) fn read_date(v: &Value) -> FfiResult<i32> {
    Ok(match v {
        Value::Date(d) => *d,
        other => return wrong_type(other, "date"),
    })
}

/// Reads a `time` (nanoseconds since midnight).
pub(crate) fn read_time(v: &Value) -> FfiResult<i64> {
    Ok(match v {
        Value::Time(t) => *t,
        other => return wrong_type(other, "time"),
    })
}

/// Reads a `timestamp` (milliseconds since the Unix epoch).
pub(crate) fn read_timestamp(v: &Value) -> FfiResult<i64> {
    Ok(match v {
        Value::Timestamp(t) => *t,
        other => return wrong_type(other, "timestamp"),
    })
}

/// Reads text (`text`, `varchar`, `ascii`).
pub(crate) fn read_string(v: &Value) -> FfiResult<&str> {
    match v {
        Value::Text(s) | Value::Ascii(s) => Ok(s),
        other => wrong_type(other, "text"),
    }
}

/// Reads a `blob`.
pub(crate) fn read_blob(v: &Value) -> FfiResult<&[u8]> {
    match v {
        Value::Blob(b) => Ok(b),
        other => wrong_type(other, "blob"),
    }
}

/// Reads a `uuid` or `timeuuid`.
pub(crate) fn read_uuid(v: &Value) -> FfiResult<&[u8; 16]> {
    match v {
        Value::Uuid(u) | Value::Timeuuid(u) => Ok(u.as_bytes()),
        other => wrong_type(other, "uuid"),
    }
}
