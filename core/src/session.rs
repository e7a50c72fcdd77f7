//! [`Session`]: connect, execute, prepare, one page at a time.

use std::sync::Arc;

use scylla::client::caching_session::CachingSession;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use scylla::client::execution_profile::ExecutionProfileHandle;
use scylla::client::session::Session as ScyllaSession;
use scylla::client::session_builder::SessionBuilder;
use scylla::policies::host_filter::AllowListHostFilter;
use scylla::policies::load_balancing::{NodeIdentifier, SingleTargetLoadBalancingPolicy};
use scylla::response::query_result::ColumnSpecs;
use scylla::statement::prepared::PreparedStatement;
use scylla::statement::Statement as ScyllaStatement;
use scylla::value::{CqlValue, MaybeUnset};

use crate::completion::Completion;
use crate::config::ClusterConfig;
use crate::error::{Error, Result};
use crate::metrics::CoreCounters;
use crate::result::{paging_state, ColumnSpec, ResultSet};
use crate::statement::{Statement, StatementOptions, Values};
use crate::value::bind_value;

/// How many prepared statements a session keeps for statements executed with values.
const PREPARED_CACHE_SIZE: usize = 1024;

/// A bound row, ready for the driver.
pub(crate) type BoundRow = Vec<MaybeUnset<Option<CqlValue>>>;

/// A connection to a cluster: cheap to share (`Arc`), safe to use from many tasks.
pub struct Session {
    inner: CachingSession,
    config: ClusterConfig,
    profiles: HashMap<String, ExecutionProfileHandle>,
    counters: CoreCounters,
    /// Whether any profile speculates (then requests carry the speculation counter).
    pub(crate) speculating: bool,
    /// The process that connected: after `fork()`, the child cannot use this session.
    pid: u32,
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

    /// The underlying `scylla` prepared statement.
    pub fn driver_statement(&self) -> &PreparedStatement {
        &self.inner
    }
}

/// Something to execute: a CQL string with options, or a prepared statement.
#[derive(Debug, Clone)]
pub enum Query {
    /// A CQL string (prepared and cached first when executed with values).
    Cql(Statement),
    /// A prepared statement.
    Prepared(Prepared),
}

impl From<Statement> for Query {
    fn from(s: Statement) -> Self {
        Query::Cql(s)
    }
}

impl From<&str> for Query {
    fn from(s: &str) -> Self {
        Query::Cql(s.into())
    }
}

impl From<String> for Query {
    fn from(s: String) -> Self {
        Query::Cql(s.into())
    }
}

impl From<Prepared> for Query {
    fn from(p: Prepared) -> Self {
        Query::Prepared(p)
    }
}

impl From<&Prepared> for Query {
    fn from(p: &Prepared) -> Self {
        Query::Prepared(p.clone())
    }
}

pub(crate) fn specs(s: ColumnSpecs<'_, '_>) -> Arc<[ColumnSpec]> {
    s.iter().map(Into::into).collect()
}

/// Applies per-request options to a driver statement, prepared statement or batch (they
/// share setters but no trait). Unset options leave the profile's values in force.
macro_rules! apply_options {
    ($session:expr, $target:expr, $options:expr) => {{
        let (t, o) = ($target, $options);
        if let Some(c) = o.consistency {
            t.set_consistency(c.into());
        }
        if let Some(sc) = o.serial_consistency {
            t.set_serial_consistency(Some(sc.into()));
        }
        if o.timeout.is_some() {
            t.set_request_timeout(o.timeout);
        }
        t.set_is_idempotent(o.idempotent);
        t.set_timestamp(o.timestamp);
        t.set_tracing(o.tracing);
        if let Some(name) = &o.profile {
            t.set_execution_profile_handle(Some($session.profile_handle(name)?));
        }
        if let Some(host) = &o.host {
            t.set_load_balancing_policy(Some($crate::session::single_target(host)?));
        }
        if $session.speculating {
            t.set_history_listener($session.counters().speculative.clone());
        }
    }};
}
pub(crate) use apply_options;

/// A load-balancing policy that sends every request to `host` (`ip` or `ip:port`).
pub(crate) fn single_target(
    host: &str,
) -> Result<Arc<dyn scylla::policies::load_balancing::LoadBalancingPolicy>> {
    let addr: SocketAddr = match host.parse::<SocketAddr>() {
        Ok(a) => a,
        Err(_) => host
            .parse::<IpAddr>()
            .map(|ip| SocketAddr::new(ip, crate::config::DEFAULT_PORT))
            .map_err(|_| {
                Error::InvalidArgument(format!("target host {host:?} is not an IP address"))
            })?,
    };
    Ok(SingleTargetLoadBalancingPolicy::new(
        NodeIdentifier::NodeAddress(addr),
        None,
    ))
}

/// Binds `values` to markers `params`: checks arity, names and types before anything is sent.
pub(crate) fn bind(params: ColumnSpecs<'_, '_>, values: &Values) -> Result<BoundRow> {
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
    /// The handle of the named execution profile.
    pub(crate) fn profile_handle(&self, name: &str) -> Result<ExecutionProfileHandle> {
        self.profiles
            .get(name)
            .cloned()
            .ok_or_else(|| Error::InvalidArgument(format!("no execution profile named {name:?}")))
    }

    /// The driver statement for `statement`, with its options.
    pub(crate) fn driver_statement(&self, statement: &Statement) -> Result<ScyllaStatement> {
        let mut st = ScyllaStatement::new(statement.cql.clone())
            .with_page_size(statement.options.page_size.unwrap_or(self.config.page_size));
        apply_options!(self, &mut st, &statement.options);
        Ok(st)
    }

    /// Connects to the cluster: reaches a contact point, discovers the other nodes and opens
    /// connection pools. Fails with [`Error::ConnectTimeout`] when this takes longer than the
    /// connect timeout plus the request timeout (the control connection's metadata queries).
    pub async fn connect(config: &ClusterConfig) -> Result<Session> {
        let profiles: HashMap<String, ExecutionProfileHandle> = config
            .profiles
            .iter()
            .map(|(name, p)| (name.clone(), p.to_driver(config.request_timeout)))
            .collect();
        let mut builder = SessionBuilder::new()
            .known_nodes(config.contact_addresses())
            .connection_timeout(config.connect_timeout)
            .default_execution_profile_handle(
                config.default_profile.to_driver(config.request_timeout),
            )
            .compression(config.compression.map(Into::into));
        builder.config.keepalive_interval = config.heartbeat_interval;
        builder.config.reconnect_policy = config.reconnection.to_driver();
        if !config.allowed_hosts.is_empty() {
            let filter = AllowListHostFilter::new(config.allowed_hosts.iter().map(String::as_str))
                .map_err(|e| Error::InvalidConfig(format!("allowed hosts: {e}")))?;
            builder = builder.host_filter(Arc::new(filter));
        }
        if let Some(tls) = &config.tls {
            builder = builder.tls_context(Some(Arc::new(tls.client_config()?)));
        }
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
                        // A TLS-only node resets a plain connection at its first request.
                        let hint = if config.tls.is_none()
                            && m.contains("OPTIONS")
                            && m.contains("Connection broken")
                        {
                            " (the node closed the connection at once: if it requires TLS, configure TLS)"
                        } else {
                            ""
                        };
                        Error::NoHostAvailable(format!(
                            "could not connect to any of {points}: {m}{hint}"
                        ))
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
            profiles,
            counters: CoreCounters::default(),
            speculating: std::iter::once(&config.default_profile)
                .chain(config.profiles.values())
                .any(|p| p.speculative_execution.is_some()),
            pid: std::process::id(),
        })
    }

    /// [`Error::ForkedProcess`] when called in a child forked after this session connected:
    /// its connections belong to the parent's runtime, whose threads the child does not have.
    pub fn check_process(&self) -> Result<()> {
        if self.pid == std::process::id() {
            Ok(())
        } else {
            Err(Error::ForkedProcess { parent: self.pid })
        }
    }

    /// Core's own counters (errors by kind, speculative executions).
    pub(crate) fn counters(&self) -> &CoreCounters {
        &self.counters
    }

    /// The configuration this session was connected with.
    pub fn config(&self) -> &ClusterConfig {
        &self.config
    }

    /// The keyspace in use, if any.
    pub fn keyspace(&self) -> Option<String> {
        self.driver().get_keyspace().map(|k| k.to_string())
    }

    /// Switches every connection of the session to `keyspace` (case-insensitive unless
    /// quoted, as in CQL).
    pub async fn use_keyspace(&self, keyspace: &str) -> Result<()> {
        self.check_process()?;
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
        self.run(&Query::Cql(statement.into()), &values.into(), None)
            .await
    }

    /// Executes a CQL statement and returns the page that starts at `paging_state`
    /// (the first page when `None`).
    pub async fn execute_page(
        &self,
        statement: impl Into<Statement>,
        values: impl Into<Values>,
        paging_state_bytes: Option<&[u8]>,
    ) -> Result<ResultSet> {
        self.run(
            &Query::Cql(statement.into()),
            &values.into(),
            paging_state_bytes,
        )
        .await
    }

    /// Executes a statement or prepared statement: the page that starts at `paging_state`
    /// (the first page when `None`).
    pub async fn run(
        &self,
        query: &Query,
        values: &Values,
        paging_state_bytes: Option<&[u8]>,
    ) -> Result<ResultSet> {
        let outcome = self.run_unobserved(query, values, paging_state_bytes).await;
        self.counters.observe(outcome)
    }

    async fn run_unobserved(
        &self,
        query: &Query,
        values: &Values,
        paging_state_bytes: Option<&[u8]>,
    ) -> Result<ResultSet> {
        self.check_process()?;
        let page = paging_state(paging_state_bytes);
        let (result, paging) = match query {
            Query::Cql(statement) if values.is_empty() => {
                let st = self.driver_statement(statement)?;
                self.driver().query_single_page(st, (), page).await?
            }
            Query::Cql(statement) => {
                let prepared = self.prepare_cached(statement).await?;
                let row = bind(prepared.get_variable_col_specs(), values)?;
                self.driver()
                    .execute_single_page(&prepared, row, page)
                    .await?
            }
            Query::Prepared(prepared) => {
                let row = bind(prepared.inner.get_variable_col_specs(), values)?;
                self.driver()
                    .execute_single_page(&prepared.inner, row, page)
                    .await?
            }
        };
        ResultSet::from_page(result, paging)
    }

    /// Like [`Session::run`], with `options` for this execution (a prepared statement's own
    /// options are overridden where `options` sets them).
    pub async fn run_with(
        &self,
        query: &Query,
        values: &Values,
        paging_state_bytes: Option<&[u8]>,
        options: &StatementOptions,
    ) -> Result<ResultSet> {
        match query {
            Query::Cql(st) => {
                let st = Statement {
                    cql: st.cql.clone(),
                    options: options.clone(),
                };
                self.run(&Query::Cql(st), values, paging_state_bytes).await
            }
            Query::Prepared(p) => {
                let mut inner = p.inner.clone();
                apply_options!(self, &mut inner, options);
                if let Some(size) = options.page_size {
                    inner.set_page_size(size);
                }
                let p = Prepared {
                    inner,
                    params: p.params.clone(),
                };
                self.run(&Query::Prepared(p), values, paging_state_bytes)
                    .await
            }
        }
    }

    /// The statement prepared through the session's cache, with the statement's options.
    pub(crate) async fn prepare_cached(&self, statement: &Statement) -> Result<PreparedStatement> {
        let st = self.driver_statement(statement)?;
        Ok(self.inner.add_prepared_statement(&st).await?)
    }

    /// Prepares a statement; its options apply to every execution.
    pub async fn prepare(&self, statement: impl Into<Statement>) -> Result<Prepared> {
        let statement = statement.into();
        self.counters
            .observe(self.prepare_unobserved(statement).await)
    }

    async fn prepare_unobserved(&self, statement: Statement) -> Result<Prepared> {
        self.check_process()?;
        let mut inner = self.driver().prepare(statement.cql.as_str()).await?;
        apply_options!(self, &mut inner, &statement.options);
        inner.set_page_size(statement.options.page_size.unwrap_or(self.config.page_size));
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
        self.run(
            &Query::Prepared(prepared.clone()),
            &values.into(),
            paging_state_bytes,
        )
        .await
    }

    /// Starts executing on core's runtime and returns at once; the returned future completes
    /// with the first page. Callbacks registered on it fire exactly once.
    pub fn execute_async(
        self: &Arc<Self>,
        query: impl Into<Query>,
        values: impl Into<Values>,
    ) -> ResponseFuture {
        let (session, query, values) = (self.clone(), query.into(), values.into());
        Completion::spawn(async move { session.run(&query, &values, None).await })
    }

    /// The underlying `scylla` session, for what core does not wrap.
    pub fn driver(&self) -> &ScyllaSession {
        self.inner.get_session()
    }
}

/// The future of an asynchronous execution: completes once with a page or an error.
pub type ResponseFuture = Completion<Result<ResultSet>>;
