//! Connections, prepared statements and requests.

use std::sync::Arc;

use cqlbridge_core::packed::unpack_rows;
use cqlbridge_core::{
    Batch, BatchType, ConcurrencyOptions, Prepared, Query, Session, Statement, StatementOptions,
    Values,
};

use crate::config::{ConnectOptions, RequestOptions};
use crate::error::{invalid, CqlError};
use crate::on_runtime;
use crate::queue::{Completed, CompletionQueue, WHOLE_REQUEST};

/// Connects to the cluster described by `options` (discovering the rest of it).
#[uniffi::export]
pub async fn connect(options: ConnectOptions) -> Result<Arc<Connection>, CqlError> {
    let config = options.to_core()?;
    let session = on_runtime(async move { Session::connect(&config).await }).await?;
    Ok(Arc::new(Connection {
        session: Arc::new(session),
    }))
}

/// A connected session: share it freely between threads.
#[derive(uniffi::Object)]
pub struct Connection {
    pub(crate) session: Arc<Session>,
}

/// A statement prepared on the cluster.
#[derive(uniffi::Object)]
pub struct PreparedStatement {
    pub(crate) inner: Prepared,
}

/// One statement of a batch: a CQL string or a prepared statement, with packed values.
#[derive(uniffi::Record)]
pub struct BatchItem {
    /// The CQL text (when not prepared).
    pub cql: Option<String>,
    /// The prepared statement (when prepared).
    pub prepared: Option<Arc<PreparedStatement>>,
    /// The values: packed rows holding one row (bindings/PACKED.md); empty for none.
    pub values: Vec<u8>,
}

/// Unpacks the one row of values a request carries (an empty buffer is no values).
fn one_row(values: &[u8]) -> Result<Values, CqlError> {
    if values.is_empty() {
        return Ok(Values::None);
    }
    let mut rows = unpack_rows(values).map_err(|e| invalid(e.to_string()))?;
    match rows.len() {
        1 => Ok(Values::Positional(rows.pop().expect("one row"))),
        n => Err(invalid(format!("one row of values expected, {n} given"))),
    }
}

fn query(cql: Option<String>, prepared: Option<Arc<PreparedStatement>>) -> Result<Query, CqlError> {
    match (cql, prepared) {
        (Some(cql), None) => Ok(Query::Cql(Statement::new(cql))),
        (None, Some(p)) => Ok(Query::Prepared(p.inner.clone())),
        _ => Err(invalid("give either a CQL string or a prepared statement")),
    }
}

fn options(o: Option<RequestOptions>) -> Result<StatementOptions, CqlError> {
    o.map(|o| o.to_core())
        .transpose()
        .map(Option::unwrap_or_default)
}

#[uniffi::export]
impl Connection {
    /// Prepares a statement; `options` apply to each of its executions.
    pub async fn prepare(
        &self,
        cql: String,
        options: Option<RequestOptions>,
    ) -> Result<Arc<PreparedStatement>, CqlError> {
        let statement = Statement {
            cql,
            options: self::options(options)?,
        };
        let session = self.session.clone();
        let inner = on_runtime(async move { session.prepare(statement).await }).await?;
        Ok(Arc::new(PreparedStatement { inner }))
    }

    /// Switches every connection to `keyspace`.
    pub async fn use_keyspace(&self, keyspace: String) -> Result<(), CqlError> {
        let session = self.session.clone();
        on_runtime(async move { session.use_keyspace(&keyspace).await }).await
    }

    /// The keyspace in use.
    pub fn keyspace(&self) -> Option<String> {
        self.session.keyspace()
    }

    /// Starts one execution of a CQL string or a prepared statement (the page at
    /// `paging_state`, or the first); it completes into `queue` under `id`.
    #[allow(clippy::too_many_arguments)]
    pub fn submit(
        &self,
        queue: Arc<CompletionQueue>,
        id: u64,
        cql: Option<String>,
        prepared: Option<Arc<PreparedStatement>>,
        values: Vec<u8>,
        paging_state: Option<Vec<u8>>,
        options: Option<RequestOptions>,
    ) -> Result<(), CqlError> {
        let query = query(cql, prepared)?;
        let values = one_row(&values)?;
        let options = self::options(options)?;
        let session = self.session.clone();
        cqlbridge_core::runtime::spawn(async move {
            let outcome = session
                .run_with(&query, &values, paging_state.as_deref(), &options)
                .await;
            queue.push([Completed::new(id, 0, &outcome)]);
        })?;
        Ok(())
    }

    /// Starts a batch (`kind`: 0 LOGGED, 1 UNLOGGED, 2 COUNTER); completes under `id`.
    pub fn submit_batch(
        &self,
        queue: Arc<CompletionQueue>,
        id: u64,
        kind: u8,
        items: Vec<BatchItem>,
        options: Option<RequestOptions>,
    ) -> Result<(), CqlError> {
        let mut batch = Batch::new(match kind {
            0 => BatchType::Logged,
            1 => BatchType::Unlogged,
            2 => BatchType::Counter,
            k => {
                return Err(invalid(format!(
                    "unknown batch type {k} (0 LOGGED, 1 UNLOGGED, 2 COUNTER)"
                )))
            }
        })
        .with_options(self::options(options)?);
        for item in items {
            let values = one_row(&item.values)?;
            batch = batch.add(query(item.cql, item.prepared)?, values);
        }
        let session = self.session.clone();
        cqlbridge_core::runtime::spawn(async move {
            let outcome = session.batch(&batch).await;
            queue.push([Completed::new(id, 0, &outcome)]);
        })?;
        Ok(())
    }

    /// Executes a statement once per row of `rows` (packed rows) with at most `concurrency`
    /// in flight. Every item completes under `id` with its index, all at once at the end;
    /// with `raise_on_first_error`, a failure completes as one outcome with index
    /// `u32::MAX` and no request starts after it.
    #[allow(clippy::too_many_arguments)]
    pub fn submit_concurrent(
        &self,
        queue: Arc<CompletionQueue>,
        id: u64,
        cql: Option<String>,
        prepared: Option<Arc<PreparedStatement>>,
        rows: Vec<u8>,
        concurrency: u32,
        raise_on_first_error: bool,
        options: Option<RequestOptions>,
    ) -> Result<(), CqlError> {
        let query = query(cql, prepared)?;
        let options = self::options(options)?;
        let rows = unpack_rows(&rows).map_err(|e| invalid(e.to_string()))?;
        let items: Vec<(Query, Values)> = rows
            .into_iter()
            .map(|row| (with_options(&query, &options), Values::Positional(row)))
            .collect();
        let concurrency = ConcurrencyOptions {
            concurrency: concurrency.max(1) as usize,
            raise_on_first_error,
        };
        let session = self.session.clone();
        cqlbridge_core::runtime::spawn(async move {
            match session.execute_concurrent(items, concurrency).await {
                Ok(outcomes) => queue.push(
                    outcomes
                        .iter()
                        .enumerate()
                        .map(|(i, o)| Completed::new(id, i as u32, o)),
                ),
                Err(e) => queue.push([Completed::new(id, WHOLE_REQUEST, &Err(e))]),
            }
        })?;
        Ok(())
    }

    /// Waits until every node agrees on the schema.
    pub async fn wait_for_schema_agreement(&self) -> Result<(), CqlError> {
        let session = self.session.clone();
        on_runtime(async move { session.wait_for_schema_agreement().await.map(|_| ()) }).await
    }
}

/// The query with `options` applied: a CQL string carries them; a prepared statement keeps
/// the options it was prepared with.
fn with_options(query: &Query, options: &StatementOptions) -> Query {
    match query {
        Query::Cql(st) => Query::Cql(Statement {
            cql: st.cql.clone(),
            options: options.clone(),
        }),
        Query::Prepared(p) => Query::Prepared(p.clone()),
    }
}

#[uniffi::export]
impl PreparedStatement {
    /// The CQL text.
    pub fn cql(&self) -> String {
        self.inner.cql().to_owned()
    }

    /// The bind markers' names, in order.
    pub fn param_names(&self) -> Vec<String> {
        self.inner.params().iter().map(|p| p.name.clone()).collect()
    }

    /// The bind markers' CQL types, in order.
    pub fn param_types(&self) -> Vec<String> {
        self.inner
            .params()
            .iter()
            .map(|p| p.typ.to_string())
            .collect()
    }

    /// The result columns' names.
    pub fn column_names(&self) -> Vec<String> {
        self.inner
            .columns()
            .iter()
            .map(|c| c.name.clone())
            .collect()
    }
}
