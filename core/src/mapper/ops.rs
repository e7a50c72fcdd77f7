//! Model operations: create, save, update, delete, queries and batches. Everything goes
//! through prepared statements cached per statement shape (the rendered CQL), with values
//! validated before anything is sent.

use std::time::{SystemTime, UNIX_EPOCH};

use uuid::Uuid;

use super::manage::keyspace_of;
use super::render::{
    self, Assign, DeleteTarget, Lwt, Op, Rendered, Restriction, SelectSpec, TokenBound,
};
use super::schema::{ClusteringOrder, ColumnDefault, KeyKind, ModelSchema};
use super::validate;
use crate::batch::{Batch, BatchType};
use crate::error::{Error, Result};
use crate::result::ResultSet;
use crate::session::{Query, Session};
use crate::statement::{Consistency, Statement, StatementOptions, Values};
use crate::types::CqlType;
use crate::value::Value;

/// Options of a model write.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WriteOptions {
    /// Time to live in seconds (the table's default when unset).
    pub ttl: Option<i32>,
    /// Write timestamp in microseconds.
    pub timestamp: Option<i64>,
    /// Consistency level.
    pub consistency: Option<Consistency>,
    /// Client-side timeout.
    pub timeout: Option<std::time::Duration>,
    /// `IF NOT EXISTS` (create).
    pub if_not_exists: bool,
    /// `IF EXISTS` (update, delete).
    pub if_exists: bool,
    /// `IF col op value AND ...` (cqlengine's `iff`), by attribute name.
    pub conditions: Vec<(String, Op, Value)>,
}

/// A row of a model: values by attribute name, and the model it belongs to (a subtype's
/// name for polymorphic tables).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelRow {
    /// The model (the subtype, for a polymorphic base query).
    pub model: String,
    /// Values by attribute name (columns the model does not declare keep their table name).
    pub values: Vec<(String, Value)>,
}

impl ModelRow {
    /// The value of attribute `name`, if selected.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

/// A change of one column in a blind update (cqlengine's `update(col__op=value)`).
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Set the value; null deletes the column.
    Set(Value),
    /// Add to a set, append to a list (`__append`), increment a counter.
    Add(Value),
    /// Remove from a set or list, decrement a counter.
    Remove(Value),
    /// Prepend to a list.
    Prepend(Value),
    /// Put map entries; an entry whose value is null deletes that key.
    MapUpdate(Value),
    /// Remove map keys (a set or list of keys).
    MapRemove(Value),
}

/// A filter of a model query (cqlengine's `col__op=value`).
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    /// The attribute name; ignored for token filters.
    pub column: String,
    /// The comparison.
    pub op: FilterOp,
    /// The value (a list for `In`, a bigint token for token filters).
    pub value: Value,
}

impl Change {
    /// The change with this wire code (bindings/PACKED.md, the C ABI) applied to `value`: 0
    /// set, 1 add, 2 remove, 3 prepend, 4 map update, 5 map remove.
    pub fn from_code(code: i64, value: Value) -> Option<Self> {
        Some(match code {
            0 => Change::Set(value),
            1 => Change::Add(value),
            2 => Change::Remove(value),
            3 => Change::Prepend(value),
            4 => Change::MapUpdate(value),
            5 => Change::MapRemove(value),
            _ => return None,
        })
    }
}

/// Comparisons of model queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterOp {
    /// `=`
    Eq,
    /// `IN`
    In,
    /// `>`
    Gt,
    /// `>=`
    Gte,
    /// `<`
    Lt,
    /// `<=`
    Lte,
    /// `CONTAINS` (a collection's element or a map's value)
    Contains,
    /// `CONTAINS KEY` (a map's key)
    ContainsKey,
    /// `token(partition key) > value`
    TokenGt,
    /// `token(partition key) >= value`
    TokenGte,
    /// `token(partition key) < value`
    TokenLt,
    /// `token(partition key) <= value`
    TokenLte,
}

impl FilterOp {
    /// The operator with this wire code (bindings/PACKED.md, the C ABI): 0 `=`, 1 `IN`, 2 `>`,
    /// 3 `>=`, 4 `<`, 5 `<=`, 6 `CONTAINS`, 7 `CONTAINS KEY`, 8–11 token `>`, `>=`, `<`, `<=`.
    pub fn from_code(code: i64) -> Option<Self> {
        Some(match code {
            0 => FilterOp::Eq,
            1 => FilterOp::In,
            2 => FilterOp::Gt,
            3 => FilterOp::Gte,
            4 => FilterOp::Lt,
            5 => FilterOp::Lte,
            6 => FilterOp::Contains,
            7 => FilterOp::ContainsKey,
            8 => FilterOp::TokenGt,
            9 => FilterOp::TokenGte,
            10 => FilterOp::TokenLt,
            11 => FilterOp::TokenLte,
            _ => return None,
        })
    }
}

/// A model query (cqlengine's `Model.objects(...).filter(...)...`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelQuery {
    /// Filters, joined with AND.
    pub filters: Vec<Filter>,
    /// Order by clustering columns.
    pub order_by: Vec<(String, ClusteringOrder)>,
    /// At most this many rows.
    pub limit: Option<i32>,
    /// Let the server filter (cqlengine's `allow_filtering()`).
    pub allow_filtering: bool,
    /// Only these attributes (cqlengine's `only`); all when empty.
    pub only: Vec<String>,
    /// All attributes but these (cqlengine's `defer`).
    pub defer: Vec<String>,
    /// Distinct partition keys (cqlengine's `distinct`).
    pub distinct: bool,
    /// Consistency level.
    pub consistency: Option<Consistency>,
    /// Client-side timeout.
    pub timeout: Option<std::time::Duration>,
    /// Rows per page.
    pub page_size: Option<i32>,
}

fn query_error(model: &ModelSchema, reason: impl Into<String>) -> Error {
    Error::Query {
        model: model.name.clone(),
        reason: reason.into(),
    }
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn default_value(d: &ColumnDefault, typ: &CqlType) -> Value {
    match d {
        ColumnDefault::Value(v) => v.clone(),
        ColumnDefault::Uuid4 => Value::Uuid(Uuid::new_v4()),
        ColumnDefault::TimeUuid => Value::Timeuuid(Uuid::now_v1(&rand_node())),
        ColumnDefault::Now if *typ == CqlType::Date => {
            Value::Date((now_millis() / 86_400_000) as i32)
        }
        ColumnDefault::Now => Value::Timestamp(now_millis()),
    }
}

/// A node id for time UUIDs: random per process, multicast bit set (RFC 9562).
fn rand_node() -> [u8; 6] {
    static NODE: std::sync::OnceLock<[u8; 6]> = std::sync::OnceLock::new();
    *NODE.get_or_init(|| {
        let b = Uuid::new_v4().into_bytes();
        [b[0] | 0x01, b[1], b[2], b[3], b[4], b[5]]
    })
}

fn statement_options(
    consistency: Option<Consistency>,
    timeout: Option<std::time::Duration>,
) -> StatementOptions {
    StatementOptions {
        consistency,
        timeout,
        ..Default::default()
    }
}

/// The model with its keyspace filled in, and the fields of user-defined types that the
/// model names without describing them (read from the cluster's metadata).
fn resolved(session: &Session, model: &ModelSchema) -> Result<ModelSchema> {
    let mut m = model.clone();
    let ks = keyspace_of(session, model)?;
    if m.columns.iter().any(|c| needs_udt_fields(&c.typ)) {
        let types = session
            .keyspace_metadata(&ks)
            .map(|k| k.user_types)
            .unwrap_or_default();
        for c in &mut m.columns {
            fill_udt_fields(&mut c.typ, &ks, &types);
        }
    }
    m.keyspace = Some(ks);
    Ok(m)
}

fn needs_udt_fields(t: &CqlType) -> bool {
    match t {
        CqlType::Udt { fields, .. } => fields.is_empty(),
        CqlType::List { element, .. }
        | CqlType::Set { element, .. }
        | CqlType::Vector { element, .. } => needs_udt_fields(element),
        CqlType::Map { key, value, .. } => needs_udt_fields(key) || needs_udt_fields(value),
        CqlType::Tuple(ts) => ts.iter().any(needs_udt_fields),
        _ => false,
    }
}

fn fill_udt_fields(
    t: &mut CqlType,
    ks: &str,
    types: &std::collections::BTreeMap<String, Vec<(String, CqlType)>>,
) {
    match t {
        CqlType::Udt {
            keyspace,
            name,
            fields,
            ..
        } if fields.is_empty() => {
            if let Some(known) = types.get(name.as_str()) {
                *fields = known.clone();
                if keyspace.is_empty() {
                    *keyspace = ks.to_owned();
                }
            }
        }
        CqlType::List { element, .. }
        | CqlType::Set { element, .. }
        | CqlType::Vector { element, .. } => fill_udt_fields(element, ks, types),
        CqlType::Map { key, value, .. } => {
            fill_udt_fields(key, ks, types);
            fill_udt_fields(value, ks, types);
        }
        CqlType::Tuple(ts) => ts.iter_mut().for_each(|t| fill_udt_fields(t, ks, types)),
        _ => {}
    }
}

/// Key restrictions from key values by attribute name: every primary key column, in order.
fn key_restrictions(
    model: &ModelSchema,
    key: &[(String, Value)],
    whole_primary_key: bool,
) -> Result<Vec<Restriction>> {
    for (name, _) in key {
        let c = model.column_named(name)?;
        if !c.is_key() {
            return Err(query_error(model, format!("{name:?} is not a key column")));
        }
    }
    let required: Vec<_> = if whole_primary_key {
        model.primary_key().collect()
    } else {
        model.partition_key().collect()
    };
    let mut out = Vec::new();
    for c in model.primary_key() {
        match key.iter().find(|(n, _)| *n == c.name) {
            Some((_, v)) => {
                validate::check_column(model, &c.name, v)?;
                out.push(Restriction::Column {
                    column: c.db_name().to_owned(),
                    op: Op::Eq,
                    value: v.clone(),
                });
            }
            None if required.iter().any(|r| r.name == c.name) => {
                return Err(query_error(
                    model,
                    format!("the key column {:?} needs a value", c.name),
                ));
            }
            None => {}
        }
    }
    Ok(out)
}

fn conditions(model: &ModelSchema, opts: &WriteOptions) -> Result<Lwt> {
    if opts.if_exists && !opts.conditions.is_empty() {
        return Err(query_error(
            model,
            "IF EXISTS and IF conditions cannot be combined",
        ));
    }
    if opts.if_exists {
        return Ok(Lwt::IfExists);
    }
    if opts.conditions.is_empty() {
        return Ok(Lwt::None);
    }
    let conds = opts
        .conditions
        .iter()
        .map(|(name, op, v)| {
            Ok((
                model.column_named(name)?.db_name().to_owned(),
                *op,
                v.clone(),
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Lwt::If(conds))
}

/// Renders the INSERT of a new row: validates, fills defaults and the discriminator, leaves
/// nulls out (no tombstones). Returns the statement and the row as it will be stored.
pub fn render_create(
    model: &ModelSchema,
    values: &[(String, Value)],
    opts: &WriteOptions,
) -> Result<(Rendered, Vec<(String, Value)>)> {
    if let Some(p) = &model.polymorphism {
        if p.value.is_none() {
            return Err(Error::InvalidArgument(format!(
                "{} is a polymorphic base model: create one of its subtypes",
                model.name
            )));
        }
    }
    for (name, _) in values {
        model.column_named(name)?;
    }
    let mut row = Vec::with_capacity(model.columns.len());
    for c in &model.columns {
        let given = values
            .iter()
            .find(|(n, _)| *n == c.name)
            .map(|(_, v)| v.clone());
        let discriminator = model
            .polymorphism
            .as_ref()
            .filter(|p| p.column == c.name)
            .and_then(|p| p.value.clone());
        let v = match (discriminator, given) {
            (Some(d), _) => d,
            (None, Some(v)) if !v.is_null() => v,
            (None, _) => c
                .default
                .as_ref()
                .map_or(Value::Null, |d| default_value(d, &c.typ)),
        };
        validate::check(c, &v).map_err(|reason| Error::Validation {
            model: model.name.clone(),
            column: c.name.clone(),
            reason,
        })?;
        row.push((c.name.clone(), v));
    }
    let columns: Vec<(String, Value)> = model
        .columns
        .iter()
        .zip(&row)
        .filter(|(_, (_, v))| !v.is_null() && !matches!(v, Value::Unset))
        .map(|(c, (_, v))| (c.db_name().to_owned(), v.clone()))
        .collect();
    Ok((
        render::insert(
            model,
            &columns,
            opts.if_not_exists,
            opts.ttl,
            opts.timestamp,
        ),
        row,
    ))
}

/// Renders the save of a row read earlier (`original`) as `current`: an update of what
/// changed (collections as element operations), or `None` when nothing did. A changed key
/// column is refused.
pub fn render_save(
    m: &ModelSchema,
    original: &[(String, Value)],
    current: &[(String, Value)],
    opts: &WriteOptions,
) -> Result<Option<Rendered>> {
    for c in m.primary_key() {
        let get = |vals: &[(String, Value)]| {
            vals.iter()
                .find(|(n, _)| *n == c.name)
                .map(|(_, v)| v.clone())
        };
        if get(original) != get(current) {
            return Err(Error::Validation {
                model: m.name.clone(),
                column: c.name.clone(),
                reason: "a key column cannot change: create a new row instead".into(),
            });
        }
    }
    let changes = diff(m, original, current);
    if changes.is_empty() {
        return Ok(None);
    }
    let key: Vec<(String, Value)> = m
        .primary_key()
        .filter_map(|c| current.iter().find(|(n, _)| *n == c.name).cloned())
        .collect();
    render_update(m, &key, &changes, opts).map(Some)
}

/// Renders a blind UPDATE of one row by its whole primary key.
pub fn render_update(
    model: &ModelSchema,
    key: &[(String, Value)],
    changes: &[(String, Change)],
    opts: &WriteOptions,
) -> Result<Rendered> {
    if changes.is_empty() {
        return Err(Error::InvalidArgument(
            "an update needs at least one change".into(),
        ));
    }
    let restrictions = key_restrictions(model, key, true)?;
    let mut assigns = Vec::new();
    for (name, change) in changes {
        let c = model.column_named(name)?;
        if c.is_key() {
            return Err(query_error(
                model,
                format!("the key column {name:?} cannot be updated"),
            ));
        }
        let col = c.db_name().to_owned();
        let check = |v: &Value| -> Result<()> {
            // Collection operands are checked as whole collections of the column's type.
            match (&c.typ, v) {
                (CqlType::Counter, _) => validate::check(
                    &super::schema::ColumnDef::new(name.clone(), CqlType::BigInt),
                    v,
                ),
                _ => validate::check(c, v),
            }
            .map_err(|reason| Error::Validation {
                model: model.name.clone(),
                column: name.clone(),
                reason,
            })
        };
        match change {
            Change::Set(v) => {
                check(v)?;
                assigns.push((col, Assign::Set(v.clone())));
            }
            Change::Add(v) => {
                check(v)?;
                assigns.push((col, Assign::Add(v.clone())));
            }
            Change::Remove(v) => {
                check(v)?;
                assigns.push((col, Assign::Remove(v.clone())));
            }
            Change::Prepend(v) => {
                check(v)?;
                assigns.push((col, Assign::Prepend(v.clone())));
            }
            Change::MapUpdate(Value::Map(entries)) => {
                for (k, v) in entries {
                    if !v.is_null() {
                        check(&Value::Map(vec![(k.clone(), v.clone())]))?;
                    }
                    assigns.push((col.clone(), Assign::SetAt(k.clone(), v.clone())));
                }
            }
            Change::MapRemove(keys @ (Value::Set(_) | Value::List(_))) => {
                let keys = match keys {
                    Value::List(k) | Value::Set(k) => Value::Set(k.clone()),
                    other => other.clone(),
                };
                assigns.push((col, Assign::Remove(keys)));
            }
            other => {
                return Err(Error::Validation {
                    model: model.name.clone(),
                    column: name.clone(),
                    reason: format!("{other:?} needs a map (update) or a set of keys (remove)"),
                })
            }
        }
    }
    Ok(render::update(
        model,
        &restrictions,
        &assigns,
        &conditions(model, opts)?,
        opts.ttl,
        opts.timestamp,
    ))
}

/// The changes that turn `original` into `current`: only changed columns; collections as
/// element operations where that expresses the change (set add/remove, list append/prepend,
/// map entries).
pub fn diff(
    model: &ModelSchema,
    original: &[(String, Value)],
    current: &[(String, Value)],
) -> Vec<(String, Change)> {
    let mut changes = Vec::new();
    for c in model.columns.iter().filter(|c| !c.is_key()) {
        let Some((_, now)) = current.iter().find(|(n, _)| *n == c.name) else {
            continue;
        };
        let before = original
            .iter()
            .find(|(n, _)| *n == c.name)
            .map_or(&Value::Null, |(_, v)| v);
        if before == now {
            continue;
        }
        let frozen = matches!(
            c.typ,
            CqlType::List { frozen: true, .. }
                | CqlType::Set { frozen: true, .. }
                | CqlType::Map { frozen: true, .. }
        );
        let change = match (before, now) {
            (Value::Set(a), Value::Set(b)) if !frozen => {
                let added: Vec<Value> = b.iter().filter(|v| !a.contains(v)).cloned().collect();
                let removed: Vec<Value> = a.iter().filter(|v| !b.contains(v)).cloned().collect();
                if !added.is_empty() {
                    changes.push((c.name.clone(), Change::Add(Value::Set(added))));
                }
                if removed.is_empty() {
                    continue;
                }
                Change::Remove(Value::Set(removed))
            }
            (Value::List(a), Value::List(b))
                if !frozen && !a.is_empty() && b.len() > a.len() && b.starts_with(a) =>
            {
                Change::Add(Value::List(b[a.len()..].to_vec()))
            }
            (Value::List(a), Value::List(b))
                if !frozen && !a.is_empty() && b.len() > a.len() && b.ends_with(a) =>
            {
                Change::Prepend(Value::List(b[..b.len() - a.len()].to_vec()))
            }
            (Value::Map(a), Value::Map(b)) if !frozen => {
                let mut entries: Vec<(Value, Value)> =
                    b.iter().filter(|e| !a.contains(e)).cloned().collect();
                entries.extend(
                    a.iter()
                        .filter(|(k, _)| !b.iter().any(|(bk, _)| bk == k))
                        .map(|(k, _)| (k.clone(), Value::Null)),
                );
                Change::MapUpdate(Value::Map(entries))
            }
            (_, v) => Change::Set(v.clone()),
        };
        changes.push((c.name.clone(), change));
    }
    changes
}

/// Renders a DELETE of rows (or of some columns) matching `key`, which must give the whole
/// partition key.
pub fn render_delete(
    model: &ModelSchema,
    key: &[(String, Value)],
    columns: &[String],
    opts: &WriteOptions,
) -> Result<Rendered> {
    let restrictions = key_restrictions(model, key, false)?;
    let targets = columns
        .iter()
        .map(|n| {
            let c = model.column_named(n)?;
            if c.is_key() {
                return Err(query_error(
                    model,
                    format!("the key column {n:?} cannot be deleted"),
                ));
            }
            Ok(DeleteTarget::Column(c.db_name().to_owned()))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(render::delete(
        model,
        &targets,
        &restrictions,
        &conditions(model, opts)?,
        opts.timestamp,
    ))
}

/// Checks a query the way Cassandra would, before sending, and renders it.
pub fn render_select(
    model: &ModelSchema,
    q: &ModelQuery,
    count: bool,
    table_columns: Option<&[String]>,
) -> Result<Rendered> {
    let mut restrictions = Vec::new();
    let mut partition_restricted: Vec<&str> = Vec::new();
    for f in &q.filters {
        let token_op = match f.op {
            FilterOp::TokenGt => Some(Op::Gt),
            FilterOp::TokenGte => Some(Op::Ge),
            FilterOp::TokenLt => Some(Op::Lt),
            FilterOp::TokenLte => Some(Op::Le),
            _ => None,
        };
        if let Some(op) = token_op {
            let pk_len = model.partition_key().count();
            let bound =
                match &f.value {
                    Value::BigInt(t) => TokenBound::Token(*t),
                    Value::Tuple(key) if key.len() == pk_len => TokenBound::KeyOf(key.clone()),
                    Value::Tuple(key) => {
                        return Err(query_error(
                            model,
                            format!(
                                "a token of the partition key needs {pk_len} value(s), not {}",
                                key.len()
                            ),
                        ))
                    }
                    _ => return Err(query_error(
                        model,
                        "a token filter needs a bigint token or a tuple of partition-key values",
                    )),
                };
            restrictions.push(Restriction::Token { op, value: bound });
            continue;
        }
        let c = model
            .column_named(&f.column)
            .map_err(|_| query_error(model, format!("no column {:?}", f.column)))?;
        let op = match f.op {
            FilterOp::Eq => Op::Eq,
            FilterOp::In => Op::In,
            FilterOp::Gt => Op::Gt,
            FilterOp::Gte => Op::Ge,
            FilterOp::Lt => Op::Lt,
            FilterOp::Lte => Op::Le,
            FilterOp::Contains => Op::Contains,
            FilterOp::ContainsKey => Op::ContainsKey,
            _ => unreachable!("token filters handled above"),
        };
        match (op, &c.typ) {
            (Op::Contains, t) if !t.is_collection() => {
                return Err(query_error(
                    model,
                    format!("{:?} is not a collection: CONTAINS does not apply", c.name),
                ))
            }
            (Op::ContainsKey, t) if !matches!(t, CqlType::Map { .. }) => {
                return Err(query_error(
                    model,
                    format!("{:?} is not a map: CONTAINS KEY does not apply", c.name),
                ))
            }
            _ => {}
        }
        if c.key == KeyKind::Partition {
            if !matches!(op, Op::Eq | Op::In) && !q.allow_filtering {
                return Err(query_error(
                    model,
                    format!("the partition key {:?} takes only = and IN (use a token range, or allow filtering)", c.name),
                ));
            }
            partition_restricted.push(&c.name);
        } else if !c.is_key() && !c.index && !q.allow_filtering {
            return Err(query_error(
                model,
                format!(
                    "{:?} is neither a key nor indexed: filtering on it needs allow_filtering",
                    c.name
                ),
            ));
        }
        let value = match (op, &f.value) {
            (Op::In, Value::List(_) | Value::Set(_) | Value::Tuple(_)) => f.value.clone(),
            (Op::In, _) => {
                return Err(query_error(
                    model,
                    format!("IN on {:?} needs a list of values", c.name),
                ))
            }
            _ => f.value.clone(),
        };
        // A compared value is checked as a written one is (cqlengine's to_database): one of
        // the wrong type (a UUID string that is not a UUID, ...) is a ValidationError.
        let compared: &[Value] = match (op, &value) {
            (Op::In, Value::List(v) | Value::Set(v) | Value::Tuple(v)) => v,
            (Op::Contains | Op::ContainsKey, _) => &[],
            _ => std::slice::from_ref(&value),
        };
        for v in compared.iter().filter(|v| !v.is_null()) {
            v.to_cql(&c.typ.to_column_type())
                .map_err(|e| Error::Validation {
                    model: model.name.clone(),
                    column: c.name.clone(),
                    reason: e.0,
                })?;
        }
        restrictions.push(Restriction::Column {
            column: c.db_name().to_owned(),
            op,
            value,
        });
    }
    if let Some(p) = &model.polymorphism {
        if let Some(v) = &p.value {
            let c = model.column_named(&p.column)?;
            restrictions.push(Restriction::Column {
                column: c.db_name().to_owned(),
                op: Op::Eq,
                value: v.clone(),
            });
        }
    }
    let whole_partition = model
        .partition_key()
        .all(|c| partition_restricted.contains(&c.name.as_str()));
    if !q.allow_filtering && !partition_restricted.is_empty() && !whole_partition {
        let missing: Vec<&str> = model
            .partition_key()
            .map(|c| c.name.as_str())
            .filter(|n| !partition_restricted.contains(n))
            .collect();
        return Err(query_error(
            model,
            format!("the partition key is only partly given: {missing:?} missing"),
        ));
    }
    let clustering_restricted = q.filters.iter().any(|f| {
        model
            .get(&f.column)
            .is_some_and(|c| matches!(c.key, KeyKind::Clustering(_)))
    });
    if clustering_restricted && !whole_partition && !q.allow_filtering {
        return Err(query_error(
            model,
            "restricting a clustering column needs the whole partition key (or allow_filtering)",
        ));
    }
    let mut order_by = Vec::new();
    for (name, order) in &q.order_by {
        let c = model
            .column_named(name)
            .map_err(|_| query_error(model, format!("no column {name:?}")))?;
        if !matches!(c.key, KeyKind::Clustering(_)) {
            return Err(query_error(
                model,
                format!("{name:?} is not a clustering column: it cannot order results"),
            ));
        }
        if !whole_partition {
            return Err(query_error(
                model,
                "ORDER BY needs the whole partition key restricted by = or IN",
            ));
        }
        order_by.push((c.db_name().to_owned(), *order));
    }
    if q.distinct
        && !q.only.is_empty()
        && q.only
            .iter()
            .any(|n| model.get(n).is_none_or(|c| c.key != KeyKind::Partition))
    {
        return Err(query_error(
            model,
            "DISTINCT selects partition key columns only",
        ));
    }
    let columns: Vec<String> = if q.distinct && q.only.is_empty() {
        model
            .partition_key()
            .map(|c| c.db_name().to_owned())
            .collect()
    } else if !q.only.is_empty() {
        q.only
            .iter()
            .map(|n| Ok(model.column_named(n)?.db_name().to_owned()))
            .collect::<Result<_>>()?
    } else if let Some(all) = table_columns {
        all.to_vec()
    } else {
        model
            .columns
            .iter()
            .filter(|c| !q.defer.contains(&c.name))
            .map(|c| c.db_name().to_owned())
            .collect()
    };
    if let Some(l) = q.limit {
        if l <= 0 {
            return Err(query_error(
                model,
                format!("limit must be positive, got {l}"),
            ));
        }
    }
    Ok(render::select(
        model,
        &SelectSpec {
            columns,
            distinct: q.distinct,
            count,
            restrictions,
            order_by,
            limit: q.limit,
            allow_filtering: q.allow_filtering,
        },
    ))
}

fn to_rows(model: &ModelSchema, rs: &ResultSet) -> Vec<ModelRow> {
    let names: Vec<String> = rs
        .columns
        .iter()
        .map(|spec| {
            model
                .columns
                .iter()
                .find(|c| c.db_name() == spec.name)
                .map_or_else(|| spec.name.clone(), |c| c.name.clone())
        })
        .collect();
    let discriminator = model.polymorphism.as_ref().and_then(|p| {
        let column = model.get(&p.column)?.db_name().to_owned();
        Some((rs.columns.iter().position(|c| c.name == column)?, p))
    });
    rs.rows
        .iter()
        .map(|row| {
            let model_name = match discriminator {
                Some((i, p)) => p
                    .subtypes
                    .iter()
                    .find(|(v, _)| *v == row[i])
                    .map_or_else(|| model.name.clone(), |(_, n)| n.clone()),
                None => model.name.clone(),
            };
            ModelRow {
                model: model_name,
                values: names.iter().cloned().zip(row.iter().cloned()).collect(),
            }
        })
        .collect()
}

fn lwt_outcome(rs: &ResultSet) -> Result<()> {
    match rs.was_applied() {
        Some(false) => Err(Error::LwtFailed {
            existing: rs.lwt_existing_row(),
        }),
        _ => Ok(()),
    }
}

impl Session {
    /// Runs a model write; a conditional write that is not applied is [`Error::LwtFailed`].
    async fn run_write(&self, rendered: Rendered, opts: &WriteOptions) -> Result<()> {
        let rs = self
            .run_rendered(
                rendered,
                statement_options(opts.consistency, opts.timeout),
                None,
            )
            .await?;
        lwt_outcome(&rs)
    }

    async fn run_rendered(
        &self,
        r: Rendered,
        options: StatementOptions,
        paging_state: Option<&[u8]>,
    ) -> Result<ResultSet> {
        let statement = Statement {
            cql: r.cql,
            options,
        };
        self.run(
            &Query::Cql(statement),
            &Values::Positional(r.values),
            paging_state,
        )
        .await
    }

    /// Inserts a new row of `model` (cqlengine's `Model.create`): validates, fills defaults,
    /// and with `if_not_exists` fails with [`Error::LwtFailed`] when the row exists.
    /// Returns the row as stored.
    pub async fn model_create(
        &self,
        model: &ModelSchema,
        values: &[(String, Value)],
        opts: &WriteOptions,
    ) -> Result<ModelRow> {
        let m = resolved(self, model)?;
        let (rendered, row) = render_create(&m, values, opts)?;
        self.run_write(rendered, opts).await?;
        Ok(ModelRow {
            model: m.name.clone(),
            values: row,
        })
    }

    /// Saves a row read earlier (`original`) as `current`, writing only what changed
    /// (collections as element operations). Without `original`, creates the row.
    pub async fn model_save(
        &self,
        model: &ModelSchema,
        original: Option<&[(String, Value)]>,
        current: &[(String, Value)],
        opts: &WriteOptions,
    ) -> Result<ModelRow> {
        let Some(original) = original else {
            return self.model_create(model, current, opts).await;
        };
        let m = resolved(self, model)?;
        if let Some(rendered) = render_save(&m, original, current, opts)? {
            self.run_write(rendered, opts).await?;
        }
        Ok(ModelRow {
            model: m.name.clone(),
            values: current.to_vec(),
        })
    }

    /// A blind update of one row by its primary key (cqlengine's `Model.objects(k=..).update(...)`).
    pub async fn model_update(
        &self,
        model: &ModelSchema,
        key: &[(String, Value)],
        changes: &[(String, Change)],
        opts: &WriteOptions,
    ) -> Result<()> {
        let m = resolved(self, model)?;
        let rendered = render_update(&m, key, changes, opts)?;
        self.run_write(rendered, opts).await
    }

    /// Deletes the rows matching `key` (at least the whole partition key), or only `columns`
    /// of them.
    pub async fn model_delete(
        &self,
        model: &ModelSchema,
        key: &[(String, Value)],
        columns: &[String],
        opts: &WriteOptions,
    ) -> Result<()> {
        let m = resolved(self, model)?;
        let rendered = render_delete(&m, key, columns, opts)?;
        self.run_write(rendered, opts).await
    }

    async fn polymorphic_columns(&self, m: &ModelSchema) -> Result<Option<Vec<String>>> {
        match &m.polymorphism {
            Some(p) if p.value.is_none() => {
                let ks = m.keyspace.clone().unwrap_or_default();
                let table = self
                    .keyspace_metadata(&ks)
                    .and_then(|k| k.tables.get(&m.table).cloned());
                // The table holds every subtype's columns: select them all, keys first.
                Ok(table.map(|t| {
                    let mut cols: Vec<String> = t
                        .partition_key
                        .iter()
                        .chain(&t.clustering_key)
                        .cloned()
                        .collect();
                    cols.extend(
                        t.columns
                            .keys()
                            .filter(|c| !cols.contains(c))
                            .cloned()
                            .collect::<Vec<_>>(),
                    );
                    cols
                }))
            }
            _ => Ok(None),
        }
    }

    /// One page of a model query, and the paging state of the next.
    pub async fn model_select_page(
        &self,
        model: &ModelSchema,
        q: &ModelQuery,
        paging_state: Option<&[u8]>,
    ) -> Result<(Vec<ModelRow>, Option<Vec<u8>>)> {
        let m = resolved(self, model)?;
        let all = self.polymorphic_columns(&m).await?;
        let rendered = render_select(&m, q, false, all.as_deref())?;
        let mut options = statement_options(q.consistency, q.timeout);
        options.page_size = q.page_size;
        let rs = self.run_rendered(rendered, options, paging_state).await?;
        Ok((to_rows(&m, &rs), rs.paging_state.clone()))
    }

    /// Every row of a model query, page after page.
    pub async fn model_select(&self, model: &ModelSchema, q: &ModelQuery) -> Result<Vec<ModelRow>> {
        let mut rows = Vec::new();
        let mut state: Option<Vec<u8>> = None;
        loop {
            let (page, next) = self.model_select_page(model, q, state.as_deref()).await?;
            rows.extend(page);
            match next {
                Some(s) => state = Some(s),
                None => return Ok(rows),
            }
        }
    }

    /// Exactly one row (cqlengine's `get`): [`Error::DoesNotExist`] when there is none,
    /// [`Error::MultipleObjectsReturned`] when there are several.
    pub async fn model_get(&self, model: &ModelSchema, q: &ModelQuery) -> Result<ModelRow> {
        let mut q = q.clone();
        q.limit = Some(2);
        let (mut rows, _) = self.model_select_page(model, &q, None).await?;
        match rows.len() {
            0 => Err(Error::DoesNotExist {
                model: model.name.clone(),
            }),
            1 => Ok(rows.remove(0)),
            n => Err(Error::MultipleObjectsReturned {
                model: model.name.clone(),
                count: n,
            }),
        }
    }

    /// The first matching row, if any (cqlengine's `first`).
    pub async fn model_first(
        &self,
        model: &ModelSchema,
        q: &ModelQuery,
    ) -> Result<Option<ModelRow>> {
        let mut q = q.clone();
        q.limit = Some(1);
        let (mut rows, _) = self.model_select_page(model, &q, None).await?;
        Ok(if rows.is_empty() {
            None
        } else {
            Some(rows.remove(0))
        })
    }

    /// How many rows match (cqlengine's `count`), at most the query's limit.
    pub async fn model_count(&self, model: &ModelSchema, q: &ModelQuery) -> Result<i64> {
        let m = resolved(self, model)?;
        let mut q = q.clone();
        q.order_by.clear();
        let rendered = render_select(&m, &q, true, None)?;
        let rs = self
            .run_rendered(rendered, statement_options(q.consistency, q.timeout), None)
            .await?;
        match rs.rows.first().and_then(|r| r.first()) {
            // COUNT(*) is one row, so CQL's LIMIT does not bound it: the query's limit does.
            Some(Value::BigInt(n)) => Ok(q.limit.map_or(*n, |l| (*n).min(i64::from(l)))),
            other => Err(Error::Protocol(format!("COUNT(*) answered {other:?}"))),
        }
    }
}

type BatchCallback = Box<dyn FnOnce() + Send + 'static>;

/// Model writes sent as one batch (cqlengine's `BatchQuery`). Statements come from the
/// `render_*` functions; callbacks run once the batch succeeded.
#[derive(Default)]
pub struct ModelBatch {
    /// LOGGED (default), UNLOGGED or COUNTER.
    pub kind: BatchType,
    /// Write timestamp of the whole batch (µs).
    pub timestamp: Option<i64>,
    /// Consistency level.
    pub consistency: Option<Consistency>,
    statements: Vec<Rendered>,
    callbacks: Vec<BatchCallback>,
}

impl std::fmt::Debug for ModelBatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelBatch")
            .field("kind", &self.kind)
            .field("statements", &self.statements)
            .field("callbacks", &self.callbacks.len())
            .finish()
    }
}

impl ModelBatch {
    /// An empty batch of `kind`.
    pub fn new(kind: BatchType) -> Self {
        ModelBatch {
            kind,
            ..Default::default()
        }
    }

    /// Adds a rendered write.
    pub fn add(&mut self, statement: Rendered) {
        self.statements.push(statement);
    }

    /// Runs `callback` after the batch succeeds.
    pub fn add_callback(&mut self, callback: impl FnOnce() + Send + 'static) {
        self.callbacks.push(Box::new(callback));
    }

    /// How many writes the batch holds.
    pub fn len(&self) -> usize {
        self.statements.len()
    }

    /// Whether the batch holds no write.
    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    /// Sends the batch; a conditional batch that is not applied is [`Error::LwtFailed`].
    /// Callbacks run only on success. An empty batch sends nothing.
    pub async fn execute(self, session: &Session) -> Result<()> {
        if !self.statements.is_empty() {
            let mut batch = Batch::new(self.kind).with_options(StatementOptions {
                timestamp: self.timestamp,
                consistency: self.consistency,
                ..Default::default()
            });
            for r in self.statements {
                batch = batch.add(Statement::new(r.cql), Values::Positional(r.values));
            }
            let rs = session.batch(&batch).await?;
            lwt_outcome(&rs)?;
        }
        for callback in self.callbacks {
            callback();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapper::schema::ColumnDef;

    fn photo() -> ModelSchema {
        ModelSchema::new("Photo")
            .column(
                ColumnDef::new("photo_id", CqlType::Uuid)
                    .partition_key()
                    .default(ColumnDefault::Uuid4),
            )
            .column(ColumnDef::new("taken", CqlType::Timestamp).clustering(ClusteringOrder::Desc))
            .column(ColumnDef::new("title", CqlType::Text).required())
            .column(ColumnDef::new(
                "tags",
                CqlType::Set {
                    element: Box::new(CqlType::Text),
                    frozen: false,
                },
            ))
            .column(ColumnDef::new(
                "edits",
                CqlType::List {
                    element: Box::new(CqlType::Text),
                    frozen: false,
                },
            ))
            .column(ColumnDef::new(
                "likes",
                CqlType::Map {
                    key: Box::new(CqlType::Uuid),
                    value: Box::new(CqlType::Text),
                    frozen: false,
                },
            ))
            .column(ColumnDef::new("camera", CqlType::Text).indexed())
    }

    fn text(s: &str) -> Value {
        Value::from(s)
    }

    #[test]
    fn create_fills_defaults_validates_and_leaves_nulls_out() {
        let (r, row) = render_create(
            &photo(),
            &[
                ("taken".into(), Value::Timestamp(1)),
                ("title".into(), text("t")),
            ],
            &WriteOptions::default(),
        )
        .unwrap();
        assert!(matches!(row[0].1, Value::Uuid(_)), "uuid4 default: {row:?}");
        assert_eq!(
            r.cql,
            "INSERT INTO \"photo\" (\"photo_id\", \"taken\", \"title\") VALUES (?, ?, ?)"
        );
        let err = render_create(
            &photo(),
            &[("taken".into(), Value::Timestamp(1))],
            &WriteOptions::default(),
        )
        .unwrap_err();
        assert!(
            matches!(&err, Error::Validation { column, reason, .. } if column == "title" && reason == "is required"),
            "{err}"
        );
        let err = render_create(
            &photo(),
            &[("nope".into(), Value::Int(1))],
            &WriteOptions::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("no column \"nope\""), "{err}");
    }

    #[test]
    fn save_writes_only_changes_as_collection_operations() {
        let before = vec![
            ("title".to_owned(), text("a")),
            ("tags".to_owned(), Value::Set(vec![text("x"), text("y")])),
            ("edits".to_owned(), Value::List(vec![text("e1")])),
            (
                "likes".to_owned(),
                Value::Map(vec![
                    (Value::Uuid(Uuid::nil()), text("me")),
                    (Value::Uuid(Uuid::max()), text("you")),
                ]),
            ),
            ("camera".to_owned(), text("same")),
        ];
        let after = vec![
            ("title".to_owned(), text("b")),
            ("tags".to_owned(), Value::Set(vec![text("y"), text("z")])),
            (
                "edits".to_owned(),
                Value::List(vec![text("e1"), text("e2")]),
            ),
            (
                "likes".to_owned(),
                Value::Map(vec![(Value::Uuid(Uuid::nil()), text("me!"))]),
            ),
            ("camera".to_owned(), text("same")),
        ];
        let changes = diff(&photo(), &before, &after);
        assert_eq!(
            changes,
            vec![
                ("title".to_owned(), Change::Set(text("b"))),
                ("tags".to_owned(), Change::Add(Value::Set(vec![text("z")]))),
                (
                    "tags".to_owned(),
                    Change::Remove(Value::Set(vec![text("x")]))
                ),
                (
                    "edits".to_owned(),
                    Change::Add(Value::List(vec![text("e2")]))
                ),
                (
                    "likes".to_owned(),
                    Change::MapUpdate(Value::Map(vec![
                        (Value::Uuid(Uuid::nil()), text("me!")),
                        (Value::Uuid(Uuid::max()), Value::Null)
                    ]))
                ),
            ]
        );
        let key = [
            ("photo_id".to_owned(), Value::Uuid(Uuid::nil())),
            ("taken".to_owned(), Value::Timestamp(1)),
        ];
        let r = render_update(&photo(), &key, &changes, &WriteOptions::default()).unwrap();
        assert_eq!(
            r.cql,
            "UPDATE \"photo\" SET \"title\" = ?, \"tags\" = \"tags\" + ?, \"tags\" = \"tags\" - ?, \"edits\" = \"edits\" + ?, \
             \"likes\"[?] = ?, \"likes\"[?] = ? WHERE \"photo_id\" = ? AND \"taken\" = ?"
        );
    }

    #[test]
    fn invalid_queries_are_refused_before_sending() {
        let m = photo();
        let q = |filters: Vec<Filter>| ModelQuery {
            filters,
            ..Default::default()
        };
        let f = |c: &str, op, v| Filter {
            column: c.into(),
            op,
            value: v,
        };
        let err = render_select(
            &m,
            &q(vec![f("title", FilterOp::Eq, text("x"))]),
            false,
            None,
        )
        .unwrap_err();
        assert!(
            matches!(&err, Error::Query { reason, .. } if reason.contains("allow_filtering")),
            "{err}"
        );
        let mut ok = q(vec![f("title", FilterOp::Eq, text("x"))]);
        ok.allow_filtering = true;
        assert!(render_select(&m, &ok, false, None)
            .unwrap()
            .cql
            .ends_with("ALLOW FILTERING"));
        assert!(
            render_select(
                &m,
                &q(vec![f("camera", FilterOp::Eq, text("x"))]),
                false,
                None
            )
            .is_ok(),
            "indexed"
        );
        let mut ordered = q(vec![]);
        ordered.order_by = vec![("title".into(), ClusteringOrder::Asc)];
        assert!(render_select(&m, &ordered, false, None)
            .unwrap_err()
            .to_string()
            .contains("not a clustering column"));
        ordered.order_by = vec![("taken".into(), ClusteringOrder::Asc)];
        assert!(render_select(&m, &ordered, false, None)
            .unwrap_err()
            .to_string()
            .contains("whole partition key"));
        ordered.filters = vec![f("photo_id", FilterOp::Eq, Value::Uuid(Uuid::nil()))];
        assert!(render_select(&m, &ordered, false, None).is_ok());
        // A compared value of the wrong type is refused as a written one is (cqlengine).
        for bad in [
            f("photo_id", FilterOp::Eq, text("not-a-uuid")),
            f(
                "photo_id",
                FilterOp::In,
                Value::List(vec![text("not-a-uuid")]),
            ),
        ] {
            let err = render_select(&m, &q(vec![bad]), false, None).unwrap_err();
            assert!(
                matches!(&err, Error::Validation { column, .. } if column == "photo_id"),
                "{err}"
            );
        }
        assert!(render_select(
            &m,
            &q(vec![f("title", FilterOp::Contains, text("x"))]),
            false,
            None
        )
        .is_err());
        assert!(render_select(
            &m,
            &q(vec![f("photo_id", FilterOp::Gt, Value::Uuid(Uuid::nil()))]),
            false,
            None
        )
        .is_err());
        let tokens = q(vec![Filter {
            column: String::new(),
            op: FilterOp::TokenGt,
            value: Value::BigInt(0),
        }]);
        assert!(render_select(&m, &tokens, false, None)
            .unwrap()
            .cql
            .contains("token(\"photo_id\") > ?"));
        let err = render_delete(
            &m,
            &[("taken".into(), Value::Timestamp(1))],
            &[],
            &WriteOptions::default(),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("\"photo_id\" needs a value"),
            "{err}"
        );
    }
}
