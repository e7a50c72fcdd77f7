//! The packed encoding: [`Value`]s, rows and whole pages as one byte buffer.
//!
//! The bindings' hot paths (Python, Kotlin) cross the FFI once per page or per batch of
//! argument rows, never once per value: a per-value crossing costs microseconds, decoding a
//! buffer costs nanoseconds. The encoding is self-describing (a tag byte before each value),
//! little-endian, and the same in both directions. Pure: no runtime, no network.
//! `bindings/PACKED.md` is its specification for the decoders written in other languages.

use std::net::IpAddr;

use bigdecimal::BigDecimal;
use num_bigint::BigInt;
use uuid::Uuid;

use crate::result::ResultSet;
use crate::value::{Duration, Value};

/// The tag byte before each value.
#[allow(missing_docs)]
pub mod tag {
    pub const NULL: u8 = 0x00;
    pub const UNSET: u8 = 0x01;
    pub const EMPTY: u8 = 0x02;
    pub const ASCII: u8 = 0x03;
    pub const TEXT: u8 = 0x04;
    pub const BOOLEAN: u8 = 0x05;
    pub const TINYINT: u8 = 0x06;
    pub const SMALLINT: u8 = 0x07;
    pub const INT: u8 = 0x08;
    pub const BIGINT: u8 = 0x09;
    pub const COUNTER: u8 = 0x0A;
    pub const VARINT: u8 = 0x0B;
    pub const FLOAT: u8 = 0x0C;
    pub const DOUBLE: u8 = 0x0D;
    pub const DECIMAL: u8 = 0x0E;
    pub const BLOB: u8 = 0x0F;
    pub const UUID: u8 = 0x10;
    pub const TIMEUUID: u8 = 0x11;
    pub const INET: u8 = 0x12;
    pub const DATE: u8 = 0x13;
    pub const TIME: u8 = 0x14;
    pub const TIMESTAMP: u8 = 0x15;
    pub const DURATION: u8 = 0x16;
    pub const LIST: u8 = 0x17;
    pub const SET: u8 = 0x18;
    pub const MAP: u8 = 0x19;
    pub const TUPLE: u8 = 0x1A;
    pub const UDT: u8 = 0x1B;
    pub const VECTOR: u8 = 0x1C;
}

/// Why a buffer could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed packed values at byte {offset}: {reason}")]
pub struct PackedError {
    /// Where decoding stopped.
    pub offset: usize,
    /// What was wrong.
    pub reason: String,
}

/// Nesting deeper than this is refused (CQL itself allows far less).
const MAX_DEPTH: usize = 64;

/// Appends values to a buffer.
#[derive(Debug, Default)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Writer::default()
    }

    /// The bytes written so far.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// Appends a count or length.
    pub fn u32(&mut self, n: usize) {
        let n = u32::try_from(n).expect("a length over 4 GiB cannot be sent to Cassandra");
        self.buf.extend_from_slice(&n.to_le_bytes());
    }

    /// Appends a byte.
    pub fn u8(&mut self, b: u8) {
        self.buf.push(b);
    }

    /// Appends a `u64`.
    pub fn u64(&mut self, n: u64) {
        self.buf.extend_from_slice(&n.to_le_bytes());
    }

    /// Appends a string: its UTF-8 length, then its bytes.
    pub fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    /// Appends a byte string: its length, then its bytes.
    pub fn bytes(&mut self, b: &[u8]) {
        self.u32(b.len());
        self.buf.extend_from_slice(b);
    }

    /// Appends an optional byte string: `0xFFFFFFFF` for none.
    pub fn opt_bytes(&mut self, b: Option<&[u8]>) {
        match b {
            Some(b) => self.bytes(b),
            None => self.buf.extend_from_slice(&u32::MAX.to_le_bytes()),
        }
    }

    /// Appends one tagged value.
    pub fn value(&mut self, v: &Value) {
        let b = &mut self.buf;
        match v {
            Value::Null => b.push(tag::NULL),
            Value::Unset => b.push(tag::UNSET),
            Value::Empty => b.push(tag::EMPTY),
            Value::Ascii(s) => self.tagged_str(tag::ASCII, s),
            Value::Text(s) => self.tagged_str(tag::TEXT, s),
            Value::Boolean(x) => b.extend_from_slice(&[tag::BOOLEAN, u8::from(*x)]),
            Value::TinyInt(x) => b.extend_from_slice(&[tag::TINYINT, x.to_le_bytes()[0]]),
            Value::SmallInt(x) => self.tagged(tag::SMALLINT, &x.to_le_bytes()),
            Value::Int(x) => self.tagged(tag::INT, &x.to_le_bytes()),
            Value::BigInt(x) => self.tagged(tag::BIGINT, &x.to_le_bytes()),
            Value::Counter(x) => self.tagged(tag::COUNTER, &x.to_le_bytes()),
            Value::Varint(x) => {
                b.push(tag::VARINT);
                self.bytes(&x.to_signed_bytes_be());
            }
            Value::Float(x) => self.tagged(tag::FLOAT, &x.to_le_bytes()),
            Value::Double(x) => self.tagged(tag::DOUBLE, &x.to_le_bytes()),
            Value::Decimal(d) => {
                let (unscaled, scale) = d.as_bigint_and_exponent();
                b.push(tag::DECIMAL);
                let scale =
                    i32::try_from(scale).unwrap_or(if scale < 0 { i32::MIN } else { i32::MAX });
                self.buf.extend_from_slice(&scale.to_le_bytes());
                self.bytes(&unscaled.to_signed_bytes_be());
            }
            Value::Blob(x) => {
                b.push(tag::BLOB);
                self.bytes(x);
            }
            Value::Uuid(u) => self.tagged(tag::UUID, u.as_bytes()),
            Value::Timeuuid(u) => self.tagged(tag::TIMEUUID, u.as_bytes()),
            Value::Inet(IpAddr::V4(a)) => {
                b.extend_from_slice(&[tag::INET, 4]);
                self.buf.extend_from_slice(&a.octets());
            }
            Value::Inet(IpAddr::V6(a)) => {
                b.extend_from_slice(&[tag::INET, 16]);
                self.buf.extend_from_slice(&a.octets());
            }
            Value::Date(x) => self.tagged(tag::DATE, &x.to_le_bytes()),
            Value::Time(x) => self.tagged(tag::TIME, &x.to_le_bytes()),
            Value::Timestamp(x) => self.tagged(tag::TIMESTAMP, &x.to_le_bytes()),
            Value::Duration(d) => {
                b.push(tag::DURATION);
                self.buf.extend_from_slice(&d.months.to_le_bytes());
                self.buf.extend_from_slice(&d.days.to_le_bytes());
                self.buf.extend_from_slice(&d.nanoseconds.to_le_bytes());
            }
            Value::List(items) => self.seq(tag::LIST, items),
            Value::Set(items) => self.seq(tag::SET, items),
            Value::Vector(items) => self.seq(tag::VECTOR, items),
            Value::Tuple(items) => self.seq(tag::TUPLE, items),
            Value::Map(entries) => {
                b.push(tag::MAP);
                self.u32(entries.len());
                for (k, v) in entries {
                    self.value(k);
                    self.value(v);
                }
            }
            Value::Udt {
                keyspace,
                name,
                fields,
            } => {
                b.push(tag::UDT);
                self.str(keyspace);
                self.str(name);
                self.u32(fields.len());
                for (field, v) in fields {
                    self.str(field);
                    self.value(v);
                }
            }
        }
    }

    fn tagged(&mut self, t: u8, payload: &[u8]) {
        self.buf.push(t);
        self.buf.extend_from_slice(payload);
    }

    fn tagged_str(&mut self, t: u8, s: &str) {
        self.buf.push(t);
        self.str(s);
    }

    fn seq(&mut self, t: u8, items: &[Value]) {
        self.buf.push(t);
        self.u32(items.len());
        for v in items {
            self.value(v);
        }
    }
}

/// Reads values from a buffer.
#[derive(Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    /// Whether every byte was read.
    pub fn at_end(&self) -> bool {
        self.pos == self.buf.len()
    }

    fn fail<T>(&self, reason: impl Into<String>) -> Result<T, PackedError> {
        Err(PackedError {
            offset: self.pos,
            reason: reason.into(),
        })
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], PackedError> {
        match self.buf.get(self.pos..self.pos.saturating_add(n)) {
            Some(s) if self.pos.checked_add(n).is_some() => {
                self.pos += n;
                Ok(s)
            }
            _ => self.fail(format!(
                "{n} more bytes expected, {} left",
                self.buf.len() - self.pos
            )),
        }
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], PackedError> {
        Ok(self.take(N)?.try_into().expect("take returned N bytes"))
    }

    /// Reads a count or length.
    pub fn u32(&mut self) -> Result<usize, PackedError> {
        Ok(u32::from_le_bytes(self.array()?) as usize)
    }

    /// Reads a byte.
    pub fn u8(&mut self) -> Result<u8, PackedError> {
        Ok(self.array::<1>()?[0])
    }

    /// Reads a `u16`.
    pub fn u16(&mut self) -> Result<u16, PackedError> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    /// Reads an `i32`.
    pub fn i32(&mut self) -> Result<i32, PackedError> {
        Ok(i32::from_le_bytes(self.array()?))
    }

    /// Reads a `u64`.
    pub fn u64(&mut self) -> Result<u64, PackedError> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    /// Reads a count of items that each take at least `min_size` bytes, refusing counts the
    /// rest of the buffer cannot hold (so a corrupt count never reserves gigabytes).
    fn count(&mut self, min_size: usize) -> Result<usize, PackedError> {
        let n = self.u32()?;
        if n.saturating_mul(min_size) > self.buf.len() - self.pos {
            return self.fail(format!("a count of {n} exceeds what is left of the buffer"));
        }
        Ok(n)
    }

    /// Reads a byte string.
    pub fn bytes(&mut self) -> Result<&'a [u8], PackedError> {
        let n = self.u32()?;
        self.take(n)
    }

    /// Reads an optional byte string (`0xFFFFFFFF` is none).
    pub fn opt_bytes(&mut self) -> Result<Option<&'a [u8]>, PackedError> {
        let n = u32::from_le_bytes(self.array()?);
        if n == u32::MAX {
            return Ok(None);
        }
        self.take(n as usize).map(Some)
    }

    /// Reads a UTF-8 string.
    pub fn str(&mut self) -> Result<String, PackedError> {
        let start = self.pos;
        let b = self.bytes()?;
        match std::str::from_utf8(b) {
            Ok(s) => Ok(s.to_owned()),
            Err(e) => Err(PackedError {
                offset: start,
                reason: format!("invalid UTF-8 text: {e}"),
            }),
        }
    }

    /// Reads one tagged value.
    pub fn value(&mut self) -> Result<Value, PackedError> {
        self.value_at(0)
    }

    fn value_at(&mut self, depth: usize) -> Result<Value, PackedError> {
        if depth > MAX_DEPTH {
            return self.fail(format!("values nested deeper than {MAX_DEPTH}"));
        }
        let t = self.array::<1>()?[0];
        let seq = |r: &mut Self| -> Result<Vec<Value>, PackedError> {
            let n = r.count(1)?;
            (0..n).map(|_| r.value_at(depth + 1)).collect()
        };
        Ok(match t {
            tag::NULL => Value::Null,
            tag::UNSET => Value::Unset,
            tag::EMPTY => Value::Empty,
            tag::ASCII => Value::Ascii(self.str()?),
            tag::TEXT => Value::Text(self.str()?),
            tag::BOOLEAN => match self.array::<1>()?[0] {
                0 => Value::Boolean(false),
                1 => Value::Boolean(true),
                b => return self.fail(format!("boolean byte {b}")),
            },
            tag::TINYINT => Value::TinyInt(i8::from_le_bytes(self.array()?)),
            tag::SMALLINT => Value::SmallInt(i16::from_le_bytes(self.array()?)),
            tag::INT => Value::Int(i32::from_le_bytes(self.array()?)),
            tag::BIGINT => Value::BigInt(i64::from_le_bytes(self.array()?)),
            tag::COUNTER => Value::Counter(i64::from_le_bytes(self.array()?)),
            tag::VARINT => Value::Varint(BigInt::from_signed_bytes_be(self.bytes()?)),
            tag::FLOAT => Value::Float(f32::from_le_bytes(self.array()?)),
            tag::DOUBLE => Value::Double(f64::from_le_bytes(self.array()?)),
            tag::DECIMAL => {
                let scale = i32::from_le_bytes(self.array()?);
                let unscaled = BigInt::from_signed_bytes_be(self.bytes()?);
                Value::Decimal(BigDecimal::new(unscaled, i64::from(scale)))
            }
            tag::BLOB => Value::Blob(self.bytes()?.to_vec()),
            tag::UUID => Value::Uuid(Uuid::from_bytes(self.array()?)),
            tag::TIMEUUID => Value::Timeuuid(Uuid::from_bytes(self.array()?)),
            tag::INET => match self.array::<1>()?[0] {
                4 => Value::Inet(IpAddr::from(self.array::<4>()?)),
                16 => Value::Inet(IpAddr::from(self.array::<16>()?)),
                n => return self.fail(format!("an inet address of {n} bytes")),
            },
            tag::DATE => Value::Date(i32::from_le_bytes(self.array()?)),
            tag::TIME => Value::Time(i64::from_le_bytes(self.array()?)),
            tag::TIMESTAMP => Value::Timestamp(i64::from_le_bytes(self.array()?)),
            tag::DURATION => Value::Duration(Duration {
                months: i32::from_le_bytes(self.array()?),
                days: i32::from_le_bytes(self.array()?),
                nanoseconds: i64::from_le_bytes(self.array()?),
            }),
            tag::LIST => Value::List(seq(self)?),
            tag::SET => Value::Set(seq(self)?),
            tag::VECTOR => Value::Vector(seq(self)?),
            tag::TUPLE => Value::Tuple(seq(self)?),
            tag::MAP => {
                let n = self.count(2)?;
                Value::Map(
                    (0..n)
                        .map(|_| Ok((self.value_at(depth + 1)?, self.value_at(depth + 1)?)))
                        .collect::<Result<_, PackedError>>()?,
                )
            }
            tag::UDT => {
                let keyspace = self.str()?;
                let name = self.str()?;
                let n = self.count(5)?;
                let fields = (0..n)
                    .map(|_| Ok((self.str()?, self.value_at(depth + 1)?)))
                    .collect::<Result<_, PackedError>>()?;
                Value::Udt {
                    keyspace,
                    name,
                    fields,
                }
            }
            t => {
                self.pos -= 1;
                return self.fail(format!("unknown value tag 0x{t:02x}"));
            }
        })
    }
}

/// Packs rows of values: a row count, then per row a value count and its values.
pub fn pack_rows(rows: &[Vec<Value>]) -> Vec<u8> {
    let mut w = Writer::new();
    w.u32(rows.len());
    for row in rows {
        w.u32(row.len());
        for v in row {
            w.value(v);
        }
    }
    w.into_bytes()
}

/// Unpacks what [`pack_rows`] packed; trailing bytes are an error.
pub fn unpack_rows(buf: &[u8]) -> Result<Vec<Vec<Value>>, PackedError> {
    let mut r = Reader::new(buf);
    let n = r.count(4)?;
    let rows = (0..n)
        .map(|_| {
            let m = r.count(1)?;
            (0..m).map(|_| r.value()).collect()
        })
        .collect::<Result<_, _>>()?;
    if !r.at_end() {
        return r.fail("trailing bytes after the last row");
    }
    Ok(rows)
}

/// Packs a page: its columns (keyspace, table, name, CQL type), its rows (values only: the
/// column count is known), its paging state, warnings, tracing id and coordinator.
pub fn pack_page(page: &ResultSet) -> Vec<u8> {
    let mut w = Writer::new();
    w.u32(page.columns.len());
    for c in page.columns.iter() {
        w.str(&c.keyspace);
        w.str(&c.table);
        w.str(&c.name);
        w.str(&c.typ.to_string());
    }
    w.u32(page.rows.len());
    for row in &page.rows {
        for v in row {
            w.value(v);
        }
    }
    w.opt_bytes(page.paging_state.as_deref());
    w.u32(page.warnings.len());
    for warning in &page.warnings {
        w.str(warning);
    }
    w.opt_bytes(page.tracing_id.as_ref().map(|u| u.as_bytes().as_slice()));
    w.str(&page.coordinator.map(|a| a.to_string()).unwrap_or_default());
    w.into_bytes()
}

/// A result column as a packed page describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedColumn {
    /// Keyspace of the column's table.
    pub keyspace: String,
    /// Table.
    pub table: String,
    /// Column name.
    pub name: String,
    /// CQL type as text, e.g. `map<text, int>`.
    pub cql_type: String,
}

/// A page decoded from what [`pack_page`] packed.
#[derive(Debug, Clone, PartialEq)]
pub struct PackedPage {
    /// The columns.
    pub columns: Vec<PackedColumn>,
    /// The rows, one value per column.
    pub rows: Vec<Vec<Value>>,
    /// Where the next page starts.
    pub paging_state: Option<Vec<u8>>,
    /// The server's warnings.
    pub warnings: Vec<String>,
    /// The trace id.
    pub tracing_id: Option<Uuid>,
    /// The coordinator (`ip:port`), or empty.
    pub coordinator: String,
}

/// Unpacks what [`pack_page`] packed; trailing bytes are an error.
pub fn unpack_page(buf: &[u8]) -> Result<PackedPage, PackedError> {
    let mut r = Reader::new(buf);
    let n = r.count(16)?;
    let columns = (0..n)
        .map(|_| {
            Ok(PackedColumn {
                keyspace: r.str()?,
                table: r.str()?,
                name: r.str()?,
                cql_type: r.str()?,
            })
        })
        .collect::<Result<Vec<_>, PackedError>>()?;
    let rows_n = r.count(columns.len().max(1))?;
    let rows = (0..rows_n)
        .map(|_| (0..columns.len()).map(|_| r.value()).collect())
        .collect::<Result<_, _>>()?;
    let paging_state = r.opt_bytes()?.map(<[u8]>::to_vec);
    let warnings_n = r.count(4)?;
    let warnings = (0..warnings_n).map(|_| r.str()).collect::<Result<_, _>>()?;
    let tracing_id = match r.opt_bytes()? {
        None => None,
        Some(b) => match Uuid::from_slice(b) {
            Ok(u) => Some(u),
            Err(_) => return r.fail(format!("a tracing id of {} bytes", b.len())),
        },
    };
    let coordinator = r.str()?;
    if !r.at_end() {
        return r.fail("trailing bytes after the page");
    }
    Ok(PackedPage {
        columns,
        rows,
        paging_state,
        warnings,
        tracing_id,
        coordinator,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::ColumnSpec;
    use crate::types::CqlType;
    use std::sync::Arc;

    fn every_kind() -> Vec<Value> {
        vec![
            Value::Null,
            Value::Unset,
            Value::Empty,
            Value::Ascii("abc".into()),
            Value::Text("žluťoučký kůň ✓".into()),
            Value::Boolean(true),
            Value::TinyInt(-128),
            Value::SmallInt(i16::MIN),
            Value::Int(i32::MAX),
            Value::BigInt(i64::MIN),
            Value::Counter(42),
            Value::Varint("-123456789012345678901234567890".parse().unwrap()),
            Value::Float(f32::NEG_INFINITY),
            Value::Double(-0.5),
            Value::Decimal("-3.14159265358979323846".parse().unwrap()),
            Value::Decimal("12E+5".parse().unwrap()),
            Value::Blob(vec![0, 1, 255]),
            Value::Uuid(Uuid::from_u128(0x1234)),
            Value::Timeuuid(Uuid::from_u128(0x5678)),
            Value::Inet("10.0.0.1".parse().unwrap()),
            Value::Inet("::1".parse().unwrap()),
            Value::Date(-1),
            Value::Time(86_399_999_999_999),
            Value::Timestamp(-1_000),
            Value::Duration(Duration {
                months: -1,
                days: -2,
                nanoseconds: -3,
            }),
            Value::List(vec![Value::Int(1), Value::Null]),
            Value::Set(vec![]),
            Value::Vector(vec![Value::Float(1.5), Value::Float(2.5)]),
            Value::Tuple(vec![Value::Text("a".into()), Value::Null]),
            Value::Map(vec![(
                Value::Text("k".into()),
                Value::List(vec![Value::Set(vec![Value::BigInt(7)])]),
            )]),
            Value::Udt {
                keyspace: "ks".into(),
                name: "address".into(),
                fields: vec![
                    ("street".into(), Value::Text("x".into())),
                    ("zip".into(), Value::Null),
                ],
            },
        ]
    }

    #[test]
    fn every_kind_round_trips() {
        let rows = vec![every_kind(), vec![], vec![Value::Double(f64::NAN)]];
        let back = unpack_rows(&pack_rows(&rows)).unwrap();
        assert_eq!(back[..2], rows[..2]);
        assert!(matches!(back[2][0], Value::Double(d) if d.is_nan()));
    }

    #[test]
    fn the_encoding_is_little_endian_and_tagged() {
        let mut w = Writer::new();
        w.value(&Value::Int(1));
        w.value(&Value::Text("é".into()));
        assert_eq!(
            w.into_bytes(),
            [tag::INT, 1, 0, 0, 0, tag::TEXT, 2, 0, 0, 0, 0xC3, 0xA9]
        );
    }

    #[test]
    fn malformed_buffers_are_refused_with_their_offset() {
        let truncated = &pack_rows(&[vec![Value::BigInt(1)]])[..10];
        assert!(unpack_rows(truncated).is_err());
        let e = unpack_rows(&[1, 0, 0, 0, 1, 0, 0, 0, 0xEE]).unwrap_err();
        assert_eq!(e.offset, 8);
        assert!(e.reason.contains("0xee"), "{e}");
        // A huge count in a tiny buffer is refused before anything is reserved.
        assert!(unpack_rows(&[0xFF, 0xFF, 0xFF, 0x7F]).is_err());
        // Invalid UTF-8 text.
        assert!(unpack_rows(&[1, 0, 0, 0, 1, 0, 0, 0, tag::TEXT, 1, 0, 0, 0, 0xFF]).is_err());
        // Trailing bytes.
        let mut extra = pack_rows(&[]);
        extra.push(0);
        assert!(unpack_rows(&extra).is_err());
        // Nesting bombs stop at the depth limit.
        let mut deep = vec![1, 0, 0, 0, 1, 0, 0, 0];
        for _ in 0..100 {
            deep.extend_from_slice(&[tag::LIST, 1, 0, 0, 0]);
        }
        deep.push(tag::NULL);
        assert!(unpack_rows(&deep).unwrap_err().reason.contains("nested"));
    }

    #[test]
    fn a_page_carries_columns_rows_and_paging_state() {
        let page = ResultSet {
            columns: Arc::from(vec![ColumnSpec {
                keyspace: "ks".into(),
                table: "t".into(),
                name: "v".into(),
                typ: CqlType::List {
                    element: Box::new(CqlType::Int),
                    frozen: false,
                },
            }]),
            rows: vec![vec![Value::Null], vec![Value::List(vec![Value::Int(3)])]],
            paging_state: Some(vec![9, 9]),
            warnings: vec!["careful".into()],
            tracing_id: None,
            coordinator: Some("127.0.0.1:9042".parse().unwrap()),
        };
        let buf = pack_page(&page);
        let mut r = Reader::new(&buf);
        assert_eq!(r.u32().unwrap(), 1);
        let col: Vec<String> = (0..4).map(|_| r.str().unwrap()).collect();
        assert_eq!(col, ["ks", "t", "v", "list<int>"]);
        assert_eq!(r.u32().unwrap(), 2);
        assert_eq!(r.value().unwrap(), Value::Null);
        assert_eq!(r.value().unwrap(), Value::List(vec![Value::Int(3)]));
        assert_eq!(r.opt_bytes().unwrap(), Some(&[9u8, 9][..]));
        assert_eq!(r.u32().unwrap(), 1);
        assert_eq!(r.str().unwrap(), "careful");
        assert_eq!(r.opt_bytes().unwrap(), None);
        assert_eq!(r.str().unwrap(), "127.0.0.1:9042");
        assert!(r.at_end());

        let back = unpack_page(&buf).unwrap();
        assert_eq!(back.columns[0].cql_type, "list<int>");
        assert_eq!(back.rows, page.rows);
        assert_eq!(back.paging_state, page.paging_state);
        assert_eq!(back.warnings, page.warnings);
        assert_eq!(back.coordinator, "127.0.0.1:9042");
        let mut longer = buf.clone();
        longer.push(0);
        assert!(unpack_page(&longer)
            .unwrap_err()
            .reason
            .contains("trailing"));
        assert!(unpack_page(&buf[..buf.len() - 1]).is_err());
    }
}
