//! [`Session`]: connect, execute, prepare, one page at a time.

use std::sync::Arc;

use scylla::client::caching_session::CachingSession;
use scylla::client::execution_profile::ExecutionProfile;
use scylla::client::session::Session as ScyllaSession;
use scylla::client::session_builder::SessionBuilder;
use scylla::response::query_result::ColumnSpecs;
use scylla::statement::prepared::PreparedStatement;
use scylla::statement::Statement as ScyllaStatement;
use scylla::value::{CqlValue, MaybeUnset};

use crate::config::ClusterConfig;
use crate::error::{Error, Result};
use crate::result::{paging_state, ColumnSpec, ResultSet};
use crate::statement::{Statement, StatementOptions, Values};
use crate::value::bind_value;

/// How many prepared statements a session keeps for statements executed with values.
const PREPARED_CACHE_SIZE: usize = 1024;

/// A bound row, ready for the driver.
type BoundRow = Vec<MaybeUnset<Option<CqlValue>>>;

/// A connection to a cluster: cheap to share (`Arc`), safe to use from many tasks.
pub struct Session {
    inner: CachingSession,
    config: ClusterConfig,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// A statement prepared on the cluster: its bind markers and result columns are known.
#[derive(Debug, Clone)]
pub struct Prepared {
    inner: PreparedStatement,
    params: Arc<[ColumnSpec]>,
}

impl Prepared {
    /// The CQL text.
    pub fn cql(&self) -> &str {
        self.inner.get_statement()
    }

    /// The bind markers, in order, with their types.
    pub fn params(&self) -> &[ColumnSpec] {
        &self.params
    }

    /// The result columns as the server last described them (empty for statements that
    /// return no rows).
    pub fn columns(&self) -> Arc<[ColumnSpec]> {
        specs(self.inner.get_current_result_set_col_specs().get())
    }

    /// Applies per-request options to this prepared statement.
    pub fn set_options(&mut self, options: &StatementOptions) {
        apply_prepared_options(&mut self.inner, options);
    }
}

fn specs(s: ColumnSpecs<'_, '_>) -> Arc<[ColumnSpec]> {
    s.iter().map(Into::into).collect()
}

fn apply_prepared_options(p: &mut PreparedStatement, o: &StatementOptions) {
    if let Some(c) = o.consistency {
        p.set_consistency(c.into());
    }
    p.set_serial_consistency(o.serial_consistency.map(Into::into));
    if let Some(size) = o.page_size {
        p.set_page_size(size);
    }
    p.set_request_timeout(o.timeout);
    p.set_is_idempotent(o.idempotent);
    p.set_timestamp(o.timestamp);
    p.set_tracing(o.tracing);
}

fn to_scylla_statement(s: &Statement, default_page_size: i32) -> ScyllaStatement {
    let o = &s.options;
    let mut st = ScyllaStatement::new(s.cql.clone())
        .with_page_size(o.page_size.unwrap_or(default_page_size));
    if let Some(c) = o.consistency {
        st.set_consistency(c.into());
    }
    st.set_serial_consistency(o.serial_consistency.map(Into::into));
    st.set_request_timeout(o.timeout);
    st.set_is_idempotent(o.idempotent);
    st.set_timestamp(o.timestamp);
    st.set_tracing(o.tracing);
    st
}

/// Binds `values` to markers `params`: checks arity, names and types before anything is sent.
fn bind(params: ColumnSpecs<'_, '_>, values: &Values) -> Result<BoundRow> {
    let bind_at = |index: usize, v: &crate::Value| {
        let spec = params
            .get_by_index(index)
            .expect("index within the markers");
        bind_value(v, spec.typ()).map_err(|e| Error::BindType {
            index,
            column: spec.name().to_owned(),
            reason: e.0,
        })
    };
    match values {
        Values::None => bind(params, &Values::Positional(Vec::new())),
        Values::Positional(vs) => {
            if vs.len() != params.len() {
                return Err(Error::BindArity {
                    expected: params.len(),
                    got: vs.len(),
                });
            }
            vs.iter().enumerate().map(|(i, v)| bind_at(i, v)).collect()
        }
        Values::Named(named) => {
            if let Some((unknown, _)) = named.iter().find(|(n, _)| params.get_by_name(n).is_none())
            {
                return Err(Error::UnknownBindName(unknown.clone()));
            }
            params
                .iter()
                .enumerate()
                .map(
                    |(i, spec)| match named.iter().find(|(n, _)| n == spec.name()) {
                        Some((_, v)) => bind_at(i, v),
                        None => Ok(MaybeUnset::Unset),
                    },
                )
                .collect()
        }
    }
}

impl Session {
    /// Connects to the cluster: reaches a contact point, discovers the other nodes and opens
    /// connection pools. Fails with [`Error::ConnectTimeout`] when this takes longer than the
    /// connect timeout plus the request timeout (the control connection's metadata queries).
    pub async fn connect(config: &ClusterConfig) -> Result<Session> {
        let profile = ExecutionProfile::builder()
            .consistency(config.consistency.into())
            .request_timeout(Some(config.request_timeout))
            .build();
        let mut builder = SessionBuilder::new()
            .known_nodes(config.contact_addresses())
            .connection_timeout(config.connect_timeout)
            .default_execution_profile_handle(profile.into_handle());
        if let Some(c) = &config.credentials {
            builder = builder.user(c.username.clone(), c.password.clone());
        }
        if let Some(ks) = &config.keyspace {
            builder = builder.use_keyspace(ks.clone(), false);
        }
        let bound = config.connect_timeout + config.request_timeout;
        let session = match tokio::time::timeout(bound, builder.build()).await {
            Err(_) => return Err(Error::ConnectTimeout(bound)),
            Ok(Err(e)) => {
                let points = config.contact_addresses().join(", ");
                return Err(match Error::from(e) {
                    Error::NoHostAvailable(m) | Error::Connection(m) => {
                        Error::NoHostAvailable(format!("could not connect to any of {points}: {m}"))
                    }
                    other => other,
                });
            }
            Ok(Ok(session)) => session,
        };
        tracing::debug!(contact_points = ?config.contact_points, "connected");
        Ok(Session {
            inner: CachingSession::from(session, PREPARED_CACHE_SIZE),
            config: config.clone(),
        })
    }

    /// The configuration this session was connected with.
    pub fn config(&self) -> &ClusterConfig {
        &self.config
    }

    /// The keyspace in use, if any.
    pub fn keyspace(&self) -> Option<String> {
        self.driver().get_keyspace().map(|k| k.to_string())
    }

    fn driver(&self) -> &ScyllaSession {
        self.inner.get_session()
    }

    /// Switches every connection of the session to `keyspace` (case-insensitive unless
    /// quoted, as in CQL).
    pub async fn use_keyspace(&self, keyspace: &str) -> Result<()> {
        let (name, case_sensitive) =
            match keyspace.strip_prefix('"').and_then(|k| k.strip_suffix('"')) {
                Some(quoted) => (quoted, true),
                None => (keyspace, false),
            };
        self.driver()
            .use_keyspace(name, case_sensitive)
            .await
            .map_err(|e| (&e).into())
    }

    /// Executes a CQL statement and returns its first page.
    ///
    /// With values, the statement is prepared (and cached) first, so the values are bound
    /// by type and checked before the statement is executed; never interpolated.
    pub async fn execute(
        &self,
        statement: impl Into<Statement>,
        values: impl Into<Values>,
    ) -> Result<ResultSet> {
        self.execute_page(statement, values, None).await
    }

    /// Executes a CQL statement and returns the page that starts at `paging_state`
    /// (the first page when `None`).
    pub async fn execute_page(
        &self,
        statement: impl Into<Statement>,
        values: impl Into<Values>,
        paging_state_bytes: Option<&[u8]>,
    ) -> Result<ResultSet> {
        let statement = statement.into();
        let values = values.into();
        let st = to_scylla_statement(&statement, self.config.page_size);
        let page = paging_state(paging_state_bytes);
        if values.is_empty() {
            let (result, paging) = self.driver().query_single_page(st, (), page).await?;
            return ResultSet::from_page(result, paging);
        }
        let prepared = self.inner.add_prepared_statement(&st).await?;
        let row = bind(prepared.get_variable_col_specs(), &values)?;
        let (result, paging) = self
            .driver()
            .execute_single_page(&prepared, row, page)
            .await?;
        ResultSet::from_page(result, paging)
    }

    /// Prepares a statement; its options apply to every execution.
    pub async fn prepare(&self, statement: impl Into<Statement>) -> Result<Prepared> {
        let statement = statement.into();
        let mut inner = self.driver().prepare(statement.cql.as_str()).await?;
        apply_prepared_options(&mut inner, &statement.options);
        if statement.options.page_size.is_none() {
            inner.set_page_size(self.config.page_size);
        }
        let params = specs(inner.get_variable_col_specs());
        Ok(Prepared { inner, params })
    }

    /// Executes a prepared statement and returns its first page.
    pub async fn execute_prepared(
        &self,
        prepared: &Prepared,
        values: impl Into<Values>,
    ) -> Result<ResultSet> {
        self.execute_prepared_page(prepared, values, None).await
    }

    /// Executes a prepared statement and returns the page that starts at `paging_state`.
    pub async fn execute_prepared_page(
        &self,
        prepared: &Prepared,
        values: impl Into<Values>,
        paging_state_bytes: Option<&[u8]>,
    ) -> Result<ResultSet> {
        let row = bind(prepared.inner.get_variable_col_specs(), &values.into())?;
        let (result, paging) = self
            .driver()
            .execute_single_page(&prepared.inner, row, paging_state(paging_state_bytes))
            .await?;
        ResultSet::from_page(result, paging)
    }
}
