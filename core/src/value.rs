//! [`Value`]: the one dynamic CQL value, and its conversion to and from the protocol's types.
//!
//! Pure: no runtime, no network. Binding is type-directed: a value is converted to the type
//! the server declared for its marker, so an integer binds to any integer column that can
//! hold it, text binds to `ascii` when it is ASCII, a UUID binds to `timeuuid` when it is a
//! version-1 UUID, and so on. What does not fit is refused with a message that says why,
//! before anything is sent.

use std::net::IpAddr;

use bigdecimal::BigDecimal;
use num_bigint::BigInt;
use scylla::frame::response::result::{CollectionType, ColumnType, NativeType};
use scylla::value::{
    Counter, CqlDate, CqlDecimal, CqlDuration, CqlTime, CqlTimestamp, CqlTimeuuid, CqlValue,
    CqlVarint, MaybeUnset,
};
use uuid::Uuid;

use crate::types::CqlType;

/// Offset of CQL's `date` encoding: day 2^31 is 1970-01-01.
const DATE_EPOCH_OFFSET: i64 = 1 << 31;
/// Nanoseconds in a day: the exclusive upper bound of a CQL `time`.
const NANOS_PER_DAY: i64 = 86_400 * 1_000_000_000;

/// A CQL duration: months, days and nanoseconds, each signed, all of one sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Duration {
    /// Months.
    pub months: i32,
    /// Days.
    pub days: i32,
    /// Nanoseconds.
    pub nanoseconds: i64,
}

/// Any CQL value, including null and unset.
///
/// Temporal values are plain numbers: `Date` counts days since 1970-01-01, `Time`
/// nanoseconds since midnight, `Timestamp` milliseconds since the Unix epoch (UTC).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Value {
    /// CQL null.
    Null,
    /// Not set: a bound marker that leaves the column as it is (protocol v4+).
    Unset,
    /// A zero-length value of a non-string type (a legacy of Thrift-era tables).
    Empty,
    /// `ascii`
    Ascii(String),
    /// `text` / `varchar`
    Text(String),
    /// `boolean`
    Boolean(bool),
    /// `tinyint`
    TinyInt(i8),
    /// `smallint`
    SmallInt(i16),
    /// `int`
    Int(i32),
    /// `bigint`
    BigInt(i64),
    /// `counter`
    Counter(i64),
    /// `varint`
    Varint(BigInt),
    /// `float`
    Float(f32),
    /// `double`
    Double(f64),
    /// `decimal`
    Decimal(BigDecimal),
    /// `blob`
    Blob(Vec<u8>),
    /// `uuid`
    Uuid(Uuid),
    /// `timeuuid`
    Timeuuid(Uuid),
    /// `inet`
    Inet(IpAddr),
    /// `date`: days since 1970-01-01 (negative before).
    Date(i32),
    /// `time`: nanoseconds since midnight, 0 to 86399999999999.
    Time(i64),
    /// `timestamp`: milliseconds since 1970-01-01T00:00:00Z.
    Timestamp(i64),
    /// `duration`
    Duration(Duration),
    /// `list<T>`
    List(Vec<Value>),
    /// `set<T>`
    Set(Vec<Value>),
    /// `map<K, V>`, in the server's order.
    Map(Vec<(Value, Value)>),
    /// `tuple<...>`: elements may be [`Value::Null`].
    Tuple(Vec<Value>),
    /// A user-defined type's value: fields by name, [`Value::Null`] for a missing field.
    Udt {
        /// Keyspace of the type (informative when binding; the marker's type decides).
        keyspace: String,
        /// Type name (informative when binding).
        name: String,
        /// Field values by name.
        fields: Vec<(String, Value)>,
    },
    /// `vector<T, n>`
    Vector(Vec<Value>),
}

/// Why a value could not be converted to a CQL type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValueError(pub String);

fn mismatch<T>(v: &Value, typ: &ColumnType<'_>) -> Result<T, ValueError> {
    Err(ValueError(format!(
        "a {} value cannot be bound to {}",
        v.type_name(),
        CqlType::from(typ)
    )))
}

impl Value {
    /// A short name of the value's variant, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Unset => "unset",
            Value::Empty => "empty",
            Value::Ascii(_) => "ascii",
            Value::Text(_) => "text",
            Value::Boolean(_) => "boolean",
            Value::TinyInt(_) => "tinyint",
            Value::SmallInt(_) => "smallint",
            Value::Int(_) => "int",
            Value::BigInt(_) => "bigint",
            Value::Counter(_) => "counter",
            Value::Varint(_) => "varint",
            Value::Float(_) => "float",
            Value::Double(_) => "double",
            Value::Decimal(_) => "decimal",
            Value::Blob(_) => "blob",
            Value::Uuid(_) => "uuid",
            Value::Timeuuid(_) => "timeuuid",
            Value::Inet(_) => "inet",
            Value::Date(_) => "date",
            Value::Time(_) => "time",
            Value::Timestamp(_) => "timestamp",
            Value::Duration(_) => "duration",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Map(_) => "map",
            Value::Tuple(_) => "tuple",
            Value::Udt { .. } => "user-defined type",
            Value::Vector(_) => "vector",
        }
    }

    /// Whether this is [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The value as a big integer, when it is any integer variant.
    fn as_integer(&self) -> Option<BigInt> {
        Some(match self {
            Value::TinyInt(v) => BigInt::from(*v),
            Value::SmallInt(v) => BigInt::from(*v),
            Value::Int(v) => BigInt::from(*v),
            Value::BigInt(v) | Value::Counter(v) => BigInt::from(*v),
            Value::Varint(v) => v.clone(),
            _ => return None,
        })
    }

    /// The value as an `i64`, when it is an integer variant that fits.
    fn as_i64(&self) -> Option<Result<i64, BigInt>> {
        Some(match self {
            Value::TinyInt(v) => Ok(i64::from(*v)),
            Value::SmallInt(v) => Ok(i64::from(*v)),
            Value::Int(v) => Ok(i64::from(*v)),
            Value::BigInt(v) | Value::Counter(v) => Ok(*v),
            Value::Varint(v) => i64::try_from(v).map_err(|_| v.clone()),
            _ => return None,
        })
    }

    /// Converts the value to the protocol value for a marker of type `typ`.
    /// `Ok(None)` is null. [`Value::Unset`] is refused here: it is only meaningful for a
    /// whole bound marker, which [`bind_value`] handles.
    pub fn to_cql(&self, typ: &ColumnType<'_>) -> Result<Option<CqlValue>, ValueError> {
        match self {
            Value::Null => return Ok(None),
            Value::Unset => {
                return Err(ValueError(
                    "unset is only allowed for a whole bound value, not inside a collection, tuple or UDT"
                        .into(),
                ))
            }
            Value::Empty => {
                // Every type but counters, durations, collections and UDTs has an empty value
                // (what a zero-length tuple or vector also reads back as).
                return if typ.supports_special_empty_value() {
                    Ok(Some(CqlValue::Empty))
                } else {
                    mismatch(self, typ)
                };
            }
            _ => {}
        }
        let v = match typ {
            ColumnType::Native(n) => self.to_native(n, typ)?,
            ColumnType::Collection { typ: coll, .. } => match coll {
                CollectionType::List(e) => CqlValue::List(self.elements(e, typ)?),
                CollectionType::Set(e) => CqlValue::Set(self.elements(e, typ)?),
                CollectionType::Map(kt, vt) => match self {
                    Value::Map(entries) => CqlValue::Map(
                        entries
                            .iter()
                            .map(|(k, v)| {
                                Ok((element(k, kt, "map key")?, element(v, vt, "map value")?))
                            })
                            .collect::<Result<_, ValueError>>()?,
                    ),
                    _ => return mismatch(self, typ),
                },
                _ => return mismatch(self, typ),
            },
            ColumnType::Vector {
                typ: et,
                dimensions,
            } => {
                let items = self.elements(et, typ)?;
                // A vector's elements are written without the length that would tell an
                // empty one (fixed-size elements: not at all), so an empty one cannot be read.
                if items.iter().any(|i| matches!(i, CqlValue::Empty)) {
                    return Err(ValueError(format!(
                        "a {} element cannot be empty",
                        CqlType::from(typ)
                    )));
                }
                if items.len() != usize::from(*dimensions) {
                    return Err(ValueError(format!(
                        "{} has {} dimensions, the value has {} elements",
                        CqlType::from(typ),
                        dimensions,
                        items.len()
                    )));
                }
                CqlValue::Vector(items)
            }
            ColumnType::Tuple(types) => match self {
                Value::Tuple(items) | Value::List(items) => {
                    if items.len() > types.len() {
                        return Err(ValueError(format!(
                            "{} has {} elements, the value has {}",
                            CqlType::from(typ),
                            types.len(),
                            items.len()
                        )));
                    }
                    let mut elements = items
                        .iter()
                        .zip(types)
                        .map(|(v, t)| v.to_cql(t))
                        .collect::<Result<Vec<_>, _>>()?;
                    // Missing trailing elements are null, as the server reads them back.
                    elements.resize(types.len(), None);
                    CqlValue::Tuple(elements)
                }
                _ => return mismatch(self, typ),
            },
            ColumnType::UserDefinedType { definition, .. } => {
                let named: Vec<(&str, &Value)> = match self {
                    Value::Udt { fields, .. } => {
                        fields.iter().map(|(n, v)| (n.as_str(), v)).collect()
                    }
                    // Fields in declaration order (a tuple, or a named tuple in Python).
                    Value::Tuple(items) => {
                        if items.len() > definition.field_types.len() {
                            return Err(ValueError(format!(
                                "type {}.{} has {} fields, the value has {}",
                                definition.keyspace,
                                definition.name,
                                definition.field_types.len(),
                                items.len()
                            )));
                        }
                        definition
                            .field_types
                            .iter()
                            .zip(items)
                            .map(|((n, _), v)| (n.as_ref(), v))
                            .collect()
                    }
                    // Fields by name, as a map keyed by text.
                    Value::Map(entries) => entries
                        .iter()
                        .map(|(k, v)| match k {
                            Value::Text(n) | Value::Ascii(n) => Ok((n.as_str(), v)),
                            other => Err(ValueError(format!(
                                "a map bound to a user-defined type needs text keys, not {}",
                                other.type_name()
                            ))),
                        })
                        .collect::<Result<_, _>>()?,
                    _ => return mismatch(self, typ),
                };
                if let Some((unknown, _)) = named
                    .iter()
                    .find(|(n, _)| !definition.field_types.iter().any(|(f, _)| f == n))
                {
                    return Err(ValueError(format!(
                        "type {}.{} has no field {unknown:?}",
                        definition.keyspace, definition.name
                    )));
                }
                let fields = definition
                    .field_types
                    .iter()
                    .map(|(name, ft)| {
                        let v = named.iter().find(|(n, _)| n == name).map(|(_, v)| *v);
                        Ok((
                            name.to_string(),
                            v.map(|v| v.to_cql(ft)).transpose()?.flatten(),
                        ))
                    })
                    .collect::<Result<_, ValueError>>()?;
                CqlValue::UserDefinedType {
                    keyspace: definition.keyspace.to_string(),
                    name: definition.name.to_string(),
                    fields,
                }
            }
            _ => return mismatch(self, typ),
        };
        Ok(Some(v))
    }

    fn elements(
        &self,
        et: &ColumnType<'_>,
        typ: &ColumnType<'_>,
    ) -> Result<Vec<CqlValue>, ValueError> {
        match self {
            Value::List(items) | Value::Set(items) | Value::Vector(items) => items
                .iter()
                .map(|v| element(v, et, "collection element"))
                .collect(),
            _ => mismatch(self, typ),
        }
    }

    fn to_native(&self, n: &NativeType, typ: &ColumnType<'_>) -> Result<CqlValue, ValueError> {
        let out_of_range = |what: &dyn std::fmt::Display| {
            ValueError(format!("{what} is out of range for {}", CqlType::from(typ)))
        };
        let int = |lo: i64, hi: i64| -> Result<i64, ValueError> {
            match self.as_i64() {
                Some(Ok(v)) if (lo..=hi).contains(&v) => Ok(v),
                Some(Ok(v)) => Err(out_of_range(&v)),
                Some(Err(big)) => Err(out_of_range(&big)),
                None => mismatch(self, typ),
            }
        };
        Ok(match (n, self) {
            (NativeType::Ascii, Value::Text(s) | Value::Ascii(s)) => {
                if !s.is_ascii() {
                    return Err(ValueError(
                        "the text has non-ASCII characters, the column is ascii".into(),
                    ));
                }
                CqlValue::Ascii(s.clone())
            }
            (NativeType::Text, Value::Text(s) | Value::Ascii(s)) => CqlValue::Text(s.clone()),
            (NativeType::Boolean, Value::Boolean(b)) => CqlValue::Boolean(*b),
            (NativeType::TinyInt, _) => {
                CqlValue::TinyInt(int(i8::MIN.into(), i8::MAX.into())? as i8)
            }
            (NativeType::SmallInt, _) => {
                CqlValue::SmallInt(int(i16::MIN.into(), i16::MAX.into())? as i16)
            }
            (NativeType::Int, _) => CqlValue::Int(int(i32::MIN.into(), i32::MAX.into())? as i32),
            (NativeType::BigInt, _) => CqlValue::BigInt(int(i64::MIN, i64::MAX)?),
            (NativeType::Counter, _) => CqlValue::Counter(Counter(int(i64::MIN, i64::MAX)?)),
            (NativeType::Varint, v) => match v.as_integer() {
                Some(b) => CqlValue::Varint(CqlVarint::from(b)),
                None => return mismatch(self, typ),
            },
            (NativeType::Float, Value::Float(f)) => CqlValue::Float(*f),
            // Narrowing a double to float rounds, as every driver does for float columns.
            (NativeType::Float, Value::Double(f)) => CqlValue::Float(*f as f32),
            (NativeType::Double, Value::Double(f)) => CqlValue::Double(*f),
            (NativeType::Double, Value::Float(f)) => CqlValue::Double(f64::from(*f)),
            (NativeType::Float | NativeType::Double, v) if v.as_i64().is_some() => {
                let i = match v.as_i64() {
                    Some(Ok(i)) => i,
                    _ => return Err(out_of_range(&"the integer")),
                };
                if matches!(n, NativeType::Float) {
                    CqlValue::Float(i as f32)
                } else {
                    CqlValue::Double(i as f64)
                }
            }
            (NativeType::Decimal, Value::Decimal(d)) => {
                CqlValue::Decimal(CqlDecimal::try_from(d.clone()).map_err(|_| out_of_range(d))?)
            }
            (NativeType::Decimal, v) if v.as_integer().is_some() => {
                let d = BigDecimal::from(v.as_integer().unwrap_or_default());
                CqlValue::Decimal(
                    CqlDecimal::try_from(d).map_err(|_| out_of_range(&"the integer"))?,
                )
            }
            (NativeType::Blob, Value::Blob(b)) => CqlValue::Blob(b.clone()),
            (NativeType::Uuid, Value::Uuid(u) | Value::Timeuuid(u)) => CqlValue::Uuid(*u),
            (NativeType::Timeuuid, Value::Uuid(u) | Value::Timeuuid(u)) => {
                if u.get_version_num() != 1 {
                    return Err(ValueError(format!(
                        "{u} is a version-{} UUID, a timeuuid must be version 1",
                        u.get_version_num()
                    )));
                }
                CqlValue::Timeuuid(CqlTimeuuid::from(*u))
            }
            (NativeType::Inet, Value::Inet(a)) => CqlValue::Inet(*a),
            // An address in its text form, as the DataStax drivers accept it.
            (NativeType::Inet, Value::Text(s) | Value::Ascii(s)) => CqlValue::Inet(
                s.parse()
                    .map_err(|_| ValueError(format!("{s:?} is not an IPv4 or IPv6 address")))?,
            ),
            (NativeType::Date, Value::Date(d)) => {
                CqlValue::Date(CqlDate((i64::from(*d) + DATE_EPOCH_OFFSET) as u32))
            }
            (NativeType::Time, Value::Time(t)) => {
                if !(0..NANOS_PER_DAY).contains(t) {
                    return Err(ValueError(format!(
                        "{t} ns is not a time of day (0 to {} ns)",
                        NANOS_PER_DAY - 1
                    )));
                }
                CqlValue::Time(CqlTime(*t))
            }
            (NativeType::Timestamp, Value::Timestamp(t)) => CqlValue::Timestamp(CqlTimestamp(*t)),
            (NativeType::Timestamp, v) if v.as_i64().is_some() => {
                CqlValue::Timestamp(CqlTimestamp(int(i64::MIN, i64::MAX)?))
            }
            (NativeType::Duration, Value::Duration(d)) => CqlValue::Duration(CqlDuration {
                months: d.months,
                days: d.days,
                nanoseconds: d.nanoseconds,
            }),
            _ => return mismatch(self, typ),
        })
    }
}

/// Renders the value for people, close to CQL literal syntax (`'text'`, `[1, 2]`,
/// `{'k': 1}`, `(1, null)`). Not for building CQL: values are always bound.
/// A decimal's text with its scale kept (as CQL and Java write it): `0.00` stays `0.00`, and
/// a negative scale is an exponent, `-1E+5`, not `-100000`.
pub fn decimal_text(d: &BigDecimal) -> String {
    let (unscaled, scale) = d.as_bigint_and_exponent();
    if scale < 0 {
        return format!("{unscaled}E+{}", -scale);
    }
    let scale = scale as usize;
    if scale == 0 {
        return unscaled.to_string();
    }
    let negative = unscaled.sign() == num_bigint::Sign::Minus;
    let digits = unscaled.magnitude().to_string();
    let digits = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = digits.split_at(digits.len() - scale);
    format!("{}{int}.{frac}", if negative { "-" } else { "" })
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fn seq(
            f: &mut std::fmt::Formatter<'_>,
            open: &str,
            items: &[Value],
            close: &str,
        ) -> std::fmt::Result {
            f.write_str(open)?;
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{v}")?;
            }
            f.write_str(close)
        }
        match self {
            Value::Null => f.write_str("null"),
            Value::Unset => f.write_str("unset"),
            Value::Empty => f.write_str("empty"),
            Value::Ascii(s) | Value::Text(s) => write!(f, "'{}'", s.replace('\'', "''")),
            Value::Boolean(b) => write!(f, "{b}"),
            Value::TinyInt(v) => write!(f, "{v}"),
            Value::SmallInt(v) => write!(f, "{v}"),
            Value::Int(v) => write!(f, "{v}"),
            Value::BigInt(v) | Value::Counter(v) => write!(f, "{v}"),
            Value::Varint(v) => write!(f, "{v}"),
            Value::Float(v) => write!(f, "{v}"),
            Value::Double(v) => write!(f, "{v}"),
            Value::Decimal(v) => f.write_str(&decimal_text(v)),
            Value::Blob(b) => {
                f.write_str("0x")?;
                b.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
            }
            Value::Uuid(u) | Value::Timeuuid(u) => write!(f, "{u}"),
            Value::Inet(a) => write!(f, "'{a}'"),
            Value::Date(d) => write!(f, "date({d} days)"),
            Value::Time(t) => write!(f, "time({t} ns)"),
            Value::Timestamp(t) => write!(f, "timestamp({t} ms)"),
            Value::Duration(d) => write!(f, "{}mo{}d{}ns", d.months, d.days, d.nanoseconds),
            Value::List(items) | Value::Vector(items) => seq(f, "[", items, "]"),
            Value::Set(items) => seq(f, "{", items, "}"),
            Value::Tuple(items) => seq(f, "(", items, ")"),
            Value::Map(entries) => {
                f.write_str("{")?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    write!(f, "{}{k}: {v}", if i > 0 { ", " } else { "" })?;
                }
                f.write_str("}")
            }
            Value::Udt { fields, .. } => {
                f.write_str("{")?;
                for (i, (k, v)) in fields.iter().enumerate() {
                    write!(f, "{}{k}: {v}", if i > 0 { ", " } else { "" })?;
                }
                f.write_str("}")
            }
        }
    }
}

/// Converts a collection element, map key/value: null is refused (the server rejects it).
fn element(v: &Value, t: &ColumnType<'_>, what: &str) -> Result<CqlValue, ValueError> {
    v.to_cql(t)?
        .ok_or_else(|| ValueError(format!("a {what} cannot be null")))
}

/// Converts one bound value for a marker of type `typ`: null, unset, or a value.
pub fn bind_value(
    v: &Value,
    typ: &ColumnType<'_>,
) -> Result<MaybeUnset<Option<CqlValue>>, ValueError> {
    match v {
        Value::Unset => Ok(MaybeUnset::Unset),
        other => other.to_cql(typ).map(MaybeUnset::Set),
    }
}

impl From<CqlValue> for Value {
    fn from(v: CqlValue) -> Self {
        match v {
            CqlValue::Ascii(s) => Value::Ascii(s),
            CqlValue::Text(s) => Value::Text(s),
            CqlValue::Boolean(b) => Value::Boolean(b),
            CqlValue::TinyInt(i) => Value::TinyInt(i),
            CqlValue::SmallInt(i) => Value::SmallInt(i),
            CqlValue::Int(i) => Value::Int(i),
            CqlValue::BigInt(i) => Value::BigInt(i),
            CqlValue::Counter(c) => Value::Counter(c.0),
            CqlValue::Varint(v) => Value::Varint(BigInt::from(v)),
            CqlValue::Float(f) => Value::Float(f),
            CqlValue::Double(f) => Value::Double(f),
            CqlValue::Decimal(d) => Value::Decimal(BigDecimal::from(d)),
            CqlValue::Blob(b) => Value::Blob(b),
            CqlValue::Uuid(u) => Value::Uuid(u),
            CqlValue::Timeuuid(u) => Value::Timeuuid(u.into()),
            CqlValue::Inet(a) => Value::Inet(a),
            CqlValue::Date(d) => Value::Date((i64::from(d.0) - DATE_EPOCH_OFFSET) as i32),
            CqlValue::Time(t) => Value::Time(t.0),
            CqlValue::Timestamp(t) => Value::Timestamp(t.0),
            CqlValue::Duration(d) => Value::Duration(Duration {
                months: d.months,
                days: d.days,
                nanoseconds: d.nanoseconds,
            }),
            CqlValue::Empty => Value::Empty,
            CqlValue::List(items) => Value::List(items.into_iter().map(Value::from).collect()),
            CqlValue::Set(items) => Value::Set(items.into_iter().map(Value::from).collect()),
            CqlValue::Vector(items) => Value::Vector(items.into_iter().map(Value::from).collect()),
            CqlValue::Map(entries) => Value::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.into(), v.into()))
                    .collect(),
            ),
            CqlValue::Tuple(items) => Value::Tuple(items.into_iter().map(Value::from).collect()),
            CqlValue::UserDefinedType {
                keyspace,
                name,
                fields,
            } => Value::Udt {
                keyspace,
                name,
                fields: fields
                    .into_iter()
                    .map(|(n, v)| (n, Value::from(v)))
                    .collect(),
            },
            other => Value::Blob(format!("{other:?}").into_bytes()),
        }
    }
}

macro_rules! value_from {
    ($($t:ty => $variant:ident),* $(,)?) => {
        $(impl From<$t> for Value {
            fn from(v: $t) -> Self { Value::$variant(v.into()) }
        })*
    };
}

value_from! {
    bool => Boolean, i8 => TinyInt, i16 => SmallInt, i32 => Int, i64 => BigInt,
    f32 => Float, f64 => Double, String => Text, &str => Text, Vec<u8> => Blob,
    Uuid => Uuid, IpAddr => Inet, BigInt => Varint, BigDecimal => Decimal, Duration => Duration,
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::sync::Arc;

    use scylla::frame::response::result::UserDefinedType;

    use super::*;

    fn native(n: NativeType) -> ColumnType<'static> {
        ColumnType::Native(n)
    }

    fn list(e: ColumnType<'static>) -> ColumnType<'static> {
        ColumnType::Collection {
            frozen: false,
            typ: CollectionType::List(Box::new(e)),
        }
    }

    /// Binding then reading back through the protocol type gives the same value.
    fn round_trip(v: Value, t: ColumnType<'static>) -> Value {
        Value::from(v.to_cql(&t).expect("binds"))
    }

    #[test]
    fn integers_bind_to_any_integer_column_that_holds_them() {
        assert_eq!(
            round_trip(Value::BigInt(5), native(NativeType::TinyInt)),
            Value::TinyInt(5)
        );
        assert_eq!(
            round_trip(Value::Int(-7), native(NativeType::BigInt)),
            Value::BigInt(-7)
        );
        assert_eq!(
            round_trip(Value::BigInt(i64::MIN), native(NativeType::Varint)),
            Value::Varint(BigInt::from(i64::MIN))
        );
        let err = Value::BigInt(128)
            .to_cql(&native(NativeType::TinyInt))
            .unwrap_err();
        assert!(err.0.contains("out of range for tinyint"), "{err}");
        let big = BigInt::from(i64::MAX) + 1;
        assert!(Value::Varint(big)
            .to_cql(&native(NativeType::BigInt))
            .is_err());
    }

    #[test]
    fn wrong_types_are_refused_with_both_types_named() {
        let err = Value::Text("x".into())
            .to_cql(&native(NativeType::Int))
            .unwrap_err();
        assert_eq!(err.0, "a text value cannot be bound to int");
        assert!(Value::Boolean(true)
            .to_cql(&native(NativeType::Blob))
            .is_err());
        assert!(Value::Int(1)
            .to_cql(&list(native(NativeType::Int)))
            .is_err());
    }

    #[test]
    fn inet_accepts_an_address_in_text_form() {
        assert_eq!(
            round_trip(Value::Text("::1".into()), native(NativeType::Inet)),
            Value::Inet("::1".parse().unwrap())
        );
        let err = Value::Text("10.0.0".into())
            .to_cql(&native(NativeType::Inet))
            .unwrap_err();
        assert!(err.0.contains("not an IPv4 or IPv6 address"), "{err}");
    }

    #[test]
    fn ascii_requires_ascii_text() {
        assert!(Value::Text("héllo".into())
            .to_cql(&native(NativeType::Ascii))
            .is_err());
        assert_eq!(
            round_trip(Value::Text("hello".into()), native(NativeType::Ascii)),
            Value::Ascii("hello".into())
        );
    }

    #[test]
    fn timeuuid_requires_version_1() {
        let v4 = Uuid::new_v4();
        assert!(Value::Uuid(v4)
            .to_cql(&native(NativeType::Timeuuid))
            .is_err());
        let v1 = Uuid::now_v1(&[1, 2, 3, 4, 5, 6]);
        assert_eq!(
            round_trip(Value::Uuid(v1), native(NativeType::Timeuuid)),
            Value::Timeuuid(v1)
        );
    }

    #[test]
    fn dates_and_times_keep_their_range() {
        for d in [i32::MIN, -1, 0, 19_000, i32::MAX] {
            assert_eq!(
                round_trip(Value::Date(d), native(NativeType::Date)),
                Value::Date(d)
            );
        }
        assert!(Value::Time(NANOS_PER_DAY)
            .to_cql(&native(NativeType::Time))
            .is_err());
        assert!(Value::Time(-1).to_cql(&native(NativeType::Time)).is_err());
    }

    #[test]
    fn collections_refuse_null_elements_and_unset() {
        let t = list(native(NativeType::Int));
        let err = Value::List(vec![Value::Int(1), Value::Null])
            .to_cql(&t)
            .unwrap_err();
        assert!(err.0.contains("cannot be null"), "{err}");
        assert!(Value::List(vec![Value::Unset]).to_cql(&t).is_err());
        assert!(matches!(
            bind_value(&Value::Unset, &t),
            Ok(MaybeUnset::Unset)
        ));
    }

    #[test]
    fn vectors_check_their_dimension() {
        let t = ColumnType::Vector {
            typ: Box::new(native(NativeType::Float)),
            dimensions: 3,
        };
        let v = Value::Vector(vec![
            Value::Float(1.0),
            Value::Float(2.0),
            Value::Float(3.0),
        ]);
        assert_eq!(
            round_trip(v, t.clone()),
            Value::Vector(vec![1.0f32.into(), 2.0f32.into(), 3.0f32.into()])
        );
        assert!(Value::Vector(vec![Value::Float(1.0)]).to_cql(&t).is_err());
        let empty = Value::Vector(vec![Value::Float(1.0), Value::Empty, Value::Float(3.0)]);
        assert!(empty.to_cql(&t).unwrap_err().0.contains("cannot be empty"));
    }

    #[test]
    fn udts_bind_by_field_name_and_fill_missing_fields_with_null() {
        let t = ColumnType::UserDefinedType {
            frozen: true,
            definition: Arc::new(UserDefinedType {
                name: Cow::Borrowed("address"),
                keyspace: Cow::Borrowed("ks"),
                field_types: vec![
                    (Cow::Borrowed("street"), native(NativeType::Text)),
                    (Cow::Borrowed("zip"), native(NativeType::Int)),
                ],
            }),
        };
        let v = Value::Udt {
            keyspace: String::new(),
            name: String::new(),
            fields: vec![("zip".into(), Value::BigInt(12345))],
        };
        assert_eq!(
            round_trip(v, t.clone()),
            Value::Udt {
                keyspace: "ks".into(),
                name: "address".into(),
                fields: vec![
                    ("street".into(), Value::Null),
                    ("zip".into(), Value::Int(12345))
                ],
            }
        );
        let bad = Value::Udt {
            keyspace: String::new(),
            name: String::new(),
            fields: vec![("nope".into(), Value::Int(1))],
        };
        assert!(bad.to_cql(&t).unwrap_err().0.contains("no field \"nope\""));

        // A tuple gives the fields in order; a map keyed by text gives them by name.
        let expected = Value::Udt {
            keyspace: "ks".into(),
            name: "address".into(),
            fields: vec![
                ("street".into(), Value::Text("Main".into())),
                ("zip".into(), Value::Null),
            ],
        };
        let positional = Value::Tuple(vec![Value::Text("Main".into())]);
        assert_eq!(round_trip(positional, t.clone()), expected);
        let by_name = Value::Map(vec![(
            Value::Text("street".into()),
            Value::Text("Main".into()),
        )]);
        assert_eq!(round_trip(by_name, t.clone()), expected);
        let too_long = Value::Tuple(vec![Value::Null, Value::Null, Value::Null]);
        assert!(too_long.to_cql(&t).unwrap_err().0.contains("has 2 fields"));
        let int_keys = Value::Map(vec![(Value::Int(1), Value::Null)]);
        assert!(int_keys.to_cql(&t).unwrap_err().0.contains("text keys"));
    }

    #[test]
    fn tuples_pad_missing_trailing_elements_with_null_and_refuse_extra_ones() {
        let t = ColumnType::Tuple(vec![native(NativeType::Int), native(NativeType::Text)]);
        assert_eq!(
            round_trip(Value::Tuple(vec![Value::Int(1)]), t.clone()),
            Value::Tuple(vec![Value::Int(1), Value::Null])
        );
        assert!(Value::Tuple(vec![Value::Int(1), Value::Null, Value::Null])
            .to_cql(&t)
            .is_err());
    }

    #[test]
    fn display_reads_like_cql() {
        let v = Value::Map(vec![(
            Value::Text("it's".into()),
            Value::List(vec![Value::Int(1), Value::Null]),
        )]);
        assert_eq!(v.to_string(), "{'it''s': [1, null]}");
        assert_eq!(Value::Blob(vec![0, 255]).to_string(), "0x00ff");
    }

    #[test]
    fn decimals_and_varints_keep_every_digit() {
        let d: BigDecimal = "-123456789012345678901234567890.000000000000000000001"
            .parse()
            .unwrap();
        assert_eq!(
            round_trip(Value::Decimal(d.clone()), native(NativeType::Decimal)),
            Value::Decimal(d)
        );
        let b: BigInt = "-98765432109876543210987654321098765432109876543210"
            .parse()
            .unwrap();
        assert_eq!(
            round_trip(Value::Varint(b.clone()), native(NativeType::Varint)),
            Value::Varint(b)
        );
    }
}

#[cfg(test)]
mod decimal_text_tests {
    use super::*;

    #[test]
    fn decimals_keep_their_scale_in_text() {
        for (given, text) in [
            ("0.00", "0.00"),
            ("-1E+5", "-1E+5"),
            ("3.14159", "3.14159"),
            ("-0.05", "-0.05"),
            ("123", "123"),
            ("1.10", "1.10"),
        ] {
            let d: BigDecimal = given.parse().unwrap();
            assert_eq!(decimal_text(&d), text, "{given}");
            assert_eq!(Value::Decimal(d).to_string(), text);
        }
    }
}
