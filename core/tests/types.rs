//! Every CQL type round-trips through the real node: bound to prepared statements, bound to
//! simple statements with values, and written as CQL literals then read back.

mod common;

use std::net::IpAddr;

use bigdecimal::BigDecimal;
use cqlbridge_core::{CqlType, Duration, Prepared, Session, Value};
use num_bigint::BigInt;
use uuid::Uuid;

const KS: &str = "cqlb_it_types";

const DDL: &[&str] = &[
    "CREATE TYPE IF NOT EXISTS address (street text, zip int, tags frozen<set<text>>)",
    "CREATE TABLE IF NOT EXISTS all_types (
        id int PRIMARY KEY,
        a ascii, t text, vc varchar, b boolean, ti tinyint, si smallint, i int, bi bigint,
        vi varint, f float, d double, dec decimal, bl blob, u uuid, tu timeuuid, ip inet,
        dt date, tm time, ts timestamp, du duration,
        l list<int>, s set<text>, m map<text, bigint>,
        fl frozen<list<frozen<map<int, text>>>>, nested list<frozen<set<uuid>>>,
        tup tuple<int, text, double>, addr frozen<address>, addrs list<frozen<address>>,
        vec vector<float, 3>)",
    "CREATE TABLE IF NOT EXISTS counters (id int PRIMARY KEY, c counter)",
];

/// Column names of `all_types` after `id`, in the order of [`values_row`].
const COLUMNS: &[&str] = &[
    "a", "t", "vc", "b", "ti", "si", "i", "bi", "vi", "f", "d", "dec", "bl", "u", "tu", "ip", "dt",
    "tm", "ts", "du", "l", "s", "m", "fl", "nested", "tup", "addr", "addrs", "vec",
];

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

fn udt(street: Value, zip: Value, tags: Value) -> Value {
    Value::Udt {
        keyspace: KS.into(),
        name: "address".into(),
        fields: vec![
            ("street".into(), street),
            ("zip".into(), zip),
            ("tags".into(), tags),
        ],
    }
}

fn typical() -> Vec<Value> {
    let u = Uuid::parse_str("3f1e2d4c-5b6a-4798-8a7b-6c5d4e3f2a1b").unwrap();
    let tu = Uuid::parse_str("e3d0c2a0-8b1e-11ef-9a2b-0242ac120002").unwrap();
    vec![
        Value::Ascii("plain ascii".into()),
        text("ünïcödé ✓ 中文"),
        text("varchar is text"),
        Value::Boolean(true),
        Value::TinyInt(-8),
        Value::SmallInt(1234),
        Value::Int(-123456),
        Value::BigInt(1 << 40),
        Value::Varint("123456789012345678901234567890".parse::<BigInt>().unwrap()),
        Value::Float(1.5),
        Value::Double(-2.25e-300),
        Value::Decimal(
            "3.14159265358979323846264338327950288"
                .parse::<BigDecimal>()
                .unwrap(),
        ),
        Value::Blob(vec![0, 1, 2, 254, 255]),
        Value::Uuid(u),
        Value::Timeuuid(tu),
        Value::Inet("192.168.10.1".parse::<IpAddr>().unwrap()),
        Value::Date(19_723),
        Value::Time(13 * 3600 * 1_000_000_000 + 5),
        Value::Timestamp(1_700_000_000_123),
        Value::Duration(Duration {
            months: 1,
            days: 2,
            nanoseconds: 3_000_000_004,
        }),
        Value::List(vec![Value::Int(3), Value::Int(1), Value::Int(3)]),
        Value::Set(vec![text("a"), text("b"), text("c")]),
        Value::Map(vec![
            (text("k1"), Value::BigInt(1)),
            (text("k2"), Value::BigInt(-2)),
        ]),
        Value::List(vec![
            Value::Map(vec![
                (Value::Int(1), text("one")),
                (Value::Int(2), text("two")),
            ]),
            Value::Map(vec![]),
        ]),
        Value::List(vec![Value::Set(vec![Value::Uuid(u)]), Value::Set(vec![])]),
        Value::Tuple(vec![Value::Int(7), text("seven"), Value::Double(7.5)]),
        udt(
            text("1 Main St"),
            Value::Int(12345),
            Value::Set(vec![text("home")]),
        ),
        Value::List(vec![
            udt(text("a"), Value::Int(1), Value::Set(vec![])),
            udt(Value::Null, Value::Null, Value::Null),
        ]),
        Value::Vector(vec![
            Value::Float(0.5),
            Value::Float(-1.0),
            Value::Float(1e10),
        ]),
    ]
}

fn extremes() -> Vec<Value> {
    vec![
        Value::Ascii(String::new()),
        text(""),
        text("'); DROP TABLE all_types; --"),
        Value::Boolean(false),
        Value::TinyInt(i8::MIN),
        Value::SmallInt(i16::MAX),
        Value::Int(i32::MIN),
        Value::BigInt(i64::MAX),
        Value::Varint(
            -"98765432109876543210987654321098765432109876543210"
                .parse::<BigInt>()
                .unwrap(),
        ),
        Value::Float(f32::NAN),
        Value::Double(f64::INFINITY),
        Value::Decimal(
            "-0.000000000000000000000000000001"
                .parse::<BigDecimal>()
                .unwrap(),
        ),
        Value::Blob(vec![]),
        Value::Uuid(Uuid::nil()),
        Value::Timeuuid(Uuid::parse_str("00000000-0000-1000-8000-000000000000").unwrap()),
        Value::Inet("::1".parse::<IpAddr>().unwrap()),
        Value::Date(i32::MIN),
        Value::Time(86_399_999_999_999),
        Value::Timestamp(-62_135_596_800_000),
        Value::Duration(Duration {
            months: -1,
            days: -2,
            nanoseconds: -3,
        }),
        Value::List(vec![Value::Int(i32::MAX)]),
        Value::Set(vec![text("")]),
        Value::Map(vec![(text(""), Value::BigInt(i64::MIN))]),
        Value::List(vec![]),
        Value::List(vec![]),
        Value::Tuple(vec![
            Value::Null,
            Value::Null,
            Value::Double(f64::NEG_INFINITY),
        ]),
        udt(Value::Null, Value::Null, Value::Null),
        Value::Null,
        Value::Vector(vec![
            Value::Float(f32::INFINITY),
            Value::Float(f32::MIN),
            Value::Float(-0.0),
        ]),
    ]
}

fn nulls() -> Vec<Value> {
    vec![Value::Null; COLUMNS.len()]
}

/// What the server gives back for a written value: non-frozen empty collections are null.
fn as_read_back(v: &Value) -> Value {
    match v {
        Value::List(items) | Value::Set(items) if items.is_empty() => Value::Null,
        Value::Map(entries) if entries.is_empty() => Value::Null,
        other => other.clone(),
    }
}

/// Value equality where NaN equals NaN and -0.0 differs from 0.0.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
        (Value::Double(x), Value::Double(y)) => x.to_bits() == y.to_bits(),
        (Value::List(x), Value::List(y))
        | (Value::Set(x), Value::Set(y))
        | (Value::Vector(x), Value::Vector(y))
        | (Value::Tuple(x), Value::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, va), (kb, vb))| same(ka, kb) && same(va, vb))
        }
        _ => a == b,
    }
}

async fn read_row(session: &Session, id: i32) -> Vec<Value> {
    let rs = session
        .execute(
            format!("SELECT {} FROM all_types WHERE id = ?", COLUMNS.join(", ")),
            vec![Value::Int(id)],
        )
        .await
        .unwrap();
    assert_eq!(rs.rows.len(), 1, "row {id} was written");
    rs.rows.into_iter().next().unwrap()
}

fn assert_row(id: i32, written: &[Value], read: &[Value]) {
    for ((name, w), r) in COLUMNS.iter().zip(written).zip(read) {
        let expected = if *name == "fl" || *name == "tup" || *name == "addr" || *name == "vec" {
            w.clone() // frozen values keep empty collections
        } else {
            as_read_back(w)
        };
        assert!(
            same(&expected, r),
            "row {id}, column {name}: wrote {w:?}, read {r:?}"
        );
    }
}

async fn insert_stmt(session: &Session) -> Prepared {
    let markers = vec!["?"; COLUMNS.len() + 1].join(", ");
    session
        .prepare(format!(
            "INSERT INTO all_types (id, {}) VALUES ({markers})",
            COLUMNS.join(", ")
        ))
        .await
        .unwrap()
}

#[tokio::test]
async fn every_type_round_trips_through_a_prepared_statement() {
    let session = common::session_with(KS, DDL).await;
    let insert = insert_stmt(&session).await;
    assert_eq!(insert.params().len(), COLUMNS.len() + 1);
    assert_eq!(
        insert.params()[29].typ,
        CqlType::Vector {
            element: Box::new(CqlType::Float),
            dimensions: 3
        }
    );
    for (id, row) in [(1, typical()), (2, extremes()), (3, nulls())] {
        let mut values = vec![Value::Int(id)];
        values.extend(row.iter().cloned());
        session.execute_prepared(&insert, values).await.unwrap();
        assert_row(id, &row, &read_row(&session, id).await);
    }
}

#[tokio::test]
async fn every_type_round_trips_through_a_simple_statement_with_values() {
    let session = common::session_with(KS, DDL).await;
    let markers = vec!["?"; COLUMNS.len() + 1].join(", ");
    let cql = format!(
        "INSERT INTO all_types (id, {}) VALUES ({markers})",
        COLUMNS.join(", ")
    );
    for (id, row) in [(11, typical()), (12, extremes()), (13, nulls())] {
        let mut values = vec![Value::Int(id)];
        values.extend(row.iter().cloned());
        session.execute(cql.as_str(), values).await.unwrap();
        assert_row(id, &row, &read_row(&session, id).await);
    }
}

#[tokio::test]
async fn cql_literals_decode_to_the_same_values() {
    let session = common::session_with(KS, DDL).await;
    session
        .execute(
            "INSERT INTO all_types (id, a, t, vc, b, ti, si, i, bi, vi, f, d, dec, bl, u, tu, ip, dt, tm, ts, du,
                l, s, m, fl, nested, tup, addr, addrs, vec) VALUES (21,
                'plain ascii', 'ünïcödé ✓ 中文', 'varchar is text', true, -8, 1234, -123456, 1099511627776,
                123456789012345678901234567890, 1.5, -2.25e-300, 3.14159265358979323846264338327950288,
                0x000102feff, 3f1e2d4c-5b6a-4798-8a7b-6c5d4e3f2a1b, e3d0c2a0-8b1e-11ef-9a2b-0242ac120002,
                '192.168.10.1', '2024-01-01', '13:00:00.000000005', 1700000000123, 1mo2d3s4ns,
                [3, 1, 3], {'c', 'a', 'b'}, {'k2': -2, 'k1': 1}, [{1: 'one', 2: 'two'}, {}],
                [{3f1e2d4c-5b6a-4798-8a7b-6c5d4e3f2a1b}, {}], (7, 'seven', 7.5),
                {street: '1 Main St', zip: 12345, tags: {'home'}},
                [{street: 'a', zip: 1, tags: {}}, {street: null}], [0.5, -1.0, 1e10])",
            (),
        )
        .await
        .unwrap();
    let row = read_row(&session, 21).await;
    assert_row(21, &typical(), &row);
}

#[tokio::test]
async fn values_are_coerced_to_the_column_type_or_refused_before_sending() {
    let session = common::session_with(KS, DDL).await;
    // Integers of any width bind to any integer column that holds them; text to ascii.
    session
        .execute(
            "INSERT INTO all_types (id, ti, si, i, vi, a, d, ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                Value::BigInt(31),
                Value::BigInt(127),
                Value::Int(-32768),
                Value::BigInt(2_147_483_647),
                Value::BigInt(-1),
                text("ascii via text"),
                Value::Int(3),
                Value::BigInt(86_400_000),
            ],
        )
        .await
        .unwrap();
    let rs = session
        .execute(
            "SELECT ti, si, i, vi, a, d, ts FROM all_types WHERE id = 31",
            (),
        )
        .await
        .unwrap();
    assert_eq!(
        rs.rows[0],
        vec![
            Value::TinyInt(127),
            Value::SmallInt(-32768),
            Value::Int(2_147_483_647),
            Value::Varint(BigInt::from(-1)),
            Value::Ascii("ascii via text".into()),
            Value::Double(3.0),
            Value::Timestamp(86_400_000),
        ]
    );
    assert_eq!(
        rs.columns
            .iter()
            .map(|c| c.typ.to_string())
            .collect::<Vec<_>>(),
        [
            "tinyint",
            "smallint",
            "int",
            "varint",
            "ascii",
            "double",
            "timestamp"
        ]
    );
}

#[tokio::test]
async fn counters_round_trip() {
    let session = common::session_with(KS, DDL).await;
    session
        .execute("DELETE FROM counters WHERE id = 1", ())
        .await
        .unwrap();
    let incr = session
        .prepare("UPDATE counters SET c = c + ? WHERE id = ?")
        .await
        .unwrap();
    session
        .execute_prepared(&incr, vec![Value::Counter(i64::MAX - 1), Value::Int(1)])
        .await
        .unwrap();
    session
        .execute_prepared(&incr, vec![Value::BigInt(1), Value::Int(1)])
        .await
        .unwrap();
    let rs = session
        .execute("SELECT c FROM counters WHERE id = 1", ())
        .await
        .unwrap();
    assert_eq!(rs.rows, vec![vec![Value::Counter(i64::MAX)]]);
    assert_eq!(rs.columns[0].typ, CqlType::Counter);
}

#[tokio::test]
async fn unset_leaves_a_column_as_it_was_and_null_clears_it() {
    let session = common::session_with(KS, DDL).await;
    let insert = session
        .prepare("INSERT INTO all_types (id, t, i) VALUES (?, ?, ?)")
        .await
        .unwrap();
    session
        .execute_prepared(&insert, vec![Value::Int(41), text("kept"), Value::Int(5)])
        .await
        .unwrap();
    session
        .execute_prepared(&insert, vec![Value::Int(41), Value::Unset, Value::Null])
        .await
        .unwrap();
    let rs = session
        .execute("SELECT t, i FROM all_types WHERE id = 41", ())
        .await
        .unwrap();
    assert_eq!(rs.rows, vec![vec![text("kept"), Value::Null]]);
    // Named values: a marker without a value is unset.
    session
        .execute(
            "UPDATE all_types SET t = :t, i = :i WHERE id = :id",
            cqlbridge_core::Values::Named(vec![
                ("id".into(), Value::Int(41)),
                ("i".into(), Value::Int(9)),
            ]),
        )
        .await
        .unwrap();
    let rs = session
        .execute("SELECT t, i FROM all_types WHERE id = 41", ())
        .await
        .unwrap();
    assert_eq!(rs.rows, vec![vec![text("kept"), Value::Int(9)]]);
}
