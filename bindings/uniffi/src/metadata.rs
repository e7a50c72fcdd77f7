//! Cluster metadata and metrics as plain records.

use std::collections::HashMap;

use cqlbridge_core::ColumnKind;

use crate::session::Connection;
use crate::{on_runtime, CqlError, Uuid};

/// A node of the cluster.
#[derive(Debug, Clone, uniffi::Record)]
pub struct HostInfo {
    /// The node's host id.
    pub host_id: Uuid,
    /// `ip:port` of its CQL endpoint.
    pub address: String,
    /// Its datacenter.
    pub datacenter: Option<String>,
    /// Its rack.
    pub rack: Option<String>,
    /// Whether the driver has a working connection to it.
    pub up: bool,
}

/// A column of a table.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ColumnInfo {
    /// Its name.
    pub name: String,
    /// Its CQL type, as CQL writes it.
    pub cql_type: String,
    /// `partition_key`, `clustering`, `regular` or `static`.
    pub kind: String,
}

/// A table's schema.
#[derive(Debug, Clone, uniffi::Record)]
pub struct TableInfo {
    /// The keyspace.
    pub keyspace: String,
    /// The table.
    pub name: String,
    /// Partition key columns, in order.
    pub partition_key: Vec<String>,
    /// Clustering columns, in order.
    pub clustering_key: Vec<String>,
    /// Every column.
    pub columns: Vec<ColumnInfo>,
}

/// What the session counted.
#[derive(Debug, Clone, uniffi::Record)]
pub struct MetricsInfo {
    /// Requests executed.
    pub requests: u64,
    /// Requests that failed.
    pub errors: u64,
    /// Failures by error kind name.
    pub errors_by_kind: HashMap<String, u64>,
    /// Retries.
    pub retries: u64,
    /// Speculative executions started.
    pub speculative_executions: u64,
    /// Client-side request timeouts.
    pub request_timeouts: u64,
    /// Open connections.
    pub open_connections: u64,
    /// Latency percentiles in ms (mean, p50, p99, p999), when any request completed.
    pub latency_ms: Vec<u64>,
}

#[uniffi::export]
impl Connection {
    /// The nodes known to the driver.
    pub fn hosts(&self) -> Vec<HostInfo> {
        self.session
            .hosts()
            .into_iter()
            .map(|h| HostInfo {
                host_id: h.host_id,
                address: h.address.to_string(),
                datacenter: h.datacenter,
                rack: h.rack,
                up: h.up,
            })
            .collect()
    }

    /// The names of every keyspace.
    pub fn keyspace_names(&self) -> Vec<String> {
        self.session.keyspace_names()
    }

    /// The tables of a keyspace (none when the keyspace is unknown).
    pub fn tables(&self, keyspace: String) -> Vec<TableInfo> {
        let Some(ks) = self.session.keyspace_metadata(&keyspace) else {
            return Vec::new();
        };
        ks.tables
            .into_iter()
            .map(|(name, t)| TableInfo {
                keyspace: keyspace.clone(),
                name,
                partition_key: t.partition_key,
                clustering_key: t.clustering_key,
                columns: t
                    .columns
                    .into_iter()
                    .map(|(name, c)| ColumnInfo {
                        name,
                        cql_type: c.typ.to_string(),
                        kind: match c.kind {
                            ColumnKind::PartitionKey => "partition_key",
                            ColumnKind::Clustering => "clustering",
                            ColumnKind::Static => "static",
                            ColumnKind::Regular => "regular",
                        }
                        .to_owned(),
                    })
                    .collect(),
            })
            .collect()
    }

    /// Reads the schema and topology again from the cluster.
    pub async fn refresh_metadata(&self) -> Result<(), CqlError> {
        let session = self.session.clone();
        on_runtime(async move { session.refresh_metadata().await }).await
    }

    /// The session's metrics.
    pub fn metrics(&self) -> MetricsInfo {
        let m = self.session.metrics();
        MetricsInfo {
            requests: m.requests,
            errors: m.errors,
            errors_by_kind: m
                .errors_by_kind
                .into_iter()
                .map(|(k, n)| (format!("{k:?}"), n))
                .collect(),
            retries: m.retries,
            speculative_executions: m.speculative_executions,
            request_timeouts: m.request_timeouts,
            open_connections: m.open_connections,
            latency_ms: m
                .latency_ms
                .map(|l| vec![l.mean, l.p50, l.p99, l.p999])
                .unwrap_or_default(),
        }
    }
}
