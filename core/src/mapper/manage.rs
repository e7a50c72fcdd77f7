//! Schema management for models: keyspaces, `sync_table` (create; add missing columns and
//! indexes; alter changed options; never drop; refuse a primary-key change; warn on a type
//! change), `drop_table`, `sync_type`.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use super::render;
use super::schema::{
    is_readable_type_name, unreadable_udt, unreadable_udt_reason, ModelSchema, OptionValue,
};
use crate::error::{Error, Result};
use crate::metadata::{ColumnKind, TableMetadata};
use crate::session::Session;
use crate::types::CqlType;
use crate::value::Value;

/// One lock per (keyspace, table).
type TableLocks = Mutex<HashMap<(String, String), Arc<tokio::sync::Mutex<()>>>>;

/// The lock that serialises `sync_table` of one table within this process.
fn table_lock(keyspace: &str, table: &str) -> Arc<tokio::sync::Mutex<()>> {
    static LOCKS: OnceLock<TableLocks> = OnceLock::new();
    let mut locks = LOCKS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    locks
        .entry((keyspace.to_owned(), table.to_owned()))
        .or_default()
        .clone()
}

/// What `sync_table` did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SyncReport {
    /// The table was created.
    pub created: bool,
    /// Columns added (table names).
    pub added_columns: Vec<String>,
    /// Indexes created.
    pub created_indexes: Vec<String>,
    /// Options altered.
    pub altered_options: Vec<String>,
    /// Differences left alone (a column's type differs, ...).
    pub warnings: Vec<String>,
}

impl SyncReport {
    /// Whether nothing had to change.
    pub fn unchanged(&self) -> bool {
        !self.created
            && self.added_columns.is_empty()
            && self.created_indexes.is_empty()
            && self.altered_options.is_empty()
    }
}

/// The model's keyspace, or the session's.
pub(crate) fn keyspace_of(session: &Session, model: &ModelSchema) -> Result<String> {
    model
        .keyspace
        .clone()
        .or_else(|| session.keyspace())
        .ok_or_else(|| {
            Error::InvalidArgument(format!(
                "model {} has no keyspace and the session uses none",
                model.name
            ))
        })
}

/// Does the server's value of an option match the model's? Maps match when every entry the
/// model sets is there (the server adds defaults).
fn option_matches(want: &OptionValue, have: Option<&Value>) -> bool {
    let text = |v: &Value| match v {
        Value::Text(s) | Value::Ascii(s) => Some(s.clone()),
        _ => None,
    };
    match (want, have) {
        (OptionValue::Int(i), Some(Value::Int(h))) => i64::from(*h) == *i,
        (OptionValue::Int(i), Some(Value::BigInt(h))) => *h == *i,
        (OptionValue::Float(f), Some(Value::Double(h))) => (f - h).abs() < 1e-9,
        (OptionValue::Text(t), Some(v)) => text(v).as_deref() == Some(t.as_str()),
        (OptionValue::Map(m), Some(Value::Map(entries))) => m.iter().all(|(k, v)| {
            entries.iter().any(|(hk, hv)| {
                text(hk).as_deref() == Some(k.as_str())
                    && text(hv)
                        .is_some_and(|hv| hv == *v || hv.rsplit('.').next() == Some(v.as_str()))
            })
        }),
        _ => false,
    }
}

/// How many times `sync_table` reads a table that is still being created elsewhere.
const SETTLE_ATTEMPTS: usize = 20;

impl Session {
    /// The table's metadata once it is complete. A table created concurrently (by another
    /// client) can be seen half-way, its row there and its key columns not yet; such a view is
    /// read again after schema agreement instead of being compared with a model.
    async fn table_metadata_settled(
        &self,
        keyspace: &str,
        table: &str,
    ) -> Result<Option<TableMetadata>> {
        for _ in 0..SETTLE_ATTEMPTS {
            self.refresh_metadata().await?;
            match self
                .keyspace_metadata(keyspace)
                .and_then(|k| k.tables.get(table).cloned())
            {
                Some(t) if t.partition_key.is_empty() => {
                    self.wait_for_schema_agreement().await?;
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                found => return Ok(found),
            }
        }
        Err(Error::SchemaMismatch(format!(
            "{keyspace}.{table} exists but its columns never became visible; is it being created right now?"
        )))
    }

    /// `CREATE KEYSPACE IF NOT EXISTS` with SimpleStrategy; `durable_writes: false` skips
    /// the commit log for its tables.
    pub async fn create_keyspace_simple(
        &self,
        name: &str,
        replication_factor: u32,
        durable_writes: bool,
    ) -> Result<()> {
        self.execute(
            render::create_keyspace_simple(name, replication_factor, durable_writes),
            (),
        )
        .await?;
        Ok(())
    }

    /// `CREATE KEYSPACE IF NOT EXISTS` with NetworkTopologyStrategy.
    pub async fn create_keyspace_network_topology(
        &self,
        name: &str,
        datacenters: &[(String, u32)],
        durable_writes: bool,
    ) -> Result<()> {
        if datacenters.is_empty() {
            return Err(Error::InvalidArgument(
                "NetworkTopologyStrategy needs at least one datacenter".into(),
            ));
        }
        self.execute(
            render::create_keyspace_network_topology(name, datacenters, durable_writes),
            (),
        )
        .await?;
        Ok(())
    }

    /// `DROP KEYSPACE IF EXISTS`.
    pub async fn drop_keyspace(&self, name: &str) -> Result<()> {
        self.execute(render::drop_keyspace(name), ()).await?;
        Ok(())
    }

    /// `DROP TABLE IF EXISTS` for the model's table.
    pub async fn drop_table(&self, model: &ModelSchema) -> Result<()> {
        let mut m = model.clone();
        m.keyspace = Some(keyspace_of(self, model)?);
        self.execute(render::drop_table(&m), ()).await?;
        Ok(())
    }

    /// Creates a user-defined type, or adds the fields it lacks. A field whose type differs
    /// is reported, not changed.
    pub async fn sync_type(
        &self,
        keyspace: &str,
        name: &str,
        fields: &[(String, CqlType)],
    ) -> Result<SyncReport> {
        let unreadable = std::iter::once(name)
            .filter(|n| !is_readable_type_name(n))
            .chain(fields.iter().filter_map(|(_, t)| unreadable_udt(t)))
            .next();
        if let Some(udt) = unreadable {
            return Err(Error::InvalidArgument(unreadable_udt_reason(udt)));
        }
        self.refresh_metadata().await?;
        let existing = self
            .keyspace_metadata(keyspace)
            .and_then(|k| k.user_types.get(name).cloned());
        let mut report = SyncReport::default();
        match existing {
            None => {
                self.execute(render::create_type(Some(keyspace), name, fields), ())
                    .await?;
                report.created = true;
            }
            Some(have) => {
                for (field, typ) in fields {
                    match have.iter().find(|(f, _)| f == field) {
                        None => {
                            self.execute(render::add_type_field(Some(keyspace), name, field, typ), ()).await?;
                            report.added_columns.push(field.clone());
                        }
                        Some((_, t)) if !same_type(t, typ) => report
                            .warnings
                            .push(format!("field {name}.{field} is {t} in the keyspace, {typ} in the model: left as it is")),
                        _ => {}
                    }
                }
            }
        }
        if !report.unchanged() {
            self.wait_for_schema_agreement().await?;
        }
        Ok(report)
    }

    /// Makes the model's table match the model without losing data: creates it, adds missing
    /// columns and indexes, alters changed options. Never drops anything. A primary-key
    /// difference is an error ([`Error::SchemaMismatch`]); a column type difference a warning.
    pub async fn sync_table(&self, model: &ModelSchema) -> Result<SyncReport> {
        if let Some(udt) = model.columns.iter().find_map(|c| unreadable_udt(&c.typ)) {
            return Err(Error::InvalidArgument(unreadable_udt_reason(udt)));
        }
        let mut m = model.clone();
        let ks = keyspace_of(self, model)?;
        m.keyspace = Some(ks.clone());
        // Two CREATE TABLE IF NOT EXISTS racing can leave statements prepared against a table
        // id the schema then drops ("Unknown CF"): one sync of a table at a time per process.
        let lock = table_lock(&ks, &m.table);
        let _one_at_a_time = lock.lock().await;
        // The discriminator is queried by subtype: it gets an index.
        if let Some(p) = &m.polymorphism {
            let column = p.column.clone();
            if let Some(c) = m.columns.iter_mut().find(|c| c.name == column) {
                c.index = true;
            }
        }
        let table = self.table_metadata_settled(&ks, &m.table).await?;
        let mut report = SyncReport::default();
        let Some(table) = table else {
            self.execute(render::create_table(&m), ()).await?;
            report.created = true;
            for c in m.columns.iter().filter(|c| c.index) {
                self.execute(render::create_index(&m, c), ()).await?;
                report.created_indexes.push(render::index_name(&m, c));
            }
            self.wait_for_schema_agreement().await?;
            return Ok(report);
        };

        let want_pk: Vec<&str> = m.partition_key().map(|c| c.db_name()).collect();
        let want_ck: Vec<&str> = m.clustering_key().map(|c| c.db_name()).collect();
        if table.partition_key != want_pk || table.clustering_key != want_ck {
            return Err(Error::SchemaMismatch(format!(
                "the primary key of {ks}.{} is (({}), {}) in the database and (({}), {}) in model {}: \
                 a primary key cannot be changed; create a new table",
                m.table,
                table.partition_key.join(", "),
                table.clustering_key.join(", "),
                want_pk.join(", "),
                want_ck.join(", "),
                m.name
            )));
        }
        for c in &m.columns {
            match table.columns.get(c.db_name()) {
                None => {
                    self.execute(render::add_column(&m, c), ()).await?;
                    report.added_columns.push(c.db_name().to_owned());
                }
                Some(have) => {
                    if !same_type(&have.typ, &c.typ) {
                        report.warnings.push(format!(
                            "column {}.{} is {} in the database, {} in the model: left as it is",
                            m.table,
                            c.db_name(),
                            have.typ,
                            c.typ
                        ));
                    }
                    if c.is_static != (have.kind == ColumnKind::Static) {
                        report.warnings.push(format!(
                            "column {} differs in being static: left as it is",
                            c.db_name()
                        ));
                    }
                }
            }
        }
        let indexes = self.indexes(&ks).await?;
        for c in m.columns.iter().filter(|c| c.index) {
            let indexed = indexes.iter().any(|i| {
                i.table == m.table
                    && i.options.get("target").is_some_and(|t| {
                        let t = t
                            .trim_start_matches("values(")
                            .trim_start_matches("full(")
                            .trim_end_matches(')');
                        t.trim_matches('"') == c.db_name()
                    })
            });
            if !indexed {
                self.execute(render::create_index(&m, c), ()).await?;
                report.created_indexes.push(render::index_name(&m, c));
            }
        }
        let mut wanted: BTreeMap<String, OptionValue> = m.options.clone();
        if let Some(ttl) = m.default_ttl {
            wanted
                .entry("default_time_to_live".into())
                .or_insert(OptionValue::Int(i64::from(ttl)));
        }
        if !wanted.is_empty() {
            let current = self
                .execute(
                    "SELECT * FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?",
                    vec![Value::from(ks.as_str()), Value::from(m.table.as_str())],
                )
                .await?;
            let changed: Vec<(&String, &OptionValue)> = wanted
                .iter()
                .filter(|(k, v)| !option_matches(v, current.get(0, k)))
                .collect();
            if !changed.is_empty() {
                self.execute(render::alter_options(&m, changed.iter().copied()), ())
                    .await?;
                report.altered_options = changed.iter().map(|(k, _)| (*k).clone()).collect();
            }
        }
        for w in &report.warnings {
            tracing::warn!(model = %m.name, "{w}");
        }
        if !report.unchanged() {
            self.wait_for_schema_agreement().await?;
        }
        Ok(report)
    }
}

/// Types compare equal ignoring UDT keyspaces and field lists (a UDT is known by name).
fn same_type(a: &CqlType, b: &CqlType) -> bool {
    match (a, b) {
        (
            CqlType::Udt {
                name: x,
                frozen: fx,
                ..
            },
            CqlType::Udt {
                name: y,
                frozen: fy,
                ..
            },
        ) => x == y && fx == fy,
        (
            CqlType::List {
                element: x,
                frozen: fx,
            },
            CqlType::List {
                element: y,
                frozen: fy,
            },
        )
        | (
            CqlType::Set {
                element: x,
                frozen: fx,
            },
            CqlType::Set {
                element: y,
                frozen: fy,
            },
        ) => fx == fy && same_type(x, y),
        (
            CqlType::Map {
                key: kx,
                value: vx,
                frozen: fx,
            },
            CqlType::Map {
                key: ky,
                value: vy,
                frozen: fy,
            },
        ) => fx == fy && same_type(kx, ky) && same_type(vx, vy),
        (CqlType::Tuple(x), CqlType::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_type(a, b))
        }
        (
            CqlType::Vector {
                element: x,
                dimensions: dx,
            },
            CqlType::Vector {
                element: y,
                dimensions: dy,
            },
        ) => dx == dy && same_type(x, y),
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_match_when_the_server_has_what_the_model_sets() {
        let server_map = Value::Map(vec![
            (
                Value::from("class"),
                Value::from("org.apache.cassandra.db.compaction.LeveledCompactionStrategy"),
            ),
            (Value::from("max_threshold"), Value::from("32")),
        ]);
        let want =
            OptionValue::Map([("class".to_owned(), "LeveledCompactionStrategy".to_owned())].into());
        assert!(option_matches(&want, Some(&server_map)));
        let other = OptionValue::Map(
            [(
                "class".to_owned(),
                "SizeTieredCompactionStrategy".to_owned(),
            )]
            .into(),
        );
        assert!(!option_matches(&other, Some(&server_map)));
        assert!(option_matches(
            &OptionValue::Int(3600),
            Some(&Value::Int(3600))
        ));
        assert!(!option_matches(
            &OptionValue::Int(10),
            Some(&Value::Int(3600))
        ));
        assert!(option_matches(
            &OptionValue::Text("hi".into()),
            Some(&Value::from("hi"))
        ));
        assert!(!option_matches(&OptionValue::Text("hi".into()), None));
    }
}
