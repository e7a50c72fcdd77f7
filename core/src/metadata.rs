//! Cluster metadata as plain data: hosts and their state, keyspaces, tables, columns, UDTs,
//! views, indexes, the token ring and the replicas of a key; schema agreement.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use scylla::cluster::metadata::{ColumnKind as DriverColumnKind, Strategy, Table};
use scylla::cluster::Node;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::session::Session;
use crate::types::CqlType;
use crate::value::{bind_value, Value};

/// A node of the cluster as the driver sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    /// The node's host id.
    pub host_id: Uuid,
    /// Its CQL address.
    pub address: SocketAddr,
    /// Its datacenter.
    pub datacenter: Option<String>,
    /// Its rack.
    pub rack: Option<String>,
    /// Whether the driver holds a working connection to it.
    pub up: bool,
}

impl From<&Arc<Node>> for Host {
    fn from(n: &Arc<Node>) -> Self {
        Host {
            host_id: n.host_id,
            address: SocketAddr::new(n.address.ip(), n.address.port()),
            datacenter: n.datacenter.clone(),
            rack: n.rack.clone(),
            up: n.is_connected(),
        }
    }
}

/// A keyspace's replication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replication {
    /// SimpleStrategy.
    Simple {
        /// Replicas per key.
        replication_factor: usize,
    },
    /// NetworkTopologyStrategy: replicas per datacenter.
    NetworkTopology {
        /// Replication factor by datacenter.
        datacenters: BTreeMap<String, usize>,
    },
    /// LocalStrategy (system keyspaces).
    Local,
    /// Another strategy class, with its options.
    Other {
        /// The class.
        class: String,
        /// Its options.
        options: BTreeMap<String, String>,
    },
}

/// The role of a column in its table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Part of the partition key.
    PartitionKey,
    /// A clustering column.
    Clustering,
    /// A regular column.
    Regular,
    /// A static column.
    Static,
}

/// A column of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMetadata {
    /// Its type.
    pub typ: CqlType,
    /// Its role.
    pub kind: ColumnKind,
}

/// A table (or a materialized view's own columns).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableMetadata {
    /// Partition key columns, in order.
    pub partition_key: Vec<String>,
    /// Clustering columns, in order.
    pub clustering_key: Vec<String>,
    /// Every column by name.
    pub columns: BTreeMap<String, ColumnMetadata>,
}

/// A materialized view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewMetadata {
    /// The table it is built from.
    pub base_table: String,
    /// Its own columns and keys.
    pub table: TableMetadata,
}

/// A keyspace and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyspaceMetadata {
    /// Its name.
    pub name: String,
    /// Its replication.
    pub replication: Replication,
    /// Whether writes go through the commit log.
    pub durable_writes: bool,
    /// Tables by name.
    pub tables: BTreeMap<String, TableMetadata>,
    /// Materialized views by name.
    pub views: BTreeMap<String, ViewMetadata>,
    /// User-defined types by name: their fields in order.
    pub user_types: BTreeMap<String, Vec<(String, CqlType)>>,
}

/// A secondary index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexMetadata {
    /// Its name.
    pub name: String,
    /// The indexed table.
    pub table: String,
    /// COMPOSITES, KEYS or CUSTOM.
    pub kind: String,
    /// Its options (`target`, and `class_name` for custom indexes).
    pub options: BTreeMap<String, String>,
}

fn table_metadata(t: &Table) -> TableMetadata {
    TableMetadata {
        partition_key: t.partition_key.clone(),
        clustering_key: t.clustering_key.clone(),
        columns: t
            .columns
            .iter()
            .map(|(name, c)| {
                let kind = match c.kind {
                    DriverColumnKind::PartitionKey => ColumnKind::PartitionKey,
                    DriverColumnKind::Clustering => ColumnKind::Clustering,
                    DriverColumnKind::Static => ColumnKind::Static,
                    _ => ColumnKind::Regular,
                };
                (
                    name.clone(),
                    ColumnMetadata {
                        typ: (&c.typ).into(),
                        kind,
                    },
                )
            })
            .collect(),
    }
}

fn replication(s: &Strategy) -> Replication {
    match s {
        Strategy::SimpleStrategy { replication_factor } => Replication::Simple {
            replication_factor: *replication_factor,
        },
        Strategy::NetworkTopologyStrategy {
            datacenter_repfactors,
        } => Replication::NetworkTopology {
            datacenters: datacenter_repfactors
                .iter()
                .map(|(k, v)| (k.clone(), *v))
                .collect(),
        },
        Strategy::LocalStrategy => Replication::Local,
        Strategy::Other { name, data } => Replication::Other {
            class: name.clone(),
            options: data.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        },
        other => Replication::Other {
            class: format!("{other:?}"),
            options: BTreeMap::new(),
        },
    }
}

impl Session {
    /// Every node the driver knows, with its state.
    pub fn hosts(&self) -> Vec<Host> {
        self.driver()
            .get_cluster_state()
            .get_nodes_info()
            .iter()
            .map(Host::from)
            .collect()
    }

    /// The names of every keyspace.
    pub fn keyspace_names(&self) -> Vec<String> {
        let state = self.driver().get_cluster_state();
        let mut names: Vec<String> = state.keyspaces_iter().map(|(n, _)| n.to_owned()).collect();
        names.sort();
        names
    }

    /// A keyspace's metadata, as of the last refresh (schema changes made through this
    /// session refresh it; see [`Session::refresh_metadata`]).
    pub fn keyspace_metadata(&self, name: &str) -> Option<KeyspaceMetadata> {
        let state = self.driver().get_cluster_state();
        let ks = state.get_keyspace(name)?;
        Some(KeyspaceMetadata {
            name: name.to_owned(),
            replication: replication(&ks.strategy),
            durable_writes: ks.durable_writes,
            tables: ks
                .tables
                .iter()
                .map(|(n, t)| (n.clone(), table_metadata(t)))
                .collect(),
            views: ks
                .views
                .iter()
                .map(|(n, v)| {
                    (
                        n.clone(),
                        ViewMetadata {
                            base_table: v.base_table_name.clone(),
                            table: table_metadata(&v.view_metadata),
                        },
                    )
                })
                .collect(),
            user_types: ks
                .user_defined_types
                .iter()
                .map(|(n, u)| {
                    (
                        n.clone(),
                        u.field_types
                            .iter()
                            .map(|(f, t)| (f.to_string(), t.into()))
                            .collect(),
                    )
                })
                .collect(),
        })
    }

    /// Fetches the cluster's topology and schema again.
    pub async fn refresh_metadata(&self) -> Result<()> {
        self.check_process()?;
        self.driver()
            .refresh_metadata()
            .await
            .map_err(|e| (&e).into())
    }

    /// Waits until every reachable node has the same schema version, and returns it.
    pub async fn wait_for_schema_agreement(&self) -> Result<Uuid> {
        self.check_process()?;
        self.driver()
            .await_schema_agreement()
            .await
            .map_err(|e| match e {
                scylla::errors::SchemaAgreementError::Timeout(d) => Error::OperationTimedOut(d),
                scylla::errors::SchemaAgreementError::RequestError(r) => (&r).into(),
                other => Error::Driver(format!("schema agreement: {other}")),
            })
    }

    /// The secondary indexes of a keyspace (read from `system_schema.indexes`).
    pub async fn indexes(&self, keyspace: &str) -> Result<Vec<IndexMetadata>> {
        let rs = self
            .execute(
                "SELECT table_name, index_name, kind, options FROM system_schema.indexes WHERE keyspace_name = ?",
                vec![Value::from(keyspace)],
            )
            .await?;
        let text = |v: &Value| match v {
            Value::Text(s) | Value::Ascii(s) => s.clone(),
            _ => String::new(),
        };
        Ok(rs
            .rows
            .iter()
            .map(|r| IndexMetadata {
                table: text(&r[0]),
                name: text(&r[1]),
                kind: text(&r[2]),
                options: match &r[3] {
                    Value::Map(entries) => {
                        entries.iter().map(|(k, v)| (text(k), text(v))).collect()
                    }
                    _ => BTreeMap::new(),
                },
            })
            .collect())
    }

    /// The token ring: each token with the node that owns it, in ring order.
    pub fn token_ring(&self) -> Vec<(i64, Host)> {
        let state = self.driver().get_cluster_state();
        state
            .replica_locator()
            .ring()
            .iter()
            .map(|(t, n)| (t.value(), Host::from(n)))
            .collect()
    }

    /// The replicas of a partition key (its values in partition-key order) of a table.
    pub fn replicas(
        &self,
        keyspace: &str,
        table: &str,
        partition_key: &[Value],
    ) -> Result<Vec<Host>> {
        let state = self.driver().get_cluster_state();
        let t = state
            .get_keyspace(keyspace)
            .and_then(|k| k.tables.get(table))
            .ok_or_else(|| Error::InvalidArgument(format!("unknown table {keyspace}.{table}")))?;
        if partition_key.len() != t.partition_key.len() {
            return Err(Error::BindArity {
                expected: t.partition_key.len(),
                got: partition_key.len(),
            });
        }
        let row = t
            .partition_key
            .iter()
            .zip(partition_key)
            .enumerate()
            .map(|(index, (name, v))| {
                bind_value(v, &t.columns[name].typ).map_err(|e| Error::BindType {
                    index,
                    column: name.clone(),
                    reason: e.0,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let replicas = state
            .get_endpoints(keyspace, table, &row)
            .map_err(|e| Error::InvalidArgument(format!("cannot compute the token: {e}")))?;
        Ok(replicas.iter().map(|(n, _)| Host::from(n)).collect())
    }
}
