//! CQL rendering for models: DDL and DML. Pure. Identifiers are always quoted; values are
//! always bind markers with their values alongside, never interpolated. Only DDL options
//! (which CQL cannot bind) are rendered as escaped literals.

use std::fmt::Write as _;

use super::schema::{ClusteringOrder, ColumnDef, KeyKind, ModelSchema, OptionValue};
use crate::types::CqlType;
use crate::value::Value;

/// A statement with its bind values, in marker order.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// The CQL text, with `?` markers.
    pub cql: String,
    /// One value per marker.
    pub values: Vec<Value>,
}

/// Quotes an identifier: `"name"`, with inner quotes doubled.
pub use crate::types::quote_identifier as quote;

/// A string literal: `'text'`, with inner quotes doubled (DDL options only).
pub fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The model's table, qualified by its keyspace when it has one.
pub fn table_ref(m: &ModelSchema) -> String {
    match &m.keyspace {
        Some(ks) => format!("{}.{}", quote(ks), quote(&m.table)),
        None => quote(&m.table),
    }
}

/// A type as CQL spells it in DDL, with UDT names quoted but not qualified (a table's UDTs
/// live in its keyspace).
pub fn type_ddl(t: &CqlType) -> String {
    match t {
        CqlType::Udt { name, frozen, .. } => {
            if *frozen {
                format!("frozen<{}>", quote(name))
            } else {
                quote(name)
            }
        }
        CqlType::List { element, frozen } => wrap(*frozen, format!("list<{}>", type_ddl(element))),
        CqlType::Set { element, frozen } => wrap(*frozen, format!("set<{}>", type_ddl(element))),
        CqlType::Map { key, value, frozen } => wrap(
            *frozen,
            format!("map<{}, {}>", type_ddl(key), type_ddl(value)),
        ),
        CqlType::Tuple(ts) => format!(
            "tuple<{}>",
            ts.iter().map(type_ddl).collect::<Vec<_>>().join(", ")
        ),
        CqlType::Vector {
            element,
            dimensions,
        } => format!("vector<{}, {dimensions}>", type_ddl(element)),
        // A custom type is a class name in a string literal: escaped like any literal.
        CqlType::Custom(name) => literal(name),
        other => other.to_string(),
    }
}

fn wrap(frozen: bool, inner: String) -> String {
    if frozen {
        format!("frozen<{inner}>")
    } else {
        inner
    }
}

/// An option's value as a CQL literal.
pub fn option_literal(v: &OptionValue) -> String {
    match v {
        OptionValue::Int(i) => i.to_string(),
        // CQL spells the non-finite ones NaN, Infinity and -Infinity (Rust: NaN, inf, -inf).
        OptionValue::Float(f) if f.is_infinite() => {
            if *f > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
        }
        OptionValue::Float(f) => format!("{f:?}"),
        OptionValue::Text(s) => literal(s),
        OptionValue::Map(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}: {}", literal(k), literal(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// `CREATE TABLE IF NOT EXISTS` with keys, clustering order and options.
pub fn create_table(m: &ModelSchema) -> String {
    let mut cql = format!("CREATE TABLE IF NOT EXISTS {} (", table_ref(m));
    for c in &m.columns {
        let _ = write!(
            cql,
            "{} {}{}, ",
            quote(c.db_name()),
            type_ddl(&c.typ),
            if c.is_static { " STATIC" } else { "" }
        );
    }
    let partition: Vec<String> = m.partition_key().map(|c| quote(c.db_name())).collect();
    let clustering: Vec<String> = m.clustering_key().map(|c| quote(c.db_name())).collect();
    let _ = write!(cql, "PRIMARY KEY (({})", partition.join(", "));
    for c in &clustering {
        let _ = write!(cql, ", {c}");
    }
    cql.push_str("))");
    let mut with: Vec<String> = Vec::new();
    if m.clustering_key().next().is_some() {
        let order: Vec<String> = m
            .clustering_key()
            .map(|c| {
                let dir = match c.key {
                    KeyKind::Clustering(ClusteringOrder::Desc) => "DESC",
                    _ => "ASC",
                };
                format!("{} {dir}", quote(c.db_name()))
            })
            .collect();
        with.push(format!("CLUSTERING ORDER BY ({})", order.join(", ")));
    }
    with.extend(options(m, m.options.iter()));
    if !with.is_empty() {
        let _ = write!(cql, " WITH {}", with.join(" AND "));
    }
    cql
}

fn options<'a>(
    m: &ModelSchema,
    opts: impl Iterator<Item = (&'a String, &'a OptionValue)>,
) -> Vec<String> {
    let mut out: Vec<String> = opts
        .map(|(k, v)| format!("{k} = {}", option_literal(v)))
        .collect();
    if let Some(ttl) = m.default_ttl {
        if !m.options.contains_key("default_time_to_live") {
            out.push(format!("default_time_to_live = {ttl}"));
        }
    }
    out
}

/// `ALTER TABLE ... ADD` for one column.
pub fn add_column(m: &ModelSchema, c: &ColumnDef) -> String {
    format!(
        "ALTER TABLE {} ADD {} {}{}",
        table_ref(m),
        quote(c.db_name()),
        type_ddl(&c.typ),
        if c.is_static { " STATIC" } else { "" }
    )
}

/// The name cqlbridge gives a column's index: `<table>_<column>_idx`.
pub fn index_name(m: &ModelSchema, c: &ColumnDef) -> String {
    format!("{}_{}_idx", m.table, c.db_name())
}

/// `CREATE INDEX IF NOT EXISTS` on one column: on its values (a map's values), or on the whole
/// value of a frozen collection (`FULL`).
pub fn create_index(m: &ModelSchema, c: &ColumnDef) -> String {
    let target = match c.typ {
        CqlType::List { frozen: true, .. }
        | CqlType::Set { frozen: true, .. }
        | CqlType::Map { frozen: true, .. } => {
            format!("FULL({})", quote(c.db_name()))
        }
        _ => quote(c.db_name()),
    };
    format!(
        "CREATE INDEX IF NOT EXISTS {} ON {} ({target})",
        quote(&index_name(m, c)),
        table_ref(m)
    )
}

/// `ALTER TABLE ... WITH` for the given options.
pub fn alter_options<'a>(
    m: &ModelSchema,
    opts: impl Iterator<Item = (&'a String, &'a OptionValue)>,
) -> String {
    format!(
        "ALTER TABLE {} WITH {}",
        table_ref(m),
        options_only(opts).join(" AND ")
    )
}

fn options_only<'a>(opts: impl Iterator<Item = (&'a String, &'a OptionValue)>) -> Vec<String> {
    opts.map(|(k, v)| format!("{k} = {}", option_literal(v)))
        .collect()
}

/// `DROP TABLE IF EXISTS`.
pub fn drop_table(m: &ModelSchema) -> String {
    format!("DROP TABLE IF EXISTS {}", table_ref(m))
}

/// `CREATE KEYSPACE IF NOT EXISTS` with SimpleStrategy.
pub fn create_keyspace_simple(name: &str, replication_factor: u32, durable_writes: bool) -> String {
    format!(
        "CREATE KEYSPACE IF NOT EXISTS {} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': {replication_factor}}} AND durable_writes = {durable_writes}",
        quote(name)
    )
}

/// `CREATE KEYSPACE IF NOT EXISTS` with NetworkTopologyStrategy.
pub fn create_keyspace_network_topology(
    name: &str,
    datacenters: &[(String, u32)],
    durable_writes: bool,
) -> String {
    let dcs: Vec<String> = datacenters
        .iter()
        .map(|(dc, rf)| format!("{}: {rf}", literal(dc)))
        .collect();
    format!(
        "CREATE KEYSPACE IF NOT EXISTS {} WITH replication = {{'class': 'NetworkTopologyStrategy', {}}} AND durable_writes = {durable_writes}",
        quote(name),
        dcs.join(", ")
    )
}

/// `DROP KEYSPACE IF EXISTS`.
pub fn drop_keyspace(name: &str) -> String {
    format!("DROP KEYSPACE IF EXISTS {}", quote(name))
}

/// `CREATE TYPE IF NOT EXISTS`.
pub fn create_type(keyspace: Option<&str>, name: &str, fields: &[(String, CqlType)]) -> String {
    let ks = keyspace
        .map(|k| format!("{}.", quote(k)))
        .unwrap_or_default();
    let fields: Vec<String> = fields
        .iter()
        .map(|(n, t)| format!("{} {}", quote(n), type_ddl(t)))
        .collect();
    format!(
        "CREATE TYPE IF NOT EXISTS {ks}{} ({})",
        quote(name),
        fields.join(", ")
    )
}

/// `ALTER TYPE ... ADD` for one field.
pub fn add_type_field(keyspace: Option<&str>, name: &str, field: &str, typ: &CqlType) -> String {
    let ks = keyspace
        .map(|k| format!("{}.", quote(k)))
        .unwrap_or_default();
    format!(
        "ALTER TYPE {ks}{} ADD {} {}",
        quote(name),
        quote(field),
        type_ddl(typ)
    )
}

/// `USING TTL ? AND TIMESTAMP ?` (either part optional), pushing their values.
fn using(ttl: Option<i32>, timestamp: Option<i64>, values: &mut Vec<Value>) -> String {
    let mut parts = Vec::new();
    if let Some(t) = ttl {
        parts.push("TTL ?");
        values.push(Value::Int(t));
    }
    if let Some(ts) = timestamp {
        parts.push("TIMESTAMP ?");
        values.push(Value::BigInt(ts));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" USING {}", parts.join(" AND "))
    }
}

/// A comparison in a WHERE or IF clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `=`
    Eq,
    /// `!=` (conditions only)
    Ne,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `IN`
    In,
    /// `CONTAINS` (collections)
    Contains,
    /// `CONTAINS KEY` (maps)
    ContainsKey,
}

impl Op {
    /// The operator's CQL.
    pub fn cql(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::In => "IN",
            Op::Contains => "CONTAINS",
            Op::ContainsKey => "CONTAINS KEY",
        }
    }
}

/// One restriction: a column (by its name in the table) compared with a bound value, or the
/// partition key's token compared with a token value.
#[derive(Debug, Clone, PartialEq)]
pub enum Restriction {
    /// `"column" op ?`
    Column {
        /// The column's name in the table.
        column: String,
        /// The comparison.
        op: Op,
        /// The bound value (a list for `IN`).
        value: Value,
    },
    /// `token(partition key) op ?` or `token(partition key) op token(?, ...)`
    Token {
        /// The comparison (`>`, `>=`, `<`, `<=`, `=`).
        op: Op,
        /// The token, or the key whose token it is.
        value: TokenBound,
    },
}

/// The right side of a token restriction.
#[derive(Debug, Clone, PartialEq)]
pub enum TokenBound {
    /// A token (Murmur3: a bigint).
    Token(i64),
    /// The token of this partition key (one value per partition-key column), computed by the
    /// server: `token(?, ...)`.
    KeyOf(Vec<Value>),
}

fn where_clause(m: &ModelSchema, restrictions: &[Restriction], values: &mut Vec<Value>) -> String {
    if restrictions.is_empty() {
        return String::new();
    }
    let pk: Vec<String> = m.partition_key().map(|c| quote(c.db_name())).collect();
    let parts: Vec<String> = restrictions
        .iter()
        .map(|r| match r {
            Restriction::Column { column, op, value } => {
                values.push(value.clone());
                format!("{} {} ?", quote(column), op.cql())
            }
            Restriction::Token {
                op,
                value: TokenBound::Token(t),
            } => {
                values.push(Value::BigInt(*t));
                format!("token({}) {} ?", pk.join(", "), op.cql())
            }
            Restriction::Token {
                op,
                value: TokenBound::KeyOf(key),
            } => {
                values.extend(key.iter().cloned());
                let markers = vec!["?"; key.len()].join(", ");
                format!("token({}) {} token({markers})", pk.join(", "), op.cql())
            }
        })
        .collect();
    format!(" WHERE {}", parts.join(" AND "))
}

/// A lightweight-transaction clause.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Lwt {
    /// None.
    #[default]
    None,
    /// `IF NOT EXISTS` (inserts).
    IfNotExists,
    /// `IF EXISTS` (updates, deletes).
    IfExists,
    /// `IF "a" = ? AND ...` (updates, deletes).
    If(Vec<(String, Op, Value)>),
}

fn lwt(l: &Lwt, values: &mut Vec<Value>) -> String {
    match l {
        Lwt::None => String::new(),
        Lwt::IfNotExists => " IF NOT EXISTS".into(),
        Lwt::IfExists => " IF EXISTS".into(),
        Lwt::If(conds) => {
            let parts: Vec<String> = conds
                .iter()
                .map(|(c, op, v)| {
                    values.push(v.clone());
                    format!("{} {} ?", quote(c), op.cql())
                })
                .collect();
            format!(" IF {}", parts.join(" AND "))
        }
    }
}

/// `INSERT INTO ... (cols) VALUES (?, ...)` with optional `IF NOT EXISTS`, TTL and timestamp.
pub fn insert(
    m: &ModelSchema,
    columns: &[(String, Value)],
    if_not_exists: bool,
    ttl: Option<i32>,
    timestamp: Option<i64>,
) -> Rendered {
    let mut values: Vec<Value> = columns.iter().map(|(_, v)| v.clone()).collect();
    let names: Vec<String> = columns.iter().map(|(c, _)| quote(c)).collect();
    let markers = vec!["?"; columns.len()].join(", ");
    let mut cql = format!(
        "INSERT INTO {} ({}) VALUES ({markers})",
        table_ref(m),
        names.join(", ")
    );
    if if_not_exists {
        cql.push_str(" IF NOT EXISTS");
    }
    cql.push_str(&using(ttl, timestamp, &mut values));
    Rendered { cql, values }
}

/// One assignment of an UPDATE.
#[derive(Debug, Clone, PartialEq)]
pub enum Assign {
    /// `"c" = ?` (null deletes the column)
    Set(Value),
    /// `"c" = "c" + ?`: add to a set, append to a list, merge into a map, increment a counter.
    Add(Value),
    /// `"c" = "c" - ?`: remove from a set or list, remove map keys (a set), decrement a counter.
    Remove(Value),
    /// `"c" = ? + "c"`: prepend to a list.
    Prepend(Value),
    /// `"c"[?] = ?`: set one map entry (or list element by index).
    SetAt(Value, Value),
}

/// `UPDATE ... SET ... WHERE key ...` with optional LWT, TTL and timestamp.
pub fn update(
    m: &ModelSchema,
    key: &[Restriction],
    assignments: &[(String, Assign)],
    condition: &Lwt,
    ttl: Option<i32>,
    timestamp: Option<i64>,
) -> Rendered {
    let mut values = Vec::new();
    let using = using(ttl, timestamp, &mut values);
    let sets: Vec<String> = assignments
        .iter()
        .map(|(c, a)| {
            let q = quote(c);
            match a {
                Assign::Set(v) => {
                    values.push(v.clone());
                    format!("{q} = ?")
                }
                Assign::Add(v) => {
                    values.push(v.clone());
                    format!("{q} = {q} + ?")
                }
                Assign::Remove(v) => {
                    values.push(v.clone());
                    format!("{q} = {q} - ?")
                }
                Assign::Prepend(v) => {
                    values.push(v.clone());
                    format!("{q} = ? + {q}")
                }
                Assign::SetAt(k, v) => {
                    values.push(k.clone());
                    values.push(v.clone());
                    format!("{q}[?] = ?")
                }
            }
        })
        .collect();
    let mut cql = format!("UPDATE {}{using} SET {}", table_ref(m), sets.join(", "));
    cql.push_str(&where_clause(m, key, &mut values));
    cql.push_str(&lwt(condition, &mut values));
    Rendered { cql, values }
}

/// What a DELETE removes.
#[derive(Debug, Clone, PartialEq)]
pub enum DeleteTarget {
    /// A whole column.
    Column(String),
    /// One map entry (or list element by index): `"c"[?]`.
    Element(String, Value),
}

/// `DELETE [targets] FROM ... WHERE ...` with optional LWT and timestamp; no targets deletes
/// the row(s).
pub fn delete(
    m: &ModelSchema,
    targets: &[DeleteTarget],
    restrictions: &[Restriction],
    condition: &Lwt,
    timestamp: Option<i64>,
) -> Rendered {
    let mut values = Vec::new();
    let names: Vec<String> = targets
        .iter()
        .map(|t| match t {
            DeleteTarget::Column(c) => quote(c),
            DeleteTarget::Element(c, k) => {
                values.push(k.clone());
                format!("{}[?]", quote(c))
            }
        })
        .collect();
    let mut cql = if names.is_empty() {
        "DELETE FROM ".to_owned()
    } else {
        format!("DELETE {} FROM ", names.join(", "))
    };
    cql.push_str(&table_ref(m));
    cql.push_str(&using(None, timestamp, &mut values));
    cql.push_str(&where_clause(m, restrictions, &mut values));
    cql.push_str(&lwt(condition, &mut values));
    Rendered { cql, values }
}

/// What a SELECT asks for.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SelectSpec {
    /// Columns by their names in the table; every column when empty.
    pub columns: Vec<String>,
    /// `SELECT DISTINCT` (partition key columns only).
    pub distinct: bool,
    /// `SELECT COUNT(*)`.
    pub count: bool,
    /// Restrictions, joined with AND.
    pub restrictions: Vec<Restriction>,
    /// `ORDER BY` clustering columns.
    pub order_by: Vec<(String, ClusteringOrder)>,
    /// `LIMIT ?`
    pub limit: Option<i32>,
    /// `ALLOW FILTERING`
    pub allow_filtering: bool,
}

/// `SELECT ... FROM ... [WHERE ...] [ORDER BY ...] [LIMIT ?] [ALLOW FILTERING]`.
pub fn select(m: &ModelSchema, spec: &SelectSpec) -> Rendered {
    let mut values = Vec::new();
    let what = if spec.count {
        "COUNT(*)".to_owned()
    } else if spec.columns.is_empty() {
        m.columns
            .iter()
            .map(|c| quote(c.db_name()))
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        spec.columns
            .iter()
            .map(|c| quote(c))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut cql = format!(
        "SELECT {}{what} FROM {}",
        if spec.distinct { "DISTINCT " } else { "" },
        table_ref(m)
    );
    cql.push_str(&where_clause(m, &spec.restrictions, &mut values));
    if !spec.order_by.is_empty() {
        let order: Vec<String> = spec
            .order_by
            .iter()
            .map(|(c, o)| {
                format!(
                    "{} {}",
                    quote(c),
                    if *o == ClusteringOrder::Desc {
                        "DESC"
                    } else {
                        "ASC"
                    }
                )
            })
            .collect();
        let _ = write!(cql, " ORDER BY {}", order.join(", "));
    }
    if let Some(limit) = spec.limit {
        cql.push_str(" LIMIT ?");
        values.push(Value::Int(limit));
    }
    if spec.allow_filtering {
        cql.push_str(" ALLOW FILTERING");
    }
    Rendered { cql, values }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapper::schema::ColumnDef;

    fn events() -> ModelSchema {
        ModelSchema::new("SensorEvent")
            .keyspace("ks")
            .column(ColumnDef::new("sensor_id", CqlType::Uuid).partition_key())
            .column(ColumnDef::new("day", CqlType::Date).partition_key())
            .column(ColumnDef::new("at", CqlType::Timestamp).clustering(ClusteringOrder::Desc))
            .column(ColumnDef::new("seq", CqlType::Int).clustering(ClusteringOrder::Asc))
            .column(ColumnDef::new("kind", CqlType::Text).static_column())
            .column(ColumnDef::new(
                "tags",
                CqlType::Set {
                    element: Box::new(CqlType::Text),
                    frozen: false,
                },
            ))
            .column(ColumnDef::new("reading", CqlType::Double).db_field("value"))
            .option("gc_grace_seconds", OptionValue::Int(3600))
            .option(
                "compaction",
                OptionValue::Map(
                    [("class".to_owned(), "LeveledCompactionStrategy".to_owned())].into(),
                ),
            )
            .option("comment", OptionValue::Text("it's a table".into()))
    }

    #[test]
    fn create_table_with_a_composite_partition_key_and_clustering_order() {
        assert_eq!(
            create_table(&events()),
            "CREATE TABLE IF NOT EXISTS \"ks\".\"sensor_event\" (\"sensor_id\" uuid, \"day\" date, \"at\" timestamp, \
             \"seq\" int, \"kind\" text STATIC, \"tags\" set<text>, \"value\" double, \
             PRIMARY KEY ((\"sensor_id\", \"day\"), \"at\", \"seq\")) \
             WITH CLUSTERING ORDER BY (\"at\" DESC, \"seq\" ASC) AND comment = 'it''s a table' \
             AND compaction = {'class': 'LeveledCompactionStrategy'} AND gc_grace_seconds = 3600"
        );
    }

    #[test]
    fn alter_add_index_and_options() {
        let m = events();
        let c = ColumnDef::new(
            "note",
            CqlType::Map {
                key: Box::new(CqlType::Text),
                value: Box::new(CqlType::Int),
                frozen: false,
            },
        );
        assert_eq!(
            add_column(&m, &c),
            "ALTER TABLE \"ks\".\"sensor_event\" ADD \"note\" map<text, int>"
        );
        assert_eq!(
            create_index(&m, m.get("tags").unwrap()),
            "CREATE INDEX IF NOT EXISTS \"sensor_event_tags_idx\" ON \"ks\".\"sensor_event\" (\"tags\")"
        );
        let opts = [("gc_grace_seconds".to_owned(), OptionValue::Int(10))];
        assert_eq!(
            alter_options(&m, opts.iter().map(|(k, v)| (k, v))),
            "ALTER TABLE \"ks\".\"sensor_event\" WITH gc_grace_seconds = 10"
        );
    }

    #[test]
    fn insert_binds_every_value_with_ttl_and_timestamp() {
        let r = insert(
            &events(),
            &[
                ("sensor_id".into(), Value::Int(1)),
                ("value".into(), Value::Double(2.0)),
            ],
            true,
            Some(60),
            Some(7),
        );
        assert_eq!(
            r.cql,
            "INSERT INTO \"ks\".\"sensor_event\" (\"sensor_id\", \"value\") VALUES (?, ?) IF NOT EXISTS USING TTL ? AND TIMESTAMP ?"
        );
        assert_eq!(
            r.values,
            vec![
                Value::Int(1),
                Value::Double(2.0),
                Value::Int(60),
                Value::BigInt(7)
            ]
        );
    }

    #[test]
    fn update_with_collection_operations_and_conditions() {
        let key = [
            Restriction::Column {
                column: "sensor_id".into(),
                op: Op::Eq,
                value: Value::Int(1),
            },
            Restriction::Column {
                column: "day".into(),
                op: Op::Eq,
                value: Value::Date(2),
            },
        ];
        let r = update(
            &events(),
            &key,
            &[
                (
                    "tags".into(),
                    Assign::Add(Value::Set(vec![Value::from("a")])),
                ),
                (
                    "l".into(),
                    Assign::Prepend(Value::List(vec![Value::Int(0)])),
                ),
                ("m".into(), Assign::SetAt(Value::from("k"), Value::Int(5))),
                ("value".into(), Assign::Set(Value::Null)),
            ],
            &Lwt::If(vec![("kind".into(), Op::Eq, Value::from("x"))]),
            Some(10),
            None,
        );
        assert_eq!(
            r.cql,
            "UPDATE \"ks\".\"sensor_event\" USING TTL ? SET \"tags\" = \"tags\" + ?, \"l\" = ? + \"l\", \"m\"[?] = ?, \
             \"value\" = ? WHERE \"sensor_id\" = ? AND \"day\" = ? IF \"kind\" = ?"
        );
        assert_eq!(r.values.len(), 9);
        assert_eq!(r.values[0], Value::Int(10));
        assert_eq!(r.values[8], Value::from("x"));
    }

    #[test]
    fn delete_columns_elements_and_rows_with_conditions() {
        let key = [Restriction::Column {
            column: "sensor_id".into(),
            op: Op::Eq,
            value: Value::Int(1),
        }];
        let r = delete(
            &events(),
            &[
                DeleteTarget::Column("kind".into()),
                DeleteTarget::Element("m".into(), Value::from("k")),
            ],
            &key,
            &Lwt::IfExists,
            Some(5),
        );
        assert_eq!(r.cql, "DELETE \"kind\", \"m\"[?] FROM \"ks\".\"sensor_event\" USING TIMESTAMP ? WHERE \"sensor_id\" = ? IF EXISTS");
        assert_eq!(
            r.values,
            vec![Value::from("k"), Value::BigInt(5), Value::Int(1)]
        );
        let r = delete(&events(), &[], &key, &Lwt::None, None);
        assert_eq!(
            r.cql,
            "DELETE FROM \"ks\".\"sensor_event\" WHERE \"sensor_id\" = ?"
        );
    }

    #[test]
    fn select_with_token_ranges_order_limit_and_filtering() {
        let spec = SelectSpec {
            columns: vec!["sensor_id".into(), "value".into()],
            restrictions: vec![
                Restriction::Token {
                    op: Op::Gt,
                    value: TokenBound::Token(-100),
                },
                Restriction::Token {
                    op: Op::Le,
                    value: TokenBound::KeyOf(vec![Value::from("s1"), Value::Int(3)]),
                },
                Restriction::Column {
                    column: "tags".into(),
                    op: Op::Contains,
                    value: Value::from("a"),
                },
            ],
            order_by: vec![("at".into(), ClusteringOrder::Asc)],
            limit: Some(10),
            allow_filtering: true,
            ..Default::default()
        };
        let r = select(&events(), &spec);
        assert_eq!(
            r.cql,
            "SELECT \"sensor_id\", \"value\" FROM \"ks\".\"sensor_event\" WHERE token(\"sensor_id\", \"day\") > ? \
             AND token(\"sensor_id\", \"day\") <= token(?, ?) AND \"tags\" CONTAINS ? ORDER BY \"at\" ASC LIMIT ? ALLOW FILTERING"
        );
        assert_eq!(
            r.values,
            vec![
                Value::BigInt(-100),
                Value::from("s1"),
                Value::Int(3),
                Value::from("a"),
                Value::Int(10)
            ]
        );
    }

    #[test]
    fn identifiers_are_quoted_and_values_never_interpolated() {
        let evil = "x\"; DROP TABLE t; --";
        let m = ModelSchema::new("M")
            .table(evil)
            .column(ColumnDef::new(evil, CqlType::Text).partition_key());
        let r = insert(
            &m,
            &[(evil.into(), Value::from("'); DROP TABLE x; --"))],
            false,
            None,
            None,
        );
        assert_eq!(
            r.cql,
            "INSERT INTO \"x\"\"; DROP TABLE t; --\" (\"x\"\"; DROP TABLE t; --\") VALUES (?)"
        );
        assert!(!r.cql.contains("DROP TABLE x"));
        assert_eq!(literal("it's"), "'it''s'");
    }

    #[test]
    fn non_finite_options_and_custom_types_are_cql() {
        assert_eq!(
            option_literal(&OptionValue::Float(f64::INFINITY)),
            "Infinity"
        );
        assert_eq!(
            option_literal(&OptionValue::Float(f64::NEG_INFINITY)),
            "-Infinity"
        );
        assert_eq!(option_literal(&OptionValue::Float(f64::NAN)), "NaN");
        assert_eq!(option_literal(&OptionValue::Float(0.1)), "0.1");
        assert_eq!(type_ddl(&CqlType::Custom("a'b".into())), "'a''b'");
    }

    #[test]
    fn option_names_that_are_not_identifiers_are_refused() {
        let m = |name: &str| {
            ModelSchema::new("M")
                .column(ColumnDef::new("a", CqlType::Int).partition_key())
                .option(name, OptionValue::Int(1))
                .validate()
        };
        assert!(m("gc_grace_seconds").is_ok());
        for bad in ["", "1x", "comment = 'x' AND caching", "a-b", "é"] {
            assert!(m(bad).is_err(), "{bad:?}");
        }
    }
}
