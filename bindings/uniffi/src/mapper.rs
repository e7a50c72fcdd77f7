//! The object mapper: models described as records become core's `ModelSchema`; writes,
//! queries, batches and table management run in core. Values cross packed (PACKED.md,
//! "Named values").

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use cqlbridge_core::mapper::{
    render_create, render_delete, render_save, render_update, Change, ClusteringOrder, ColumnDef,
    ColumnDefault, Filter, FilterOp, KeyKind, ModelBatch, ModelQuery, ModelRow, ModelSchema, Op,
    OptionValue, Polymorphism, WriteOptions,
};
use cqlbridge_core::packed::{Reader, Writer};
use cqlbridge_core::{BatchType, CqlType, Value};

use crate::config::consistency;
use crate::error::{invalid, CqlError};
use crate::on_runtime;
use crate::queue::Completed;
use crate::session::Connection;

/// A column of a model.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ModelColumn {
    /// The attribute name.
    pub name: String,
    /// The column's name in the table, when it differs.
    pub db_field: Option<String>,
    /// Its CQL type, as CQL writes it (`map<text, frozen<list<int>>>`).
    pub cql_type: String,
    /// 0 not a key, 1 partition key, 2 clustering ascending, 3 clustering descending.
    pub key: u8,
    /// A static column.
    pub is_static: bool,
    /// Give it a secondary index.
    pub index: bool,
    /// Its default when no value is given.
    pub default: Option<ModelDefault>,
    /// Refuse null.
    pub required: bool,
    /// Text: at least this many characters.
    pub min_length: Option<u32>,
    /// Text: at most this many characters.
    pub max_length: Option<u32>,
    /// The polymorphism discriminator.
    pub discriminator: bool,
}

/// A column default.
#[derive(Debug, Clone, uniffi::Enum)]
pub enum ModelDefault {
    /// A value (packed, one tagged value).
    Value {
        /// The packed value.
        value: Vec<u8>,
    },
    /// A new random UUID.
    Uuid4,
    /// A new time UUID.
    TimeUuid,
    /// The current time.
    Now,
}

/// A table option's value.
#[derive(Debug, Clone, uniffi::Enum)]
pub enum TableOption {
    /// A number.
    Int {
        /// The value.
        value: i64,
    },
    /// A floating-point number.
    Float {
        /// The value.
        value: f64,
    },
    /// A string.
    Text {
        /// The value.
        value: String,
    },
    /// A map of strings (compaction, caching, compression).
    Map {
        /// The entries.
        entries: HashMap<String, String>,
    },
}

/// A model: its table, columns, options and polymorphism.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ModelDef {
    /// The model's (class) name.
    pub name: String,
    /// The keyspace; the session's when unset.
    pub keyspace: Option<String>,
    /// The table; the name in snake_case when unset.
    pub table: Option<String>,
    /// Columns in declaration order.
    pub columns: Vec<ModelColumn>,
    /// Table options by name.
    pub options: HashMap<String, TableOption>,
    /// TTL of writes that give none.
    pub default_ttl: Option<i32>,
    /// The discriminator column, when the table holds several models.
    pub discriminator_column: Option<String>,
    /// This model's discriminator value (packed); none for the base model.
    pub discriminator_value: Option<Vec<u8>>,
    /// Every subtype of the table: (packed discriminator value, model name).
    pub subtypes: Vec<ModelSubtype>,
}

/// A subtype of a polymorphic table.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ModelSubtype {
    /// Its discriminator value, packed.
    pub value: Vec<u8>,
    /// Its model name.
    pub model: String,
}

/// A model compiled for core.
#[derive(Debug, uniffi::Object)]
pub struct Model {
    schema: ModelSchema,
}

fn one_value(buf: &[u8]) -> Result<Value, CqlError> {
    let mut r = Reader::new(buf);
    let v = r.value().map_err(|e| invalid(e.to_string()))?;
    if !r.at_end() {
        return Err(invalid("one packed value expected"));
    }
    Ok(v)
}

#[uniffi::export]
impl Model {
    /// Compiles a model description; refuses unknown CQL types.
    #[uniffi::constructor]
    pub fn new(def: ModelDef) -> Result<Arc<Self>, CqlError> {
        let mut schema = ModelSchema::new(def.name.clone());
        if let Some(ks) = def.keyspace {
            schema = schema.keyspace(ks);
        }
        if let Some(t) = def.table {
            schema = schema.table(t);
        }
        for c in def.columns {
            let typ: CqlType = c
                .cql_type
                .parse()
                .map_err(|e| invalid(format!("{}.{}: {e}", def.name, c.name)))?;
            let mut col = ColumnDef::new(c.name, typ);
            col.db_field = c.db_field;
            col.key = match c.key {
                0 => KeyKind::None,
                1 => KeyKind::Partition,
                2 => KeyKind::Clustering(ClusteringOrder::Asc),
                3 => KeyKind::Clustering(ClusteringOrder::Desc),
                k => return Err(invalid(format!("unknown key kind {k}"))),
            };
            col.is_static = c.is_static;
            col.index = c.index;
            col.required = c.required;
            col.min_length = c.min_length.map(|n| n as usize);
            col.max_length = c.max_length.map(|n| n as usize);
            col.discriminator = c.discriminator;
            col.default = match c.default {
                None => None,
                Some(ModelDefault::Value { value }) => {
                    Some(ColumnDefault::Value(one_value(&value)?))
                }
                Some(ModelDefault::Uuid4) => Some(ColumnDefault::Uuid4),
                Some(ModelDefault::TimeUuid) => Some(ColumnDefault::TimeUuid),
                Some(ModelDefault::Now) => Some(ColumnDefault::Now),
            };
            schema = schema.column(col);
        }
        for (name, v) in def.options {
            schema = schema.option(
                name,
                match v {
                    TableOption::Int { value } => OptionValue::Int(value),
                    TableOption::Float { value } => OptionValue::Float(value),
                    TableOption::Text { value } => OptionValue::Text(value),
                    TableOption::Map { entries } => {
                        OptionValue::Map(entries.into_iter().collect::<BTreeMap<_, _>>())
                    }
                },
            );
        }
        schema.default_ttl = def.default_ttl;
        if let Some(column) = def.discriminator_column {
            schema.polymorphism = Some(Polymorphism {
                column,
                value: def
                    .discriminator_value
                    .as_deref()
                    .map(one_value)
                    .transpose()?,
                subtypes: def
                    .subtypes
                    .iter()
                    .map(|s| Ok((one_value(&s.value)?, s.model.clone())))
                    .collect::<Result<_, CqlError>>()?,
            });
        }
        Ok(Arc::new(Model { schema }))
    }

    /// The table's name.
    pub fn table(&self) -> String {
        self.schema.table.clone()
    }

    /// The CREATE TABLE statement `sync_table` would run for a new table.
    pub fn create_table_cql(&self) -> String {
        cqlbridge_core::mapper::render::create_table(&self.schema)
    }
}

/// Options of a model write.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct ModelWriteOptions {
    /// Time to live, seconds.
    pub ttl: Option<i32>,
    /// Write timestamp, µs since the epoch.
    pub timestamp: Option<i64>,
    /// Consistency level (protocol code).
    pub consistency: Option<u16>,
    /// Client-side timeout.
    pub timeout_ms: Option<u64>,
    /// `IF NOT EXISTS`.
    pub if_not_exists: bool,
    /// `IF EXISTS`.
    pub if_exists: bool,
    /// `IF` conditions, packed: a count, then (str attribute, u8 operator, value)…;
    /// operators 0 =, 1 !=, 2 >, 3 >=, 4 <, 5 <=, 6 IN.
    pub conditions: Vec<u8>,
}

/// A model query.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct ModelQueryDef {
    /// Filters, packed: a count, then (str attribute, u8 operator, value)…; operators 0 =,
    /// 1 IN, 2 >, 3 >=, 4 <, 5 <=, 6 CONTAINS, 7 CONTAINS KEY, 8-11 token >, >=, <, <=.
    pub filters: Vec<u8>,
    /// Order by (attribute, descending).
    pub order_by: Vec<OrderBy>,
    /// At most this many rows.
    pub limit: Option<i32>,
    /// ALLOW FILTERING.
    pub allow_filtering: bool,
    /// Only these attributes.
    pub only: Vec<String>,
    /// All attributes but these.
    pub defer: Vec<String>,
    /// Distinct partition keys.
    pub distinct: bool,
    /// Consistency level (protocol code).
    pub consistency: Option<u16>,
    /// Client-side timeout.
    pub timeout_ms: Option<u64>,
    /// Rows per page.
    pub page_size: Option<i32>,
}

/// One order-by term.
#[derive(Debug, Clone, uniffi::Record)]
pub struct OrderBy {
    /// The clustering attribute.
    pub column: String,
    /// Descending.
    pub descending: bool,
}

/// A page of model rows.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ModelPage {
    /// The rows, packed: a count, then per row: str model, and named values.
    pub rows: Vec<u8>,
    /// Where the next page starts.
    pub paging_state: Option<Vec<u8>>,
}

/// What `sync_table` did.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SyncInfo {
    /// The table was created.
    pub created: bool,
    /// Columns added.
    pub added_columns: Vec<String>,
    /// Indexes created.
    pub created_indexes: Vec<String>,
    /// Options altered.
    pub altered_options: Vec<String>,
    /// Differences left alone (a column whose type differs).
    pub warnings: Vec<String>,
}

/// A field of a user-defined type.
#[derive(Debug, Clone, uniffi::Record)]
pub struct TypeField {
    /// The field's name.
    pub name: String,
    /// Its CQL type.
    pub cql_type: String,
}

/// One write of a model batch.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ModelWrite {
    /// 0 create, 1 save (an update of what changed), 2 blind update, 3 delete.
    pub kind: u8,
    /// The model.
    pub model: Arc<Model>,
    /// Create and save: the named values.
    pub values: Vec<u8>,
    /// Save: the values as read.
    pub original: Vec<u8>,
    /// Update and delete: the key's named values.
    pub key: Vec<u8>,
    /// Update: the changes, packed (see `Connection::model_update`).
    pub changes: Vec<u8>,
    /// Delete: only these columns.
    pub columns: Vec<String>,
    /// Its options.
    pub options: ModelWriteOptions,
}

fn bad(e: impl std::fmt::Display) -> CqlError {
    invalid(format!("malformed packed values: {e}"))
}

/// Named values: a count, then (str name, value)….
pub(crate) fn unpack_named(buf: &[u8]) -> Result<Vec<(String, Value)>, CqlError> {
    if buf.is_empty() {
        return Ok(Vec::new());
    }
    let mut r = Reader::new(buf);
    let n = r.u32().map_err(bad)?;
    (0..n)
        .map(|_| Ok((r.str().map_err(bad)?, r.value().map_err(bad)?)))
        .collect()
}

pub(crate) fn write_named(w: &mut Writer, values: &[(String, Value)]) {
    w.u32(values.len());
    for (n, v) in values {
        w.str(n);
        w.value(v);
    }
}

fn pack_row(row: &ModelRow) -> Vec<u8> {
    let mut w = Writer::new();
    w.str(&row.model);
    write_named(&mut w, &row.values);
    w.into_bytes()
}

fn triples(buf: &[u8]) -> Result<Vec<(String, u8, Value)>, CqlError> {
    if buf.is_empty() {
        return Ok(Vec::new());
    }
    let mut r = Reader::new(buf);
    let n = r.u32().map_err(bad)?;
    (0..n)
        .map(|_| {
            Ok((
                r.str().map_err(bad)?,
                r.u8().map_err(bad)?,
                r.value().map_err(bad)?,
            ))
        })
        .collect()
}

impl ModelWriteOptions {
    fn to_core(&self) -> Result<WriteOptions, CqlError> {
        Ok(WriteOptions {
            ttl: self.ttl,
            timestamp: self.timestamp,
            consistency: self.consistency.map(consistency).transpose()?,
            timeout: self.timeout_ms.map(Duration::from_millis),
            if_not_exists: self.if_not_exists,
            if_exists: self.if_exists,
            conditions: triples(&self.conditions)?
                .into_iter()
                .map(|(c, op, v)| {
                    let op = match op {
                        0 => Op::Eq,
                        1 => Op::Ne,
                        2 => Op::Gt,
                        3 => Op::Ge,
                        4 => Op::Lt,
                        5 => Op::Le,
                        6 => Op::In,
                        k => return Err(invalid(format!("unknown condition operator {k}"))),
                    };
                    Ok((c, op, v))
                })
                .collect::<Result<_, _>>()?,
        })
    }
}

impl ModelQueryDef {
    fn to_core(&self) -> Result<ModelQuery, CqlError> {
        Ok(ModelQuery {
            filters: triples(&self.filters)?
                .into_iter()
                .map(|(column, op, value)| {
                    let op = FilterOp::from_code(op.into())
                        .ok_or_else(|| invalid(format!("unknown filter operator {op}")))?;
                    Ok(Filter { column, op, value })
                })
                .collect::<Result<_, CqlError>>()?,
            order_by: self
                .order_by
                .iter()
                .map(|o| {
                    (
                        o.column.clone(),
                        if o.descending {
                            ClusteringOrder::Desc
                        } else {
                            ClusteringOrder::Asc
                        },
                    )
                })
                .collect(),
            limit: self.limit,
            allow_filtering: self.allow_filtering,
            only: self.only.clone(),
            defer: self.defer.clone(),
            distinct: self.distinct,
            consistency: self.consistency.map(consistency).transpose()?,
            timeout: self.timeout_ms.map(Duration::from_millis),
            page_size: self.page_size,
        })
    }
}

/// Changes: a count, then (str attribute, u8 kind, value)…; kinds 0 set, 1 add / append,
/// 2 remove, 3 prepend, 4 map update, 5 map remove.
fn changes(buf: &[u8]) -> Result<Vec<(String, Change)>, CqlError> {
    triples(buf)?
        .into_iter()
        .map(|(c, kind, v)| {
            let change = Change::from_code(kind.into(), v)
                .ok_or_else(|| invalid(format!("unknown change kind {kind}")))?;
            Ok((c, change))
        })
        .collect()
}

#[uniffi::export]
impl Connection {
    /// Creates the model's table, or adds its missing columns, indexes and options.
    pub async fn sync_table(&self, model: Arc<Model>) -> Result<SyncInfo, CqlError> {
        let session = self.session.clone();
        let r = on_runtime(async move { session.sync_table(&model.schema).await }).await?;
        Ok(SyncInfo {
            created: r.created,
            added_columns: r.added_columns,
            created_indexes: r.created_indexes,
            altered_options: r.altered_options,
            warnings: r.warnings,
        })
    }

    /// Drops the model's table.
    pub async fn drop_table(&self, model: Arc<Model>) -> Result<(), CqlError> {
        let session = self.session.clone();
        on_runtime(async move { session.drop_table(&model.schema).await }).await
    }

    /// Creates or completes a user-defined type.
    pub async fn sync_type(
        &self,
        keyspace: String,
        name: String,
        fields: Vec<TypeField>,
    ) -> Result<(), CqlError> {
        let fields = fields
            .into_iter()
            .map(|f| {
                let t: CqlType = f
                    .cql_type
                    .parse()
                    .map_err(|e| invalid(format!("{}: {e}", f.name)))?;
                Ok((f.name, t))
            })
            .collect::<Result<Vec<_>, CqlError>>()?;
        let session = self.session.clone();
        on_runtime(async move {
            session
                .sync_type(&keyspace, &name, &fields)
                .await
                .map(|_| ())
        })
        .await
    }

    /// `CREATE KEYSPACE IF NOT EXISTS` with SimpleStrategy.
    pub async fn create_keyspace_simple(
        &self,
        name: String,
        replication_factor: u32,
        durable_writes: bool,
    ) -> Result<(), CqlError> {
        let session = self.session.clone();
        on_runtime(async move {
            session
                .create_keyspace_simple(&name, replication_factor, durable_writes)
                .await
        })
        .await
    }

    /// `CREATE KEYSPACE IF NOT EXISTS` with NetworkTopologyStrategy.
    pub async fn create_keyspace_network_topology(
        &self,
        name: String,
        datacenters: HashMap<String, u32>,
        durable_writes: bool,
    ) -> Result<(), CqlError> {
        let session = self.session.clone();
        let dcs: Vec<(String, u32)> = datacenters.into_iter().collect();
        on_runtime(async move {
            session
                .create_keyspace_network_topology(&name, &dcs, durable_writes)
                .await
        })
        .await
    }

    /// `DROP KEYSPACE IF EXISTS`.
    pub async fn drop_keyspace(&self, name: String) -> Result<(), CqlError> {
        let session = self.session.clone();
        on_runtime(async move { session.drop_keyspace(&name).await }).await
    }

    /// Inserts a row (named values, packed): validates and fills defaults; returns the row as
    /// stored (packed named values).
    pub async fn model_create(
        &self,
        model: Arc<Model>,
        values: Vec<u8>,
        options: ModelWriteOptions,
    ) -> Result<Vec<u8>, CqlError> {
        let values = unpack_named(&values)?;
        let opts = options.to_core()?;
        let session = self.session.clone();
        let row =
            on_runtime(async move { session.model_create(&model.schema, &values, &opts).await })
                .await?;
        Ok(pack_row(&row))
    }

    /// Saves `current` over `original` (both packed named values; `original` empty for a new
    /// row), writing only what changed.
    pub async fn model_save(
        &self,
        model: Arc<Model>,
        original: Vec<u8>,
        current: Vec<u8>,
        options: ModelWriteOptions,
    ) -> Result<Vec<u8>, CqlError> {
        let original = (!original.is_empty())
            .then(|| unpack_named(&original))
            .transpose()?;
        let current = unpack_named(&current)?;
        let opts = options.to_core()?;
        let session = self.session.clone();
        let row = on_runtime(async move {
            session
                .model_save(&model.schema, original.as_deref(), &current, &opts)
                .await
        })
        .await?;
        Ok(pack_row(&row))
    }

    /// A blind update by key (packed named values) with packed changes.
    pub async fn model_update(
        &self,
        model: Arc<Model>,
        key: Vec<u8>,
        changes: Vec<u8>,
        options: ModelWriteOptions,
    ) -> Result<(), CqlError> {
        let key = unpack_named(&key)?;
        let changes = self::changes(&changes)?;
        let opts = options.to_core()?;
        let session = self.session.clone();
        on_runtime(async move {
            session
                .model_update(&model.schema, &key, &changes, &opts)
                .await
        })
        .await
    }

    /// Deletes the rows of `key`, or only `columns` of them.
    pub async fn model_delete(
        &self,
        model: Arc<Model>,
        key: Vec<u8>,
        columns: Vec<String>,
        options: ModelWriteOptions,
    ) -> Result<(), CqlError> {
        let key = unpack_named(&key)?;
        let opts = options.to_core()?;
        let session = self.session.clone();
        on_runtime(async move {
            session
                .model_delete(&model.schema, &key, &columns, &opts)
                .await
        })
        .await
    }

    /// One page of a model query.
    pub async fn model_select_page(
        &self,
        model: Arc<Model>,
        query: ModelQueryDef,
        paging_state: Option<Vec<u8>>,
    ) -> Result<ModelPage, CqlError> {
        let q = query.to_core()?;
        let session = self.session.clone();
        let (rows, paging_state) = on_runtime(async move {
            session
                .model_select_page(&model.schema, &q, paging_state.as_deref())
                .await
        })
        .await?;
        let mut w = Writer::new();
        w.u32(rows.len());
        for row in &rows {
            w.str(&row.model);
            write_named(&mut w, &row.values);
        }
        Ok(ModelPage {
            rows: w.into_bytes(),
            paging_state,
        })
    }

    /// Exactly one row (DoesNotExist, MultipleObjectsReturned otherwise), packed as model
    /// name and named values.
    pub async fn model_get(
        &self,
        model: Arc<Model>,
        query: ModelQueryDef,
    ) -> Result<Vec<u8>, CqlError> {
        let q = query.to_core()?;
        let session = self.session.clone();
        let row = on_runtime(async move { session.model_get(&model.schema, &q).await }).await?;
        Ok(pack_row(&row))
    }

    /// How many rows match.
    pub async fn model_count(
        &self,
        model: Arc<Model>,
        query: ModelQueryDef,
    ) -> Result<i64, CqlError> {
        let q = query.to_core()?;
        let session = self.session.clone();
        on_runtime(async move { session.model_count(&model.schema, &q).await }).await
    }

    /// Runs model writes as one batch (`kind`: 0 LOGGED, 1 UNLOGGED, 2 COUNTER) at
    /// `timestamp` (µs) when given.
    pub async fn model_batch(
        &self,
        kind: u8,
        timestamp: Option<i64>,
        writes: Vec<ModelWrite>,
    ) -> Result<(), CqlError> {
        let mut batch = ModelBatch::new(match kind {
            0 => BatchType::Logged,
            1 => BatchType::Unlogged,
            2 => BatchType::Counter,
            k => return Err(invalid(format!("unknown batch type {k}"))),
        });
        for w in writes {
            let mut opts = w.options.to_core()?;
            if opts.timestamp.is_none() {
                opts.timestamp = timestamp;
            }
            let m = &w.model.schema;
            let rendered = match w.kind {
                0 => render_create(m, &unpack_named(&w.values)?, &opts)?.0,
                1 => match render_save(
                    m,
                    &unpack_named(&w.original)?,
                    &unpack_named(&w.values)?,
                    &opts,
                )? {
                    Some(rendered) => rendered,
                    None => continue,
                },
                2 => render_update(m, &unpack_named(&w.key)?, &changes(&w.changes)?, &opts)?,
                3 => render_delete(m, &unpack_named(&w.key)?, &w.columns, &opts)?,
                k => return Err(invalid(format!("unknown model write kind {k}"))),
            };
            batch.add(rendered);
        }
        let session = self.session.clone();
        on_runtime(async move { batch.execute(&session).await }).await
    }
}

/// Mapper operations of [`Connection::submit_model`] (bindings/PACKED.md, "Mapper requests").
const CREATE: u8 = 0;
const SAVE: u8 = 1;
const UPDATE: u8 = 2;
const DELETE: u8 = 3;
const GET: u8 = 4;
const SELECT_PAGE: u8 = 5;
const COUNT: u8 = 6;

fn malformed(e: impl std::fmt::Display) -> CqlError {
    invalid(format!("malformed mapper request: {e}"))
}

/// Write options, packed: u8 flags (0x01 i32 ttl, 0x02 i64 timestamp, 0x04 u16 consistency,
/// 0x08 u64 timeout in ms, 0x10 IF NOT EXISTS, 0x20 IF EXISTS), then the flagged fields in
/// that order, then bytes conditions.
fn read_write_options(r: &mut Reader<'_>) -> Result<ModelWriteOptions, CqlError> {
    let flags = r.u8().map_err(malformed)?;
    let has = |bit: u8| flags & bit != 0;
    Ok(ModelWriteOptions {
        ttl: has(0x01).then(|| r.i32()).transpose().map_err(malformed)?,
        timestamp: has(0x02)
            .then(|| r.u64().map(|t| t as i64))
            .transpose()
            .map_err(malformed)?,
        consistency: has(0x04).then(|| r.u16()).transpose().map_err(malformed)?,
        timeout_ms: has(0x08).then(|| r.u64()).transpose().map_err(malformed)?,
        if_not_exists: has(0x10),
        if_exists: has(0x20),
        conditions: r.bytes().map_err(malformed)?.to_vec(),
    })
}

fn read_strs(r: &mut Reader<'_>) -> Result<Vec<String>, CqlError> {
    let n = r.u32().map_err(malformed)?;
    (0..n).map(|_| r.str().map_err(malformed)).collect()
}

/// A query, packed: bytes filters, u32 count of (str column, u8 descending), u8 flags (0x01
/// i32 limit, 0x02 ALLOW FILTERING, 0x04 DISTINCT, 0x08 u16 consistency, 0x10 u64 timeout in
/// ms, 0x20 i32 page size) and the flagged fields in that order, then the `only` and `defer`
/// columns (each a u32 count of str).
fn read_query(r: &mut Reader<'_>) -> Result<ModelQueryDef, CqlError> {
    let filters = r.bytes().map_err(malformed)?.to_vec();
    let n = r.u32().map_err(malformed)?;
    let order_by = (0..n)
        .map(|_| {
            Ok(OrderBy {
                column: r.str().map_err(malformed)?,
                descending: r.u8().map_err(malformed)? != 0,
            })
        })
        .collect::<Result<Vec<_>, CqlError>>()?;
    let flags = r.u8().map_err(malformed)?;
    let has = |bit: u8| flags & bit != 0;
    Ok(ModelQueryDef {
        filters,
        order_by,
        limit: has(0x01).then(|| r.i32()).transpose().map_err(malformed)?,
        allow_filtering: has(0x02),
        distinct: has(0x04),
        consistency: has(0x08).then(|| r.u16()).transpose().map_err(malformed)?,
        timeout_ms: has(0x10).then(|| r.u64()).transpose().map_err(malformed)?,
        page_size: has(0x20).then(|| r.i32()).transpose().map_err(malformed)?,
        only: read_strs(r)?,
        defer: read_strs(r)?,
    })
}

#[uniffi::export]
impl Connection {
    /// Starts a mapper operation on `model`, packed in `request` (bindings/PACKED.md,
    /// "Mapper requests"), and returns at once: its outcome completes into the connection's
    /// queue under `id` like a request's ("Mapper outcomes"), without a coroutine per call
    /// and without lowering records field by field. For the hot paths of a mapper.
    pub fn submit_model(
        self: Arc<Self>,
        id: u64,
        model: Arc<Model>,
        request: Vec<u8>,
    ) -> Result<(), CqlError> {
        self.session.check_process()?;
        let conn = self.clone();
        self.start_completing(id, async move {
            let outcome = conn.run_model(model, &request).await;
            vec![Completed::bytes(
                id,
                outcome.map_err(|CqlError::Failed { info }| info),
            )]
        })
    }
}

impl Connection {
    /// Runs a packed mapper operation; its outcome as bytes: a packed row (create, save,
    /// get), the rows then an optional paging state (select page), an i64 (count), nothing
    /// otherwise.
    async fn run_model(&self, model: Arc<Model>, request: &[u8]) -> Result<Vec<u8>, CqlError> {
        let mut r = Reader::new(request);
        let bytes = |r: &mut Reader<'_>| r.bytes().map(<[u8]>::to_vec).map_err(malformed);
        match r.u8().map_err(malformed)? {
            CREATE => {
                let values = bytes(&mut r)?;
                let options = read_write_options(&mut r)?;
                self.model_create(model, values, options).await
            }
            SAVE => {
                let (original, current) = (bytes(&mut r)?, bytes(&mut r)?);
                let options = read_write_options(&mut r)?;
                self.model_save(model, original, current, options).await
            }
            UPDATE => {
                let (key, changes) = (bytes(&mut r)?, bytes(&mut r)?);
                let options = read_write_options(&mut r)?;
                self.model_update(model, key, changes, options).await?;
                Ok(Vec::new())
            }
            DELETE => {
                let key = bytes(&mut r)?;
                let columns = read_strs(&mut r)?;
                let options = read_write_options(&mut r)?;
                self.model_delete(model, key, columns, options).await?;
                Ok(Vec::new())
            }
            GET => {
                let query = read_query(&mut r)?;
                self.model_get(model, query).await
            }
            SELECT_PAGE => {
                let query = read_query(&mut r)?;
                let state = r.opt_bytes().map_err(malformed)?.map(<[u8]>::to_vec);
                let page = self.model_select_page(model, query, state).await?;
                let mut w = Writer::new();
                w.bytes(&page.rows);
                w.opt_bytes(page.paging_state.as_deref());
                Ok(w.into_bytes())
            }
            COUNT => {
                let query = read_query(&mut r)?;
                Ok(self.model_count(model, query).await?.to_le_bytes().to_vec())
            }
            op => Err(invalid(format!("unknown mapper operation {op}"))),
        }
    }
}
