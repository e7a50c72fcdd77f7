//! `mapper_render`: the mapper's CQL from arbitrary names, types, options and values.
//!
//! Models are built through the public builder and validated (a model the validation refuses
//! is not rendered); keyspace and type statements take arbitrary names. Every rendered
//! statement is lexed by a small CQL lexer, which must succeed, and then:
//! - every quoted identifier is one of the names given (a name with a `"` that was not
//!   doubled would end early and not match);
//! - every string literal is one of the option texts given (same for `'`);
//! - every bare word is a keyword or type name of the renderer, or an option name the model
//!   validated;
//! - DML has no string literal and no number at all: every value is a `?` marker, one per
//!   value bound, and the names the statement needs (table, columns) appear quoted.

use std::collections::{BTreeMap, HashSet};

use super::value_codec::{any_value, cql_type};
use super::Input;
use crate::mapper::ops::{
    render_create, render_delete, render_select, render_update, Change, Filter, FilterOp,
    ModelQuery, WriteOptions,
};
use crate::mapper::render::{self, Op, Rendered, SelectSpec};
use crate::mapper::schema::{ClusteringOrder, ColumnDef, ModelSchema, OptionValue, Polymorphism};
use crate::types::CqlType;
use crate::value::Value;

/// A token of rendered CQL.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// `"name"`, unescaped.
    Ident(String),
    /// `'text'`, unescaped.
    Str(String),
    /// A bare word: keyword, type name, option name.
    Word(String),
    /// A number.
    Num(String),
    /// `?`
    Marker,
    /// Punctuation or an operator.
    Punct(String),
}

/// Lexes rendered CQL; an error says where it stopped.
pub fn lex(cql: &str) -> Result<Vec<Tok>, String> {
    let s: Vec<char> = cql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c == ' ' {
            i += 1;
        } else if c == '"' || c == '\'' {
            let mut text = String::new();
            i += 1;
            loop {
                match s.get(i) {
                    None => return Err(format!("an unclosed {c} in {cql:?}")),
                    Some(&q) if q == c && s.get(i + 1) == Some(&c) => {
                        text.push(c);
                        i += 2;
                    }
                    Some(&q) if q == c => {
                        i += 1;
                        break;
                    }
                    Some(&other) => {
                        text.push(other);
                        i += 1;
                    }
                }
            }
            out.push(if c == '"' {
                Tok::Ident(text)
            } else {
                Tok::Str(text)
            });
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < s.len() && (s[i].is_ascii_alphanumeric() || s[i] == '_') {
                i += 1;
            }
            out.push(Tok::Word(s[start..i].iter().collect()));
        } else if c.is_ascii_digit() || (c == '-' && s.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let start = i;
            i += 1;
            while i < s.len()
                && (s[i].is_ascii_digit()
                    || s[i] == '.'
                    || s[i] == 'e'
                    || ((s[i] == '-' || s[i] == '+') && s[i - 1] == 'e'))
            {
                i += 1;
            }
            out.push(Tok::Num(s[start..i].iter().collect()));
        } else if c == '?' {
            out.push(Tok::Marker);
            i += 1;
        } else if matches!((c, s.get(i + 1)), ('!' | '>' | '<', Some('='))) {
            out.push(Tok::Punct(format!("{c}=")));
            i += 2;
        } else if "(),.=<>[]{}:+-*".contains(c) {
            out.push(Tok::Punct(c.to_string()));
            i += 1;
        } else {
            return Err(format!("unexpected {c:?} at {i} in {cql:?}"));
        }
    }
    Ok(out)
}

const KEYWORDS: &[&str] = &[
    "ADD",
    "ALLOW",
    "ALTER",
    "AND",
    "ASC",
    "BY",
    "CLUSTERING",
    "CONTAINS",
    "COUNT",
    "CREATE",
    "DELETE",
    "DESC",
    "DISTINCT",
    "DROP",
    "EXISTS",
    "FILTERING",
    "FROM",
    "FULL",
    "IF",
    "IN",
    "INDEX",
    "INSERT",
    "INTO",
    "KEY",
    "KEYSPACE",
    "LIMIT",
    "NOT",
    "ON",
    "ORDER",
    "PRIMARY",
    "SELECT",
    "SET",
    "STATIC",
    "TABLE",
    "TIMESTAMP",
    "TTL",
    "TYPE",
    "UPDATE",
    "USING",
    "VALUES",
    "WHERE",
    "WITH",
    "token",
    "replication",
    "durable_writes",
    "true",
    "false",
    "default_time_to_live",
    "NaN",
    "Infinity",
    "frozen",
    "list",
    "set",
    "map",
    "tuple",
    "vector",
    "ascii",
    "boolean",
    "blob",
    "counter",
    "date",
    "decimal",
    "double",
    "duration",
    "float",
    "int",
    "bigint",
    "text",
    "timestamp",
    "inet",
    "smallint",
    "tinyint",
    "time",
    "timeuuid",
    "uuid",
    "varint",
];

/// What a statement may contain besides keywords.
#[derive(Default)]
struct Allowed {
    idents: HashSet<String>,
    literals: HashSet<String>,
    words: HashSet<String>,
}

impl Allowed {
    fn typ(&mut self, t: &CqlType) {
        match t {
            CqlType::Udt {
                keyspace,
                name,
                fields,
                ..
            } => {
                self.idents.insert(keyspace.clone());
                self.idents.insert(name.clone());
                for (f, ft) in fields {
                    self.idents.insert(f.clone());
                    self.typ(ft);
                }
            }
            CqlType::List { element, .. }
            | CqlType::Set { element, .. }
            | CqlType::Vector { element, .. } => self.typ(element),
            CqlType::Map { key, value, .. } => {
                self.typ(key);
                self.typ(value);
            }
            CqlType::Tuple(ts) => ts.iter().for_each(|t| self.typ(t)),
            CqlType::Custom(name) => {
                self.literals.insert(name.clone());
            }
            _ => {}
        }
    }

    fn model(&mut self, m: &ModelSchema) {
        self.idents.extend(m.keyspace.clone());
        self.idents.insert(m.table.clone());
        for c in &m.columns {
            self.idents.insert(c.db_name().to_owned());
            self.idents.insert(render::index_name(m, c));
            self.typ(&c.typ);
        }
        for (k, v) in &m.options {
            self.words.insert(k.clone());
            match v {
                OptionValue::Text(s) => {
                    self.literals.insert(s.clone());
                }
                OptionValue::Map(entries) => {
                    for (k, v) in entries {
                        self.literals.insert(k.clone());
                        self.literals.insert(v.clone());
                    }
                }
                OptionValue::Int(_) | OptionValue::Float(_) => {}
            }
        }
    }

    /// Checks one statement; `values` is `Some` for DML (its bound values).
    fn check(&self, cql: &str, values: Option<&[Value]>, needed: &[&str]) {
        let toks = lex(cql).unwrap_or_else(|e| panic!("rendered CQL does not lex: {e}"));
        for t in &toks {
            match t {
                Tok::Ident(name) => assert!(
                    self.idents.contains(name),
                    "{name:?} is not a name that was given, in {cql:?}"
                ),
                Tok::Str(text) => assert!(
                    values.is_none() && self.literals.contains(text),
                    "{text:?} is not a literal that was given, in {cql:?}"
                ),
                Tok::Word(w) => assert!(
                    KEYWORDS.contains(&w.as_str()) || (values.is_none() && self.words.contains(w)),
                    "bare word {w:?} in {cql:?}"
                ),
                Tok::Num(n) => assert!(values.is_none(), "number {n} in DML {cql:?}"),
                Tok::Marker | Tok::Punct(_) => {}
            }
        }
        if let Some(values) = values {
            let markers = toks.iter().filter(|t| **t == Tok::Marker).count();
            assert_eq!(
                markers,
                values.len(),
                "markers and values differ in {cql:?}"
            );
        }
        for name in needed {
            assert!(
                toks.contains(&Tok::Ident((*name).to_owned())),
                "{name:?} does not appear quoted in {cql:?}"
            );
        }
    }

    fn dml(&self, r: &Rendered, table: &str) {
        self.check(&r.cql, Some(&r.values), &[table]);
    }
}

/// Runs the check on one fuzz input; panics on a violated property.
pub fn check(data: &[u8]) {
    let mut inp = Input::new(data);
    match inp.u8() % 4 {
        0 => keyspace_and_types(&mut inp),
        _ => model(&mut inp),
    }
}

fn name(inp: &mut Input<'_>) -> String {
    const PLAIN: &[&str] = &["id", "ks", "Name", "day", "v", "a\"b", "it's", "select"];
    if inp.u8() < 96 {
        PLAIN[inp.below(PLAIN.len())].to_owned()
    } else {
        inp.text()
    }
}

fn column_type(inp: &mut Input<'_>) -> CqlType {
    match inp.u8() % 8 {
        0 => CqlType::Custom(inp.text()),
        // The type parser, as the C ABI and the bindings use it.
        1 => inp.text().parse().unwrap_or(CqlType::Text),
        2 => format!("frozen<{}>", inp.text())
            .parse()
            .unwrap_or(CqlType::Int),
        _ => cql_type(inp, 1),
    }
}

fn keyspace_and_types(inp: &mut Input<'_>) {
    let ks = name(inp);
    let mut allowed = Allowed::default();
    allowed.idents.insert(ks.clone());
    let dcs: Vec<(String, u32)> = (0..inp.count(3)).map(|_| (name(inp), inp.u32())).collect();
    allowed.literals.extend(dcs.iter().map(|(d, _)| d.clone()));
    allowed.literals.extend(
        [
            "SimpleStrategy",
            "NetworkTopologyStrategy",
            "class",
            "replication_factor",
        ]
        .map(String::from),
    );
    allowed.check(
        &render::create_keyspace_simple(&ks, inp.u32(), inp.bool()),
        None,
        &[&ks],
    );
    allowed.check(
        &render::create_keyspace_network_topology(&ks, &dcs, inp.bool()),
        None,
        &[&ks],
    );
    allowed.check(&render::drop_keyspace(&ks), None, &[&ks]);
    let ty = name(inp);
    let fields: Vec<(String, CqlType)> = (0..inp.count(4))
        .map(|_| (name(inp), column_type(inp)))
        .collect();
    allowed.idents.insert(ty.clone());
    for (f, t) in &fields {
        allowed.idents.insert(f.clone());
        allowed.typ(t);
    }
    let keyspace = inp.bool().then_some(ks.as_str());
    allowed.check(&render::create_type(keyspace, &ty, &fields), None, &[&ty]);
    let (f, t) = (name(inp), column_type(inp));
    allowed.idents.insert(f.clone());
    allowed.typ(&t);
    allowed.check(
        &render::add_type_field(keyspace, &ty, &f, &t),
        None,
        &[&ty, &f],
    );
}

fn option_value(inp: &mut Input<'_>) -> OptionValue {
    match inp.u8() % 4 {
        0 => OptionValue::Int(inp.i64()),
        1 => OptionValue::Float(inp.f64()),
        2 => OptionValue::Text(inp.text()),
        _ => OptionValue::Map(
            (0..inp.count(3))
                .map(|_| (inp.text(), inp.text()))
                .collect::<BTreeMap<_, _>>(),
        ),
    }
}

fn op(inp: &mut Input<'_>) -> Op {
    [
        Op::Eq,
        Op::Ne,
        Op::Gt,
        Op::Ge,
        Op::Lt,
        Op::Le,
        Op::In,
        Op::Contains,
        Op::ContainsKey,
    ][inp.below(9)]
}

fn model(inp: &mut Input<'_>) {
    let mut m = ModelSchema::new(name(inp));
    if inp.bool() {
        m = m.keyspace(name(inp));
    }
    if inp.bool() {
        m = m.table(name(inp));
    }
    for i in 0..1 + inp.count(5) {
        let mut c = ColumnDef::new(name(inp), column_type(inp));
        c = match inp.u8() % 6 {
            0 | 1 if i == 0 => c.partition_key(),
            0 => c.partition_key(),
            1 => c.clustering(ClusteringOrder::Asc),
            2 => c.clustering(ClusteringOrder::Desc),
            _ if i == 0 => c.partition_key(),
            _ => c,
        };
        let flags = inp.u8();
        if flags & 1 != 0 {
            c = c.db_field(name(inp));
        }
        if flags & 2 != 0 {
            c = c.static_column();
        }
        if flags & 4 != 0 {
            c = c.indexed();
        }
        m = m.column(c);
    }
    for _ in 0..inp.count(3) {
        let key = if inp.bool() {
            ["comment", "gc_grace_seconds", "caching", "compaction"][inp.below(4)].to_owned()
        } else {
            inp.text()
        };
        m = m.option(key, option_value(inp));
    }
    if inp.bool() {
        m.default_ttl = Some(inp.i32());
    }
    if inp.u8().is_multiple_of(8) {
        let at = inp.below(m.columns.len());
        m.columns[at].discriminator = true;
        m.polymorphism = Some(Polymorphism {
            column: m.columns[at].name.clone(),
            value: inp.bool().then(|| any_value(inp, 2)),
            subtypes: Vec::new(),
        });
    }
    let Ok(m) = m.validate() else {
        return;
    };
    let mut allowed = Allowed::default();
    allowed.model(&m);
    let table = m.table.clone();
    let columns: Vec<&str> = m.columns.iter().map(|c| c.db_name()).collect();
    let mut needed = vec![table.as_str()];
    needed.extend(&columns);
    allowed.check(&render::create_table(&m), None, &needed);
    for c in &m.columns {
        allowed.check(&render::add_column(&m, c), None, &[&table, c.db_name()]);
        allowed.check(&render::create_index(&m, c), None, &[&table, c.db_name()]);
    }
    if !m.options.is_empty() {
        allowed.check(
            &render::alter_options(&m, m.options.iter()),
            None,
            &[&table],
        );
    }
    allowed.check(&render::drop_table(&m), None, &[&table]);

    // DML through the mapper's operations: values are arbitrary, names are the model's
    // attribute names or anything.
    let attr = |inp: &mut Input<'_>| -> String {
        if inp.u8() < 200 {
            m.columns[inp.below(m.columns.len())].name.clone()
        } else {
            name(inp)
        }
    };
    let row: Vec<(String, Value)> = (0..inp.count(6))
        .map(|_| (attr(inp), any_value(inp, 1)))
        .collect();
    let opts = WriteOptions {
        ttl: inp.bool().then(|| inp.i32()),
        timestamp: inp.bool().then(|| inp.i64()),
        if_not_exists: inp.bool(),
        if_exists: inp.bool(),
        conditions: (0..inp.count(2))
            .map(|_| (attr(inp), op(inp), any_value(inp, 2)))
            .collect(),
        ..WriteOptions::default()
    };
    if let Ok((r, _)) = render_create(&m, &row, &opts) {
        allowed.dml(&r, &table);
    }
    let changes: Vec<(String, Change)> = (0..inp.count(3))
        .filter_map(|_| {
            Change::from_code(i64::from(inp.u8() % 7), any_value(inp, 1)).map(|c| (attr(inp), c))
        })
        .collect();
    if let Ok(r) = render_update(&m, &row, &changes, &opts) {
        allowed.dml(&r, &table);
    }
    let targets: Vec<String> = (0..inp.count(2)).map(|_| attr(inp)).collect();
    if let Ok(r) = render_delete(&m, &row, &targets, &opts) {
        allowed.dml(&r, &table);
    }
    let q = ModelQuery {
        filters: (0..inp.count(3))
            .filter_map(|_| {
                let op = FilterOp::from_code(i64::from(inp.u8() % 13))?;
                Some(Filter {
                    column: attr(inp),
                    op,
                    value: any_value(inp, 1),
                })
            })
            .collect(),
        order_by: (0..inp.count(2))
            .map(|_| {
                let order = if inp.bool() {
                    ClusteringOrder::Asc
                } else {
                    ClusteringOrder::Desc
                };
                (attr(inp), order)
            })
            .collect(),
        limit: inp.bool().then(|| inp.i32()),
        allow_filtering: inp.bool(),
        only: (0..inp.count(2)).map(|_| attr(inp)).collect(),
        defer: (0..inp.count(1)).map(|_| attr(inp)).collect(),
        distinct: inp.bool(),
        ..ModelQuery::default()
    };
    if let Ok(r) = render_select(&m, &q, inp.bool(), None) {
        allowed.dml(&r, &table);
    }

    // The renderer's own DML with arbitrary column names: quoted, whatever they are.
    let names: Vec<String> = (0..1 + inp.count(3)).map(|_| name(inp)).collect();
    allowed.idents.extend(names.iter().cloned());
    let cols: Vec<(String, Value)> = names
        .iter()
        .map(|n| (n.clone(), any_value(inp, 2)))
        .collect();
    allowed.dml(
        &render::insert(&m, &cols, inp.bool(), Some(inp.i32()), None),
        &table,
    );
    let spec = SelectSpec {
        columns: names.clone(),
        distinct: inp.bool(),
        order_by: names
            .iter()
            .map(|n| (n.clone(), ClusteringOrder::Desc))
            .collect(),
        limit: Some(inp.i32()),
        allow_filtering: inp.bool(),
        ..SelectSpec::default()
    };
    allowed.dml(&render::select(&m, &spec), &table);
}
