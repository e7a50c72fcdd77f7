//! Connections, prepared statements and requests.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use tokio::task::AbortHandle;

use cqlbridge_core::{Completion, ConcurrencyOptions, Prepared, Session, Statement};

use crate::config::{ConnectOptions, RequestOptions};
use crate::error::{invalid, CqlError};
use crate::on_runtime;
use crate::queue::{pack_completions, Completed, CompletionQueue, Drained, WHOLE_REQUEST};
use crate::request::{decode, Request, Submitted};

/// Connects to the cluster described by `options` (discovering the rest of it). Requests of
/// the connection complete into `queue`.
#[uniffi::export]
pub async fn connect(
    options: ConnectOptions,
    queue: Arc<CompletionQueue>,
) -> Result<Arc<Connection>, CqlError> {
    let config = options.to_core()?;
    let session = on_runtime(async move { Session::connect(&config).await }).await?;
    Ok(Arc::new(Connection {
        session: Arc::new(session),
        queue,
        in_flight: Arc::new(InFlight::default()),
    }))
}

/// The live prepared statements of the process, by the id requests name them with. One
/// registry for every connection: a statement prepared by one session runs on any other (the
/// driver prepares it again on a node that does not know it), as with the DataStax drivers.
#[derive(Default)]
pub(crate) struct PreparedRegistry {
    next: AtomicU64,
    by_id: RwLock<HashMap<u64, Prepared>>,
}

/// The process's [`PreparedRegistry`].
pub(crate) fn prepared_registry() -> &'static PreparedRegistry {
    static REGISTRY: std::sync::LazyLock<PreparedRegistry> =
        std::sync::LazyLock::new(PreparedRegistry::default);
    &REGISTRY
}

impl PreparedRegistry {
    pub(crate) fn get(&self, id: u64) -> Option<Prepared> {
        self.by_id
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .cloned()
    }
}

/// A connected session: share it freely between threads.
#[derive(uniffi::Object)]
pub struct Connection {
    pub(crate) session: Arc<Session>,
    queue: Arc<CompletionQueue>,
    in_flight: Arc<InFlight>,
}

/// The running requests of a connection that completes into a queue, by id.
#[derive(Default)]
pub(crate) struct InFlight(Mutex<HashMap<u64, AbortHandle>>);

impl InFlight {
    fn lock(&self) -> MutexGuard<'_, HashMap<u64, AbortHandle>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A statement prepared on the cluster. Requests name it by [`PreparedStatement::id`]; it
/// leaves the registry when dropped.
#[derive(uniffi::Object)]
pub struct PreparedStatement {
    id: u64,
    inner: Prepared,
}

impl PreparedStatement {
    pub(crate) fn inner(&self) -> &Prepared {
        &self.inner
    }
}

impl Drop for PreparedStatement {
    fn drop(&mut self) {
        prepared_registry()
            .by_id
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.id);
    }
}

impl Connection {
    /// Runs a decoded request on the runtime, completing into the queue.
    fn start(&self, submitted: Submitted) -> Result<(), CqlError> {
        let (session, id) = (self.session.clone(), submitted.id);
        self.start_completing(id, async move { run(&session, submitted).await })
    }

    /// Runs `work` on the runtime as request `id` (cancellable with [`Connection::cancel`])
    /// and pushes its completions into the queue.
    pub(crate) fn start_completing<F>(&self, id: u64, work: F) -> Result<(), CqlError>
    where
        F: std::future::Future<Output = Vec<Completed>> + Send + 'static,
    {
        let (queue, in_flight) = (self.queue.clone(), self.in_flight.clone());
        // Registered under the lock the task takes to unregister: it cannot finish first.
        let mut map = self.in_flight.lock();
        let task = cqlbridge_core::runtime::spawn(async move {
            let done = work.await;
            in_flight.lock().remove(&id);
            queue.push(done);
        })?;
        map.insert(id, task.abort_handle());
        Ok(())
    }
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
            options: options
                .map(|o| o.to_core())
                .transpose()?
                .unwrap_or_default(),
        };
        let session = self.session.clone();
        let inner = on_runtime(async move { session.prepare(statement).await }).await?;
        let registry = prepared_registry();
        let id = registry.next.fetch_add(1, Ordering::Relaxed) + 1;
        registry
            .by_id
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, inner.clone());
        Ok(Arc::new(PreparedStatement { id, inner }))
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

    /// Starts the request packed in `request` (bindings/PACKED.md, "Requests") and returns at
    /// once: an execution, a batch, or one statement once per row of values (all outcomes
    /// of the latter complete together, each with its index; with raise-on-first-error, a
    /// failure completes alone with index `u32::MAX`). Outcomes complete into the
    /// connection's queue under the request's id.
    pub fn submit(&self, request: Vec<u8>) -> Result<(), CqlError> {
        // After fork, fail here: the queue this connection completes into is the parent's.
        self.session.check_process()?;
        let submitted = decode(&request, |id| prepared_registry().get(id))?;
        self.start(submitted)
    }

    /// Starts several packed requests in one call (bindings/PACKED.md, "Requests"): a u32
    /// count, then each request as u32 length and bytes. A request that cannot start (a
    /// malformed one, a statement not prepared here) completes at once into the queue with
    /// its error instead of failing the call; the call fails only if the buffer's framing
    /// is broken (nothing started) or after fork (nothing started).
    pub fn submit_many(&self, requests: Vec<u8>) -> Result<(), CqlError> {
        self.session.check_process()?;
        let mut r = cqlbridge_core::packed::Reader::new(&requests);
        let count = r
            .u32()
            .map_err(|e| invalid(format!("malformed requests: {e}")))?;
        let mut framed = Vec::with_capacity(count.min(4096));
        for _ in 0..count {
            framed.push(
                r.bytes()
                    .map_err(|e| invalid(format!("malformed requests: {e}")))?,
            );
        }
        for request in framed {
            let started =
                decode(request, |id| prepared_registry().get(id)).and_then(|s| self.start(s));
            if let Err(e) = started {
                let id = request
                    .get(..8)
                    .map_or(0, |b| u64::from_le_bytes(b.try_into().unwrap()));
                let CqlError::Failed { info } = e;
                self.queue.push([Completed::failed(id, info)]);
            }
        }
        Ok(())
    }

    /// Cancels the request submitted under `id`: its work stops where it is (a request on
    /// the wire may still be applied by the server) and nothing completes for it. Returns
    /// whether it was still running.
    pub fn cancel(&self, id: u64) -> bool {
        match self.in_flight.lock().remove(&id) {
            Some(task) => {
                task.abort();
                true
            }
            None => false,
        }
    }

    /// Starts the request packed in `request`, like [`Connection::submit`], and calls
    /// `listener` exactly once, on a runtime thread, with all of its outcomes (packed as one
    /// drain of a completion queue would pack them). For callback-style futures off the hot
    /// path; a listener must return quickly and must not block.
    pub fn submit_with_listener(
        &self,
        request: Vec<u8>,
        listener: Arc<dyn RequestListener>,
    ) -> Result<(), CqlError> {
        self.session.check_process()?;
        let submitted = decode(&request, |id| prepared_registry().get(id))?;
        let (session, id) = (self.session.clone(), submitted.id);
        let done = Completion::spawn(async move { Ok(run(&session, submitted).await) });
        done.on_complete(move |c| {
            let completed = match c.try_get() {
                Some(Ok(items)) => items.clone(),
                Some(Err(e)) => vec![Completed::new(id, WHOLE_REQUEST, &Err(e.clone()))],
                None => unreachable!("on_complete runs once the outcome is there"),
            };
            notify(&*listener, pack_completions(completed));
        });
        Ok(())
    }

    /// Waits until every node agrees on the schema.
    pub async fn wait_for_schema_agreement(&self) -> Result<(), CqlError> {
        let session = self.session.clone();
        on_runtime(async move { session.wait_for_schema_agreement().await.map(|_| ()) }).await
    }
}

#[uniffi::export]
impl PreparedStatement {
    /// The id requests name this statement with.
    pub fn id(&self) -> u64 {
        self.id
    }

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

/// Runs a decoded request to its outcomes (one, or one per row of a concurrent execution).
async fn run(session: &Session, submitted: Submitted) -> Vec<Completed> {
    let id = submitted.id;
    match submitted.request {
        Request::Single {
            query,
            values,
            paging_state,
            options,
        } => {
            let outcome = session
                .run_with(&query, &values, paging_state.as_deref(), &options)
                .await;
            vec![Completed::new(id, 0, &outcome)]
        }
        Request::Batch(batch) => vec![Completed::new(id, 0, &session.batch(&batch).await)],
        Request::Concurrent {
            query,
            rows,
            concurrency,
            raise_on_first_error,
            options,
        } => {
            let items = rows.into_iter().map(|v| (query.clone(), v)).collect();
            let limits = ConcurrencyOptions {
                concurrency,
                raise_on_first_error,
            };
            match session
                .execute_concurrent_with_options(items, limits, Some(&options))
                .await
            {
                Ok(outcomes) => outcomes
                    .iter()
                    .enumerate()
                    .map(|(i, o)| Completed::new(id, i as u32, o))
                    .collect(),
                Err(e) => vec![Completed::new(id, WHOLE_REQUEST, &Err(e))],
            }
        }
    }
}

/// Hands completions to a foreign listener; a listener that fails (raises, throws) is
/// reported in the log, and the runtime thread goes on.
fn notify(listener: &dyn RequestListener, completions: Drained) {
    let call = std::panic::AssertUnwindSafe(|| listener.on_complete(completions));
    if std::panic::catch_unwind(call).is_err() {
        tracing::error!("a request listener failed; its failure was dropped");
    }
}

/// Receives the outcomes of a request started by [`Connection::submit_with_listener`];
/// implemented in the foreign language.
#[uniffi::export(foreign)]
pub trait RequestListener: Send + Sync {
    /// Called exactly once, on a runtime thread, with every outcome of the request.
    fn on_complete(&self, completions: Drained);
}
