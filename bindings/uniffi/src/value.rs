//! [`CqlValue`]: core's `Value` as a uniffi enum, for cold paths (metadata, one-off queries,
//! bindings without a packed decoder of their own). Hot paths cross packed (bindings/PACKED.md).

use std::sync::Arc;

use cqlbridge_core::packed::{pack_rows, unpack_page, PackedError, PackedPage, Reader, Writer};
use cqlbridge_core::{Duration, Query, ResultSet, Statement, Value, Values};

use crate::config::RequestOptions;
use crate::error::{invalid, CqlError};
use crate::mapper::write_named;
use crate::on_runtime;
use crate::session::{Connection, PreparedStatement};
use crate::Uuid;

/// Any CQL value, including null and unset. Numbers that no primitive holds cross as text:
/// `varint` as a decimal integer, `decimal` as a decimal number (`"-1.50"`, `"12E+5"`); an
/// inet as its address text. Temporal values are numbers, as in core.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum CqlValue {
    /// CQL null (also a missing tuple element or UDT field).
    Null,
    /// Not set: a bound marker that leaves the column as it is.
    Unset,
    /// A zero-length value of a non-string type.
    Empty,
    /// `ascii`
    Ascii { value: String },
    /// `text` / `varchar`
    Text { value: String },
    /// `boolean`
    Boolean { value: bool },
    /// `tinyint`
    TinyInt { value: i8 },
    /// `smallint`
    SmallInt { value: i16 },
    /// `int`
    Int { value: i32 },
    /// `bigint`
    BigInt { value: i64 },
    /// `counter`
    Counter { value: i64 },
    /// `varint`, as decimal text.
    Varint { value: String },
    /// `float`
    Float { value: f32 },
    /// `double`
    Double { value: f64 },
    /// `decimal`, as decimal text.
    Decimal { value: String },
    /// `blob`
    Blob { value: Vec<u8> },
    /// `uuid`
    Uuid { value: Uuid },
    /// `timeuuid`
    Timeuuid { value: Uuid },
    /// `inet`, as address text (`"10.0.0.1"`, `"::1"`).
    Inet { value: String },
    /// `date`: days since 1970-01-01.
    Date { days: i32 },
    /// `time`: nanoseconds since midnight.
    Time { nanos: i64 },
    /// `timestamp`: milliseconds since the Unix epoch (UTC).
    Timestamp { millis: i64 },
    /// `duration`
    Duration {
        months: i32,
        days: i32,
        nanoseconds: i64,
    },
    /// `list<T>`
    List { elements: Vec<CqlValue> },
    /// `set<T>`
    Set { elements: Vec<CqlValue> },
    /// `map<K, V>`, in the server's order.
    Map { entries: Vec<MapEntry> },
    /// `tuple<...>`: a missing element is `Null`.
    Tuple { elements: Vec<CqlValue> },
    /// A user-defined type's value: fields by name.
    Udt {
        keyspace: String,
        name: String,
        fields: Vec<UdtField>,
    },
    /// `vector<T, n>`
    Vector { elements: Vec<CqlValue> },
}

/// One entry of a map.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct MapEntry {
    /// The key.
    pub key: CqlValue,
    /// The value.
    pub value: CqlValue,
}

/// One field of a UDT value.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct UdtField {
    /// The field's name.
    pub name: String,
    /// Its value (`Null` when missing).
    pub value: CqlValue,
}

/// A result column.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ColumnSpecInfo {
    /// Keyspace of the column's table.
    pub keyspace: String,
    /// Table.
    pub table: String,
    /// Column name.
    pub name: String,
    /// CQL type, e.g. `map<text, int>`.
    pub cql_type: String,
}

/// One page of a result, with typed values.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ValuePage {
    /// The columns (empty for results without rows).
    pub columns: Vec<ColumnSpecInfo>,
    /// The rows, one value per column.
    pub rows: Vec<Vec<CqlValue>>,
    /// Where the next page starts; none on the last page.
    pub paging_state: Option<Vec<u8>>,
    /// The server's warnings.
    pub warnings: Vec<String>,
    /// The trace id, when tracing was asked for.
    pub tracing_id: Option<Uuid>,
    /// The coordinator (`ip:port`), when known.
    pub coordinator: Option<String>,
}

impl From<&Value> for CqlValue {
    fn from(v: &Value) -> Self {
        let all = |vs: &[Value]| vs.iter().map(CqlValue::from).collect();
        match v {
            Value::Null => CqlValue::Null,
            Value::Unset => CqlValue::Unset,
            Value::Empty => CqlValue::Empty,
            Value::Ascii(s) => CqlValue::Ascii { value: s.clone() },
            Value::Text(s) => CqlValue::Text { value: s.clone() },
            Value::Boolean(b) => CqlValue::Boolean { value: *b },
            Value::TinyInt(n) => CqlValue::TinyInt { value: *n },
            Value::SmallInt(n) => CqlValue::SmallInt { value: *n },
            Value::Int(n) => CqlValue::Int { value: *n },
            Value::BigInt(n) => CqlValue::BigInt { value: *n },
            Value::Counter(n) => CqlValue::Counter { value: *n },
            Value::Varint(n) => CqlValue::Varint {
                value: n.to_string(),
            },
            Value::Float(f) => CqlValue::Float { value: *f },
            Value::Double(f) => CqlValue::Double { value: *f },
            Value::Decimal(d) => CqlValue::Decimal {
                value: d.to_string(),
            },
            Value::Blob(b) => CqlValue::Blob { value: b.clone() },
            Value::Uuid(u) => CqlValue::Uuid { value: *u },
            Value::Timeuuid(u) => CqlValue::Timeuuid { value: *u },
            Value::Inet(a) => CqlValue::Inet {
                value: a.to_string(),
            },
            Value::Date(d) => CqlValue::Date { days: *d },
            Value::Time(t) => CqlValue::Time { nanos: *t },
            Value::Timestamp(t) => CqlValue::Timestamp { millis: *t },
            Value::Duration(d) => CqlValue::Duration {
                months: d.months,
                days: d.days,
                nanoseconds: d.nanoseconds,
            },
            Value::List(vs) => CqlValue::List { elements: all(vs) },
            Value::Set(vs) => CqlValue::Set { elements: all(vs) },
            Value::Map(kvs) => CqlValue::Map {
                entries: kvs
                    .iter()
                    .map(|(k, v)| MapEntry {
                        key: k.into(),
                        value: v.into(),
                    })
                    .collect(),
            },
            Value::Tuple(vs) => CqlValue::Tuple { elements: all(vs) },
            Value::Udt {
                keyspace,
                name,
                fields,
            } => CqlValue::Udt {
                keyspace: keyspace.clone(),
                name: name.clone(),
                fields: fields
                    .iter()
                    .map(|(n, v)| UdtField {
                        name: n.clone(),
                        value: v.into(),
                    })
                    .collect(),
            },
            Value::Vector(vs) => CqlValue::Vector { elements: all(vs) },
            // `Value` is non-exhaustive: a kind added to core must be added here too.
            other => unreachable!("CqlValue lacks core's {} value", other.type_name()),
        }
    }
}

impl TryFrom<CqlValue> for Value {
    type Error = CqlError;

    fn try_from(v: CqlValue) -> Result<Self, CqlError> {
        fn all(vs: Vec<CqlValue>) -> Result<Vec<Value>, CqlError> {
            vs.into_iter().map(Value::try_from).collect()
        }
        fn number<T: std::str::FromStr>(text: &str, what: &str) -> Result<T, CqlError> {
            text.trim()
                .parse()
                .map_err(|_| invalid(format!("{text:?} is not a {what}")))
        }
        Ok(match v {
            CqlValue::Null => Value::Null,
            CqlValue::Unset => Value::Unset,
            CqlValue::Empty => Value::Empty,
            CqlValue::Ascii { value } => Value::Ascii(value),
            CqlValue::Text { value } => Value::Text(value),
            CqlValue::Boolean { value } => Value::Boolean(value),
            CqlValue::TinyInt { value } => Value::TinyInt(value),
            CqlValue::SmallInt { value } => Value::SmallInt(value),
            CqlValue::Int { value } => Value::Int(value),
            CqlValue::BigInt { value } => Value::BigInt(value),
            CqlValue::Counter { value } => Value::Counter(value),
            CqlValue::Varint { value } => Value::Varint(number(&value, "varint")?),
            CqlValue::Float { value } => Value::Float(value),
            CqlValue::Double { value } => Value::Double(value),
            CqlValue::Decimal { value } => Value::Decimal(number(&value, "decimal")?),
            CqlValue::Blob { value } => Value::Blob(value),
            CqlValue::Uuid { value } => Value::Uuid(value),
            CqlValue::Timeuuid { value } => Value::Timeuuid(value),
            CqlValue::Inet { value } => Value::Inet(number(&value, "inet address")?),
            CqlValue::Date { days } => Value::Date(days),
            CqlValue::Time { nanos } => Value::Time(nanos),
            CqlValue::Timestamp { millis } => Value::Timestamp(millis),
            CqlValue::Duration {
                months,
                days,
                nanoseconds,
            } => Value::Duration(Duration {
                months,
                days,
                nanoseconds,
            }),
            CqlValue::List { elements } => Value::List(all(elements)?),
            CqlValue::Set { elements } => Value::Set(all(elements)?),
            CqlValue::Map { entries } => Value::Map(
                entries
                    .into_iter()
                    .map(|e| Ok((e.key.try_into()?, e.value.try_into()?)))
                    .collect::<Result<_, CqlError>>()?,
            ),
            CqlValue::Tuple { elements } => Value::Tuple(all(elements)?),
            CqlValue::Udt {
                keyspace,
                name,
                fields,
            } => Value::Udt {
                keyspace,
                name,
                fields: fields
                    .into_iter()
                    .map(|f| Ok((f.name, f.value.try_into()?)))
                    .collect::<Result<_, CqlError>>()?,
            },
            CqlValue::Vector { elements } => Value::Vector(all(elements)?),
        })
    }
}

fn values_of(values: Vec<CqlValue>) -> Result<Values, CqlError> {
    if values.is_empty() {
        return Ok(Values::None);
    }
    Ok(Values::Positional(
        values
            .into_iter()
            .map(Value::try_from)
            .collect::<Result<_, _>>()?,
    ))
}

impl From<&ResultSet> for ValuePage {
    fn from(page: &ResultSet) -> Self {
        ValuePage {
            columns: page
                .columns
                .iter()
                .map(|c| ColumnSpecInfo {
                    keyspace: c.keyspace.clone(),
                    table: c.table.clone(),
                    name: c.name.clone(),
                    cql_type: c.typ.to_string(),
                })
                .collect(),
            rows: page
                .rows
                .iter()
                .map(|row| row.iter().map(CqlValue::from).collect())
                .collect(),
            paging_state: page.paging_state.clone(),
            warnings: page.warnings.clone(),
            tracing_id: page.tracing_id,
            coordinator: page.coordinator.map(|a| a.to_string()),
        }
    }
}

impl From<PackedPage> for ValuePage {
    fn from(page: PackedPage) -> Self {
        ValuePage {
            columns: page
                .columns
                .into_iter()
                .map(|c| ColumnSpecInfo {
                    keyspace: c.keyspace,
                    table: c.table,
                    name: c.name,
                    cql_type: c.cql_type,
                })
                .collect(),
            rows: page
                .rows
                .iter()
                .map(|row| row.iter().map(CqlValue::from).collect())
                .collect(),
            paging_state: page.paging_state,
            warnings: page.warnings,
            tracing_id: page.tracing_id,
            coordinator: (!page.coordinator.is_empty()).then_some(page.coordinator),
        }
    }
}

/// Packs rows of typed values (bindings/PACKED.md, "Rows"), e.g. to check a binding's own
/// encoder against core's.
#[uniffi::export]
pub fn pack_value_rows(rows: Vec<Vec<CqlValue>>) -> Result<Vec<u8>, CqlError> {
    let rows = rows
        .into_iter()
        .map(|row| row.into_iter().map(Value::try_from).collect())
        .collect::<Result<Vec<Vec<Value>>, _>>()?;
    Ok(pack_rows(&rows))
}

/// Decodes a packed page (a completion's page) into typed values.
#[uniffi::export]
pub fn unpack_value_page(page: Vec<u8>) -> Result<ValuePage, CqlError> {
    Ok(unpack_page(&page)
        .map_err(|e| invalid(format!("malformed page: {e}")))?
        .into())
}

/// A value with its attribute name (model rows and keys).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NamedValue {
    /// The attribute.
    pub name: String,
    /// Its value.
    pub value: CqlValue,
}

/// A model row: the model (class) it belongs to and its values by attribute.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct TypedModelRow {
    /// The model's name (a subtype's, in a polymorphic table).
    pub model: String,
    /// The values by attribute.
    pub values: Vec<NamedValue>,
}

/// Packs named values as the mapper's calls take them (a model's values, a key).
#[uniffi::export]
pub fn pack_named_values(values: Vec<NamedValue>) -> Result<Vec<u8>, CqlError> {
    let values = values
        .into_iter()
        .map(|n| Ok((n.name, Value::try_from(n.value)?)))
        .collect::<Result<Vec<_>, CqlError>>()?;
    let mut w = Writer::new();
    write_named(&mut w, &values);
    Ok(w.into_bytes())
}

/// One filter, condition or change term: an attribute, an operator code and a value.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Term {
    /// The attribute (empty for a token filter).
    pub name: String,
    /// The operator or change code (see `ModelQueryDef.filters`, `ModelWriteOptions.conditions`).
    pub op: u8,
    /// The value.
    pub value: CqlValue,
}

/// Packs terms as `ModelQueryDef.filters`, `ModelWriteOptions.conditions` and update
/// changes take them.
#[uniffi::export]
pub fn pack_terms(terms: Vec<Term>) -> Result<Vec<u8>, CqlError> {
    let mut w = Writer::new();
    w.u32(terms.len());
    for t in terms {
        w.str(&t.name);
        w.u8(t.op);
        w.value(&Value::try_from(t.value)?);
    }
    Ok(w.into_bytes())
}

fn typed_row(r: &mut Reader<'_>) -> Result<TypedModelRow, CqlError> {
    let bad = |e: PackedError| invalid(format!("malformed model row: {e}"));
    let model = r.str().map_err(bad)?;
    let n = r.u32().map_err(bad)?;
    let values = (0..n)
        .map(|_| {
            Ok(NamedValue {
                name: r.str().map_err(bad)?,
                value: CqlValue::from(&r.value().map_err(bad)?),
            })
        })
        .collect::<Result<_, CqlError>>()?;
    Ok(TypedModelRow { model, values })
}

/// Decodes one model row (what `model_create`, `model_save` and `model_get` return).
#[uniffi::export]
pub fn unpack_model_row(row: Vec<u8>) -> Result<TypedModelRow, CqlError> {
    let mut r = Reader::new(&row);
    let out = typed_row(&mut r)?;
    if !r.at_end() {
        return Err(invalid("malformed model row: trailing bytes"));
    }
    Ok(out)
}

/// Decodes the rows of a model page (`ModelPage.rows`).
#[uniffi::export]
pub fn unpack_model_rows(rows: Vec<u8>) -> Result<Vec<TypedModelRow>, CqlError> {
    let mut r = Reader::new(&rows);
    let n = r
        .u32()
        .map_err(|e| invalid(format!("malformed model rows: {e}")))?;
    let out = (0..n)
        .map(|_| typed_row(&mut r))
        .collect::<Result<Vec<_>, _>>()?;
    if !r.at_end() {
        return Err(invalid("malformed model rows: trailing bytes"));
    }
    Ok(out)
}

#[uniffi::export]
impl Connection {
    /// Runs `cql` with positional `values` and returns the page at `paging_state` (or the
    /// first) with typed values. For cold paths: requests on hot paths go through `submit`.
    pub async fn query(
        &self,
        cql: String,
        values: Vec<CqlValue>,
        paging_state: Option<Vec<u8>>,
        options: Option<RequestOptions>,
    ) -> Result<ValuePage, CqlError> {
        self.run_typed(
            Query::Cql(Statement::new(cql)),
            values,
            paging_state,
            options,
        )
        .await
    }

    /// Executes a prepared statement with positional `values`, like [`Connection::query`].
    pub async fn execute_prepared(
        &self,
        prepared: Arc<PreparedStatement>,
        values: Vec<CqlValue>,
        paging_state: Option<Vec<u8>>,
        options: Option<RequestOptions>,
    ) -> Result<ValuePage, CqlError> {
        self.run_typed(
            Query::Prepared(prepared.inner().clone()),
            values,
            paging_state,
            options,
        )
        .await
    }
}

impl Connection {
    async fn run_typed(
        &self,
        query: Query,
        values: Vec<CqlValue>,
        paging_state: Option<Vec<u8>>,
        options: Option<RequestOptions>,
    ) -> Result<ValuePage, CqlError> {
        let values = values_of(values)?;
        let options = options
            .map(|o| o.to_core())
            .transpose()?
            .unwrap_or_default();
        let session = self.session.clone();
        let page = on_runtime(async move {
            session
                .run_with(&query, &values, paging_state.as_deref(), &options)
                .await
        })
        .await?;
        Ok((&page).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_survives_the_round_trip() {
        let values = vec![
            Value::Null,
            Value::Unset,
            Value::Empty,
            Value::Ascii("a".into()),
            Value::Text("ž✓".into()),
            Value::Boolean(true),
            Value::TinyInt(-1),
            Value::SmallInt(2),
            Value::Int(3),
            Value::BigInt(i64::MIN),
            Value::Counter(5),
            Value::Varint("-123456789012345678901234567890".parse().unwrap()),
            Value::Float(1.5),
            Value::Double(-0.25),
            Value::Decimal("-3.14159265358979323846".parse().unwrap()),
            Value::Decimal("12E+5".parse().unwrap()),
            Value::Blob(vec![0, 255]),
            Value::Uuid(uuid::Uuid::from_u128(7)),
            Value::Timeuuid(uuid::Uuid::from_u128(8)),
            Value::Inet("::1".parse().unwrap()),
            Value::Date(-1),
            Value::Time(5),
            Value::Timestamp(-5),
            Value::Duration(Duration {
                months: 1,
                days: 2,
                nanoseconds: 3,
            }),
            Value::List(vec![Value::Int(1)]),
            Value::Set(vec![]),
            Value::Map(vec![(Value::Text("k".into()), Value::Null)]),
            Value::Tuple(vec![Value::Null, Value::Int(1)]),
            Value::Udt {
                keyspace: "ks".into(),
                name: "t".into(),
                fields: vec![("f".into(), Value::Int(1))],
            },
            Value::Vector(vec![Value::Float(1.0)]),
        ];
        for v in values {
            let back = Value::try_from(CqlValue::from(&v)).unwrap();
            assert_eq!(back, v);
        }
    }

    #[test]
    fn malformed_numbers_are_refused() {
        for bad in [
            CqlValue::Varint {
                value: "1.5".into(),
            },
            CqlValue::Decimal { value: "x".into() },
            CqlValue::Inet {
                value: "300.1.1.1".into(),
            },
        ] {
            let CqlError::Failed { info } = Value::try_from(bad).unwrap_err();
            assert_eq!(info.name, "InvalidArgument", "{}", info.message);
        }
    }
}
