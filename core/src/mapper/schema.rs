//! A model as data: what each language's model description (a Python class, a Kotlin class,
//! C builder calls) turns into. Pure: no runtime, no network.

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::types::CqlType;
use crate::value::Value;

/// Sort order of a clustering column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClusteringOrder {
    /// Ascending (the default).
    #[default]
    Asc,
    /// Descending.
    Desc,
}

/// A column's part in the primary key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyKind {
    /// Not part of the key.
    #[default]
    None,
    /// Part of the partition key.
    Partition,
    /// A clustering column, with its order.
    Clustering(ClusteringOrder),
}

/// A default value for a column the application leaves out.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnDefault {
    /// This value.
    Value(Value),
    /// A new random (version 4) UUID.
    Uuid4,
    /// A new time-based (version 1) UUID.
    TimeUuid,
    /// The current time (a timestamp, or a date for `date` columns).
    Now,
}

/// One column of a model.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnDef {
    /// The attribute name the language uses.
    pub name: String,
    /// The column's name in the table, when it differs from `name` (cqlengine's `db_field`).
    pub db_field: Option<String>,
    /// Its CQL type.
    pub typ: CqlType,
    /// Its part in the primary key.
    pub key: KeyKind,
    /// A static column.
    pub is_static: bool,
    /// Give the column a secondary index.
    pub index: bool,
    /// The value used when none is given.
    pub default: Option<ColumnDefault>,
    /// Refuse null (key columns always are).
    pub required: bool,
    /// For text: at least this many characters.
    pub min_length: Option<usize>,
    /// For text: at most this many characters.
    pub max_length: Option<usize>,
    /// The polymorphism discriminator column.
    pub discriminator: bool,
}

impl ColumnDef {
    /// A plain column.
    pub fn new(name: impl Into<String>, typ: CqlType) -> Self {
        ColumnDef {
            name: name.into(),
            db_field: None,
            typ,
            key: KeyKind::None,
            is_static: false,
            index: false,
            default: None,
            required: false,
            min_length: None,
            max_length: None,
            discriminator: false,
        }
    }

    /// The column's name in the table.
    pub fn db_name(&self) -> &str {
        self.db_field.as_deref().unwrap_or(&self.name)
    }

    /// Whether the column is part of the primary key.
    pub fn is_key(&self) -> bool {
        self.key != KeyKind::None
    }

    /// Marks the column as (part of) the partition key.
    pub fn partition_key(mut self) -> Self {
        self.key = KeyKind::Partition;
        self
    }

    /// Marks the column as a clustering column.
    pub fn clustering(mut self, order: ClusteringOrder) -> Self {
        self.key = KeyKind::Clustering(order);
        self
    }

    /// Sets a default.
    pub fn default(mut self, default: ColumnDefault) -> Self {
        self.default = Some(default);
        self
    }

    /// Refuses null.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Gives the column a secondary index.
    pub fn indexed(mut self) -> Self {
        self.index = true;
        self
    }

    /// Makes the column static.
    pub fn static_column(mut self) -> Self {
        self.is_static = true;
        self
    }

    /// Sets the column's name in the table.
    pub fn db_field(mut self, name: impl Into<String>) -> Self {
        self.db_field = Some(name.into());
        self
    }
}

/// A table option's value, rendered as a CQL literal (options cannot be bound).
#[derive(Debug, Clone, PartialEq)]
pub enum OptionValue {
    /// A number.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string.
    Text(String),
    /// A map of strings (compaction, compression, caching).
    Map(BTreeMap<String, String>),
}

/// Polymorphism: several models in one table, told apart by a discriminator column.
#[derive(Debug, Clone, PartialEq)]
pub struct Polymorphism {
    /// The discriminator column's attribute name.
    pub column: String,
    /// This model's discriminator value; `None` for the base model, which cannot be saved.
    pub value: Option<Value>,
    /// Every subtype sharing the table: discriminator value and model name.
    pub subtypes: Vec<(Value, String)>,
}

/// A model: a table and its columns, keys, options and behaviour.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSchema {
    /// The model's name (a class name).
    pub name: String,
    /// The keyspace; the session's keyspace when `None`.
    pub keyspace: Option<String>,
    /// The table; by default the model name in snake_case.
    pub table: String,
    /// Columns in declaration order.
    pub columns: Vec<ColumnDef>,
    /// Table options (`compaction`, `gc_grace_seconds`, `caching`, `comment`, ...).
    pub options: BTreeMap<String, OptionValue>,
    /// TTL applied to writes that give none (cqlengine's `__default_ttl__`).
    pub default_ttl: Option<i32>,
    /// Polymorphism, when this model shares its table with others.
    pub polymorphism: Option<Polymorphism>,
}

/// Whether `name` can be a table option's name: a plain CQL identifier.
fn is_option_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Words CQL reserves (Cassandra's list, lower-cased): a type so named is quoted.
const RESERVED_WORDS: &[&str] = &[
    "add",
    "allow",
    "alter",
    "and",
    "apply",
    "asc",
    "authorize",
    "batch",
    "begin",
    "by",
    "check",
    "columnfamily",
    "constraint",
    "create",
    "delete",
    "desc",
    "describe",
    "drop",
    "entries",
    "execute",
    "from",
    "full",
    "grant",
    "if",
    "in",
    "index",
    "infinity",
    "insert",
    "into",
    "is",
    "keyspace",
    "length",
    "limit",
    "materialized",
    "modify",
    "nan",
    "norecursive",
    "not",
    "null",
    "of",
    "on",
    "or",
    "order",
    "primary",
    "rename",
    "revoke",
    "schema",
    "select",
    "set",
    "table",
    "to",
    "token",
    "truncate",
    "unlogged",
    "update",
    "use",
    "using",
    "view",
    "where",
    "with",
];

/// Whether Cassandra writes a user-defined type's name unquoted in its schema tables:
/// `[a-z][a-z0-9_]*` and not a reserved word. The scylla crate's schema metadata (1.9) cannot
/// read a quoted one (`frozen<"Address">`): once a table uses such a type, every schema
/// refresh of every session fails ("Bad tables metadata"). So the mapper neither creates nor
/// uses one.
pub fn is_readable_type_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !RESERVED_WORDS.contains(&name)
}

/// The first user-defined type named in `t` that [`is_readable_type_name`] refuses.
pub(crate) fn unreadable_udt(t: &CqlType) -> Option<&str> {
    match t {
        CqlType::Udt { name, fields, .. } => (!is_readable_type_name(name))
            .then_some(name.as_str())
            .or_else(|| fields.iter().find_map(|(_, f)| unreadable_udt(f))),
        CqlType::List { element, .. }
        | CqlType::Set { element, .. }
        | CqlType::Vector { element, .. } => unreadable_udt(element),
        CqlType::Map { key, value, .. } => unreadable_udt(key).or_else(|| unreadable_udt(value)),
        CqlType::Tuple(items) => items.iter().find_map(unreadable_udt),
        _ => None,
    }
}

/// Why a user-defined type's name is refused (see [`is_readable_type_name`]).
pub(crate) fn unreadable_udt_reason(name: &str) -> String {
    format!(
        "user-defined type {name:?} is refused: Cassandra keeps its name quoted in the schema \
         tables, which the driver's schema metadata cannot read (every later schema refresh \
         would fail); name it with lower-case letters, digits and _, first a letter, not a \
         reserved word"
    )
}

/// `UsersInGroup` → `users_in_group`, as cqlengine names tables, except that a run of
/// capitals is a word of its own (`HTTPRequest` → `http_request`; cqlengine, and so the Python
/// binding's cqlengine, gives `httprequest`).
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let chars: Vec<char> = name.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev_lower =
                i > 0 && (chars[i - 1].is_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if i > 0 && (prev_lower || (next_lower && chars[i - 1].is_uppercase())) {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(*c);
        }
    }
    out
}

impl ModelSchema {
    /// A model named `name` with its table named after it.
    pub fn new(name: impl Into<String>) -> Self {
        let name = name.into();
        ModelSchema {
            table: snake_case(&name),
            name,
            keyspace: None,
            columns: Vec::new(),
            options: BTreeMap::new(),
            default_ttl: None,
            polymorphism: None,
        }
    }

    /// A concrete model inheriting an abstract base's columns, options and default TTL, with
    /// its own name and table (cqlengine's `__abstract__` inheritance: each concrete model
    /// gets its own table). Add the model's own columns after.
    pub fn inherit(base: &ModelSchema, name: impl Into<String>) -> Self {
        let name = name.into();
        ModelSchema {
            table: snake_case(&name),
            name,
            keyspace: base.keyspace.clone(),
            columns: base.columns.clone(),
            options: base.options.clone(),
            default_ttl: base.default_ttl,
            polymorphism: None,
        }
    }

    /// Adds a column.
    pub fn column(mut self, column: ColumnDef) -> Self {
        self.columns.push(column);
        self
    }

    /// Sets the keyspace.
    pub fn keyspace(mut self, keyspace: impl Into<String>) -> Self {
        self.keyspace = Some(keyspace.into());
        self
    }

    /// Sets the table name.
    pub fn table(mut self, table: impl Into<String>) -> Self {
        self.table = table.into();
        self
    }

    /// Sets a table option.
    pub fn option(mut self, name: impl Into<String>, value: OptionValue) -> Self {
        self.options.insert(name.into(), value);
        self
    }

    /// The column with attribute name `name`.
    pub fn get(&self, name: &str) -> Option<&ColumnDef> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The column with attribute name `name`, or a clear error.
    pub fn column_named(&self, name: &str) -> Result<&ColumnDef> {
        self.get(name).ok_or_else(|| {
            Error::InvalidArgument(format!("model {} has no column {name:?}", self.name))
        })
    }

    /// Partition key columns, in order.
    pub fn partition_key(&self) -> impl Iterator<Item = &ColumnDef> {
        self.columns.iter().filter(|c| c.key == KeyKind::Partition)
    }

    /// Clustering columns, in order.
    pub fn clustering_key(&self) -> impl Iterator<Item = &ColumnDef> {
        self.columns
            .iter()
            .filter(|c| matches!(c.key, KeyKind::Clustering(_)))
    }

    /// Primary key columns: partition key, then clustering columns.
    pub fn primary_key(&self) -> impl Iterator<Item = &ColumnDef> {
        self.partition_key().chain(self.clustering_key())
    }

    /// Checks the model: names, keys, and what Cassandra would refuse. Returns it, ready.
    pub fn validate(self) -> Result<Self> {
        let bad = |m: String| Err(Error::InvalidArgument(format!("model {}: {m}", self.name)));
        if self.columns.is_empty() {
            return bad("it has no columns".into());
        }
        if self.table.is_empty() {
            return bad("the table name is empty".into());
        }
        let mut seen = std::collections::HashSet::new();
        for c in &self.columns {
            if c.name.is_empty() || c.db_name().is_empty() {
                return bad("a column has an empty name".into());
            }
            if !seen.insert(c.db_name()) {
                return bad(format!("column {:?} is declared twice", c.db_name()));
            }
            if c.is_key() && c.is_static {
                return bad(format!("key column {:?} cannot be static", c.name));
            }
            if c.is_key() && matches!(c.typ, CqlType::Counter) {
                return bad(format!("key column {:?} cannot be a counter", c.name));
            }
            if let Some(udt) = unreadable_udt(&c.typ) {
                return bad(format!(
                    "column {:?}: {}",
                    c.name,
                    unreadable_udt_reason(udt)
                ));
            }
        }
        // Options cannot be quoted or bound: their names are rendered as they are.
        if let Some(name) = self.options.keys().find(|k| !is_option_name(k)) {
            return bad(format!(
                "{name:?} is not an option name (letters, digits and _, not first a digit)"
            ));
        }
        if self.partition_key().next().is_none() {
            return bad("it has no partition key (mark the first key column)".into());
        }
        if self.columns.iter().any(|c| c.is_static) && self.clustering_key().next().is_none() {
            return bad("static columns need clustering columns".into());
        }
        if let Some(p) = &self.polymorphism {
            match self.get(&p.column) {
                Some(c) if c.discriminator => {}
                _ => {
                    return bad(format!(
                        "discriminator column {:?} is not declared as one",
                        p.column
                    ))
                }
            }
        }
        Ok(self)
    }

    /// A model built the cqlengine way: columns flagged `primary_key` in declaration order;
    /// the first is the partition key unless some are flagged `partition_key`, the rest are
    /// clustering columns.
    pub fn with_primary_keys(mut self, primary: &[&str], partition: &[&str]) -> Result<Self> {
        for (i, name) in primary.iter().enumerate() {
            let is_partition = if partition.is_empty() {
                i == 0
            } else {
                partition.contains(name)
            };
            let c = self
                .columns
                .iter_mut()
                .find(|c| c.name == *name)
                .ok_or_else(|| Error::InvalidArgument(format!("no column {name:?}")))?;
            c.key = if is_partition {
                KeyKind::Partition
            } else {
                match c.key {
                    KeyKind::Clustering(o) => KeyKind::Clustering(o),
                    _ => KeyKind::Clustering(ClusteringOrder::Asc),
                }
            };
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_are_snake_case_like_cqlengine() {
        assert_eq!(snake_case("UsersInGroup"), "users_in_group");
        assert_eq!(snake_case("UsersInGroupByState"), "users_in_group_by_state");
        assert_eq!(snake_case("Photo"), "photo");
        assert_eq!(snake_case("TwitterToUser"), "twitter_to_user");
        assert_eq!(snake_case("HTTPRequest"), "http_request");
        assert_eq!(snake_case("already_snake"), "already_snake");
    }

    #[test]
    fn keys_follow_declaration_order() {
        let m = ModelSchema::new("UsersInGroupByState")
            .column(ColumnDef::new("group_id", CqlType::Uuid))
            .column(ColumnDef::new("state", CqlType::Text))
            .column(ColumnDef::new("user_id", CqlType::Uuid))
            .column(ColumnDef::new("is_admin", CqlType::Boolean))
            .with_primary_keys(&["group_id", "state", "user_id"], &["group_id", "state"])
            .unwrap()
            .validate()
            .unwrap();
        assert_eq!(
            m.partition_key()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>(),
            ["group_id", "state"]
        );
        assert_eq!(
            m.clustering_key()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>(),
            ["user_id"]
        );
    }

    #[test]
    fn invalid_models_are_refused() {
        let no_key = ModelSchema::new("M").column(ColumnDef::new("a", CqlType::Int));
        assert!(no_key.validate().is_err());
        let twice = ModelSchema::new("M")
            .column(ColumnDef::new("a", CqlType::Int).partition_key())
            .column(ColumnDef::new("b", CqlType::Int).db_field("a"));
        assert!(twice
            .validate()
            .unwrap_err()
            .to_string()
            .contains("declared twice"));
        let static_without_clustering = ModelSchema::new("M")
            .column(ColumnDef::new("a", CqlType::Int).partition_key())
            .column(ColumnDef::new("s", CqlType::Int).static_column());
        assert!(static_without_clustering.validate().is_err());
    }
}
