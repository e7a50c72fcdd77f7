"""``Cluster``, ``Session``, ``ResponseFuture`` and ``ResultSet``, named as in
``cassandra.cluster``.

Requests run in the Rust core. A request is submitted with an id and returns at once; its
page comes back through the process's completion queue (see ``_dispatch``), is decoded from
one buffer, and completes the ``ResponseFuture``: callbacks run on the driver's completion
thread, ``result()`` waits without holding the GIL, ``await future`` never blocks the loop.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import tempfile
import threading
from typing import TYPE_CHECKING, Any, Callable, Iterator, Optional, Sequence, Union

from . import (
    ConsistencyLevel, DriverException, InvalidArgument, InvalidHandle, OperationTimedOut,
    WouldDeadlock,
    _errors,
)
from ._codec import (
    pack_options, register_udt, request_batch, request_single, statement_ref_cql, unpack_page,
)
from ._dispatch import dispatcher, on_driver_thread, run_sync
from ._native import (
    CompressionKind, ConnectOptions, CqlError, ProfileOptions, TlsOptions,
    connect as _native_connect,
)
from .auth import PlainTextAuthProvider
from .metadata import Metadata
from .policies import RetryPolicy
if TYPE_CHECKING:
    from .metrics import Metrics
    from .policies import TokenAwarePolicy
from .query import (
    BatchStatement, BoundStatement, PreparedStatement, SimpleStatement, named_tuple_factory,
    positional, to_markers,
)

__all__ = [
    "Cluster", "Session", "ResponseFuture", "ResultSet", "ExecutionProfile",
    "EXEC_PROFILE_DEFAULT", "NoHostAvailable", "QueryExhausted", "default_lbp_factory",
]

log = logging.getLogger(__name__)

#: What ``Session.execute`` runs.
Query = Union[str, SimpleStatement, PreparedStatement, BoundStatement, BatchStatement]
#: Values for a statement's markers: by position, or by name.
Parameters = Optional[Union[Sequence[Any], dict]]

_NOT_SET = object()

#: The key of the default execution profile.
EXEC_PROFILE_DEFAULT = object()

#: A timeout of None means "no timeout": requests wait this long (a year) at most.
_NO_TIMEOUT_MS = 365 * 24 * 3600 * 1000


class NoHostAvailable(DriverException):
    """No host could be reached, or none was left to try. ``errors`` maps hosts to errors
    when they are known."""

    def __init__(self, message, errors=None):
        super().__init__(message)
        self.errors = errors or {}


class QueryExhausted(Exception):
    """``start_fetching_next_page`` was called with no more pages."""


_errors.register("NoHostAvailable", NoHostAvailable)


def default_lbp_factory() -> "TokenAwarePolicy":
    """The default load balancing: token-aware over DC-aware round robin."""
    from .policies import DCAwareRoundRobinPolicy, TokenAwarePolicy
    return TokenAwarePolicy(DCAwareRoundRobinPolicy())


class ExecutionProfile:
    """A named set of request settings. Pass them to ``Cluster(execution_profiles=...)``
    and pick one per request with ``execution_profile=``."""

    def __init__(self, load_balancing_policy=None, retry_policy=None,
                 consistency_level=ConsistencyLevel.LOCAL_ONE, serial_consistency_level=None,
                 request_timeout=10.0, row_factory=named_tuple_factory,
                 speculative_execution_policy=None, continuous_paging_options=None):
        self.load_balancing_policy = load_balancing_policy
        self.retry_policy = retry_policy
        self.consistency_level = consistency_level
        self.serial_consistency_level = serial_consistency_level
        self.request_timeout = request_timeout
        self.row_factory = row_factory
        self.speculative_execution_policy = speculative_execution_policy

    def _native(self):
        lbp = self.load_balancing_policy
        return ProfileOptions(
            consistency=self.consistency_level,
            serial_consistency=self.serial_consistency_level,
            request_timeout_ms=_ms(self.request_timeout),
            load_balancing=lbp._native() if lbp is not None else None,
            retry=(self.retry_policy or RetryPolicy())._kind,
            speculative=self.speculative_execution_policy._native()
            if self.speculative_execution_policy is not None else None,
        )


def _ms(seconds):
    if seconds is None:
        return _NO_TIMEOUT_MS
    return max(0, int(seconds * 1000))


# Cluster arguments of the DataStax driver that have no effect here (the core manages what
# they tune, or they concern features it does not have).
_ACCEPTED_WITHOUT_EFFECT = {
    "conviction_policy_factory", "metrics_enabled", "connection_class", "sockopt",
    "cql_version", "executor_threads", "max_schema_agreement_wait",
    "control_connection_timeout", "schema_event_refresh_window", "topology_event_refresh_window",
    "schema_metadata_enabled", "token_metadata_enabled", "address_translator",
    "status_event_refresh_window", "prepare_on_all_hosts", "reprepare_on_up",
    "allow_beta_protocol_version", "timestamp_generator", "idle_heartbeat_timeout",
    "no_compact", "endpoint_factory", "application_name", "application_version",
    "monitor_reporting_enabled", "monitor_reporting_interval", "client_id",
    "column_encryption_policy",
}


class Cluster:
    """The cluster to connect to. ``connect()`` returns a Session; the rest of the cluster
    is discovered from the contact points."""

    def __init__(self, contact_points=("127.0.0.1",), port=9042, compression=True,
                 auth_provider=None, load_balancing_policy=None, reconnection_policy=None,
                 default_retry_policy=None, ssl_options=None, ssl_context=None,
                 protocol_version=_NOT_SET, connect_timeout=5, idle_heartbeat_interval=30,
                 execution_profiles=None, speculative_execution_policy=None, **kwargs):
        unknown = set(kwargs) - _ACCEPTED_WITHOUT_EFFECT
        if unknown:
            raise TypeError(f"Cluster() got an unexpected keyword argument {sorted(unknown)[0]!r}")
        if isinstance(contact_points, str):
            raise TypeError("contact_points should be a list of addresses, not a string")
        if protocol_version is not _NOT_SET and protocol_version not in (4, 5):
            raise InvalidArgument(f"protocol version {protocol_version} is not supported (4 or 5; "
                                  "the driver negotiates the highest one the server speaks)")
        if auth_provider is not None and not isinstance(auth_provider, PlainTextAuthProvider):
            raise InvalidArgument("only PlainTextAuthProvider (username and password) is supported")
        self.contact_points = list(contact_points)
        self.port = port
        self.compression = compression
        self.auth_provider = auth_provider
        self.load_balancing_policy = load_balancing_policy
        self.reconnection_policy = reconnection_policy
        self.default_retry_policy = default_retry_policy
        self.ssl_options = ssl_options
        self.ssl_context = ssl_context
        self.protocol_version = 5 if protocol_version is _NOT_SET else protocol_version
        self.connect_timeout = connect_timeout
        self.idle_heartbeat_interval = idle_heartbeat_interval
        self.speculative_execution_policy = speculative_execution_policy
        self.profiles = dict(execution_profiles or {})
        if EXEC_PROFILE_DEFAULT not in self.profiles:
            self.profiles[EXEC_PROFILE_DEFAULT] = ExecutionProfile(
                load_balancing_policy=load_balancing_policy,
                retry_policy=default_retry_policy,
                speculative_execution_policy=speculative_execution_policy,
            )
        self.sessions = []
        self.is_shutdown = False
        self._lock = threading.Lock()
        self._ca_file = None
        self.metadata = Metadata(self)

    # -- configuration

    def add_execution_profile(self, name: Any, profile: ExecutionProfile, pool_wait_timeout: float = 5) -> None:
        """Adds a named profile; sessions connected afterwards can use it."""
        if name in self.profiles:
            raise ValueError(f"profile {name!r} already exists")
        self.profiles[name] = profile

    def register_user_type(self, keyspace: str, user_type: str, klass: type) -> None:
        """Decodes values of the UDT ``keyspace.user_type`` as instances of `klass` (built
        without calling ``__init__``, fields set as attributes), and encodes instances of
        `klass` as that UDT."""
        register_udt(keyspace, user_type, klass)
        fields = getattr(klass, "_fields", None) or list(getattr(klass, "__annotations__", {}))
        if not fields:
            fields = [f for f in vars(klass) if not f.startswith("_") and not callable(getattr(klass, f))]
        klass._cqlbridge_udt_fields = tuple(fields)

    def _options(self, keyspace):
        default = self.profiles[EXEC_PROFILE_DEFAULT]
        lbp = default.load_balancing_policy or self.load_balancing_policy
        allowed = lbp._allowed_hosts() if lbp is not None else []
        username = password = None
        if self.auth_provider is not None:
            username, password = self.auth_provider.username, self.auth_provider.password
        compression = None
        if self.compression is True or self.compression == "lz4":
            compression = CompressionKind.LZ4  # what the DataStax driver picks when it can
        elif self.compression == "snappy":
            compression = CompressionKind.SNAPPY
        elif self.compression not in (False, None):
            raise InvalidArgument(f"unknown compression {self.compression!r} (lz4, snappy, True or False)")
        return ConnectOptions(
            contact_points=[str(c) for c in self.contact_points],
            port=self.port,
            keyspace=keyspace,
            username=username,
            password=password,
            tls=self._tls(),
            connect_timeout_ms=_ms(self.connect_timeout),
            request_timeout_ms=_ms(default.request_timeout),
            page_size=None,
            default_profile=default._native(),
            profiles={str(name): p._native() for name, p in self.profiles.items()
                      if name is not EXEC_PROFILE_DEFAULT},
            compression=compression,
            reconnection=self.reconnection_policy._native() if self.reconnection_policy else None,
            allowed_hosts=allowed,
            heartbeat_interval_ms=_ms(self.idle_heartbeat_interval) if self.idle_heartbeat_interval else 0,
        )

    def _tls(self):
        opts = dict(self.ssl_options or {})
        ctx = self.ssl_context
        if ctx is None and not opts:
            return None
        ca = opts.get("ca_certs")
        check_hostname = opts.get("check_hostname", False)
        if ctx is not None:
            check_hostname = ctx.check_hostname
            if ca is None:
                ca = self._context_ca_file(ctx)
        if ca is None:
            raise InvalidArgument("TLS needs the CA to trust: ssl_options={'ca_certs': path} or an "
                                  "ssl_context with load_verify_locations()")
        return TlsOptions(
            ca_file=ca,
            client_cert_file=opts.get("certfile"),
            client_key_file=opts.get("keyfile"),
            verify_hostname=bool(check_hostname),
            server_name=opts.get("server_hostname"),
        )

    def _context_ca_file(self, ctx):
        """The CA certificates loaded into an SSLContext, written to a PEM file for the core."""
        ders = ctx.get_ca_certs(binary_form=True)
        if not ders:
            return None
        if self._ca_file is None:
            f = tempfile.NamedTemporaryFile("w", prefix="cqlbridge-ca-", suffix=".pem", delete=False)
            with f:
                for der in ders:
                    f.write(ssl.DER_cert_to_PEM_cert(der))
            self._ca_file = f.name
        return self._ca_file

    # -- sessions

    def connect(self, keyspace: Optional[str] = None, wait_for_all_pools: bool = False) -> Session:
        """Connects and returns a new Session (using `keyspace` when given)."""
        if on_driver_thread():
            raise WouldDeadlock("connect() was called on a driver thread; use connect_async()")
        return self._session(run_sync(self._connect(keyspace)), keyspace)

    async def connect_async(self, keyspace: Optional[str] = None) -> Session:
        """``connect`` for asyncio: awaits the connection without blocking the loop."""
        return self._session(await self._connect(keyspace), keyspace)

    async def _connect(self, keyspace):
        if self.is_shutdown:
            raise InvalidHandle("the cluster was shut down")
        try:
            return await _native_connect(self._options(keyspace), dispatcher().queue)
        except CqlError as e:
            raise _errors.translate(e) from None

    def _session(self, native, keyspace):
        session = Session(self, native)
        with self._lock:
            self.sessions.append(session)
        return session

    def shutdown(self) -> None:
        """Closes every session of this cluster."""
        with self._lock:
            sessions, self.sessions = list(self.sessions), []
            self.is_shutdown = True
        for s in sessions:
            s.shutdown()

    @property
    def metrics(self) -> Optional["Metrics"]:
        """The metrics of the cluster's first open session (``cqlbridge.metrics.Metrics``),
        None before one is connected."""
        session = self._any_session()
        return session.get_metrics() if session is not None else None

    def _any_session(self):
        with self._lock:
            for s in self.sessions:
                if not s.is_shutdown:
                    return s
        return None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.shutdown()


class _Request:
    """What to run: a statement (its packed reference), values and packed options, or a
    batch of (reference, values) items."""

    __slots__ = ("ref", "values", "options", "batch", "row_factory")

    def __init__(self, ref=None, values=(), options=b"\x00", batch=None,
                 row_factory=named_tuple_factory):
        self.ref = ref
        self.values = values
        self.options = options
        self.batch = batch
        self.row_factory = row_factory

    def submit(self, native, request_id, paging_state=None):
        if self.batch is not None:
            kind, items = self.batch
            packed = request_batch(request_id, kind, self.options, items)
        else:
            packed = request_single(request_id, self.ref, paging_state, self.options, self.values)
        dispatcher().submit(native, packed)


class Session:
    """A connection to the cluster: execute statements, prepare them, run batches. Safe to
    share between threads."""

    default_timeout = 10.0
    default_consistency_level = ConsistencyLevel.LOCAL_ONE
    default_serial_consistency_level = None
    default_fetch_size = 5000
    row_factory = staticmethod(named_tuple_factory)

    def __init__(self, cluster, native):
        self.cluster = cluster
        self._native = native
        self.is_shutdown = False
        default = cluster.profiles[EXEC_PROFILE_DEFAULT]
        self.default_timeout = default.request_timeout
        self.default_consistency_level = default.consistency_level
        self.default_serial_consistency_level = default.serial_consistency_level
        self.row_factory = default.row_factory
        self._options_cache = {}
        self._cql_refs = {}

    @property
    def keyspace(self) -> Optional[str]:
        """The keyspace in use."""
        return self._native.keyspace()

    def get_metrics(self) -> "Metrics":
        """What the core counted for this session (``cqlbridge.metrics.Metrics``)."""
        from .metrics import Metrics
        return Metrics(self._native.metrics())

    # -- executing

    def execute(self, query: Query, parameters: Parameters = None, timeout: Any = _NOT_SET,
                trace: bool = False, custom_payload: Any = None,
                execution_profile: Any = EXEC_PROFILE_DEFAULT, paging_state: Optional[bytes] = None,
                host: Optional[str] = None, execute_as: Optional[str] = None) -> ResultSet:
        """Executes `query` and returns its ResultSet (the first page; iterating fetches the
        rest). `parameters` is a sequence for ``%s`` / ``?`` markers or a dict for
        ``%(name)s`` / named markers."""
        return self.execute_async(query, parameters, trace, custom_payload, timeout,
                                  execution_profile, paging_state, host, execute_as).result()

    def execute_async(self, query: Query, parameters: Parameters = None, trace: bool = False,
                      custom_payload: Any = None, timeout: Any = _NOT_SET,
                      execution_profile: Any = EXEC_PROFILE_DEFAULT,
                      paging_state: Optional[bytes] = None, host: Optional[str] = None,
                      execute_as: Optional[str] = None) -> ResponseFuture:
        """Starts executing `query` and returns a ResponseFuture at once."""
        request = self._request(query, parameters, timeout, trace, execution_profile, host)
        future = ResponseFuture(self, request)
        future._start(paging_state)
        return future

    def _check_open(self):
        if self.is_shutdown:
            raise InvalidHandle("the session was shut down")

    def _profile(self, execution_profile):
        if execution_profile is EXEC_PROFILE_DEFAULT:
            return None
        if isinstance(execution_profile, ExecutionProfile):
            raise InvalidArgument("pass the name of a profile given to Cluster(execution_profiles=...)")
        if execution_profile not in self.cluster.profiles:
            raise ValueError(f"unknown execution profile {execution_profile!r}")
        return self.cluster.profiles[execution_profile]

    def _request(self, query, parameters, timeout, trace, execution_profile, host):
        self._check_open()
        profile = self._profile(execution_profile)
        if isinstance(query, str):
            query = SimpleStatement(query)
        statement = query
        ref = batch = None
        values = ()
        if isinstance(query, SimpleStatement):
            cql, values = to_markers(query.query_string, parameters)
            ref = self._cql_ref(cql)
        elif isinstance(query, BoundStatement):
            ref, values = query.prepared_statement._ref, query.values
        elif isinstance(query, PreparedStatement):
            ref, values = query._ref, positional(query.param_names, parameters)
        elif isinstance(query, BatchStatement):
            if parameters is not None:
                raise ValueError("a batch carries its parameters; pass parameters=None")
            batch = (query.batch_type, [self._batch_item(s, v) for s, v in query._statements_and_parameters])
        else:
            raise TypeError(f"cannot execute a {type(query).__name__}")
        if timeout is _NOT_SET:
            timeout = profile.request_timeout if profile is not None else self.default_timeout
        options = self._request_options(statement, profile, execution_profile, timeout, trace, host)
        row_factory = profile.row_factory if profile is not None else self.row_factory
        return _Request(ref, values, options, batch, row_factory)

    def _cql_ref(self, cql):
        ref = self._cql_refs.get(cql)
        if ref is None:
            ref = statement_ref_cql(cql)
            if len(self._cql_refs) > 1024:
                self._cql_refs.clear()
            self._cql_refs[cql] = ref
        return ref

    def _batch_item(self, statement, values):
        if isinstance(statement, PreparedStatement):
            return statement._ref, values
        return self._cql_ref(statement), values

    def _request_options(self, statement, profile, profile_name, timeout, trace, host):
        consistency = getattr(statement, "consistency_level", None)
        serial = getattr(statement, "serial_consistency_level", None)
        if profile is None:
            if consistency is None:
                consistency = self.default_consistency_level
            if serial is None:
                serial = self.default_serial_consistency_level
        fetch_size = getattr(statement, "fetch_size", None) or self.default_fetch_size
        key = (consistency, serial, fetch_size, timeout,
               bool(getattr(statement, "is_idempotent", False)), bool(trace),
               None if profile is None else str(profile_name), host)
        options = self._options_cache.get(key)
        if options is None:
            options = pack_options(
                consistency=consistency, serial_consistency=serial,
                page_size=min(fetch_size, 2**31 - 1) if fetch_size else 2**31 - 1,
                timeout_ms=_ms(timeout), idempotent=key[4], tracing=key[5],
                profile=key[6], host=None if host is None else str(host),
            )
            if len(self._options_cache) > 256:
                self._options_cache.clear()
            self._options_cache[key] = options
        return options

    # -- preparing

    def prepare(self, query: Union[str, SimpleStatement], custom_payload: Any = None,
                keyspace: Optional[str] = None) -> PreparedStatement:
        """Prepares `query` (``?`` or ``:name`` markers) on the cluster."""
        self._check_open()
        if on_driver_thread():
            raise WouldDeadlock("prepare() was called on a driver thread; use prepare_async()")
        return run_sync(self.prepare_async(query, custom_payload, keyspace))

    async def prepare_async(self, query: Union[str, SimpleStatement], custom_payload: Any = None,
                            keyspace: Optional[str] = None) -> PreparedStatement:
        """``prepare`` for asyncio."""
        self._check_open()
        text = query.query_string if isinstance(query, SimpleStatement) else query
        try:
            native = await self._native.prepare(text, None)
        except CqlError as e:
            raise _errors.translate(e) from None
        prepared = PreparedStatement(native, text, keyspace or self.keyspace)
        if isinstance(query, SimpleStatement):
            prepared.consistency_level = query.consistency_level
            prepared.serial_consistency_level = query.serial_consistency_level
            prepared.fetch_size = query.fetch_size
            prepared.is_idempotent = query.is_idempotent
        return prepared

    # -- keyspace, lifecycle

    def set_keyspace(self, keyspace: str) -> None:
        """Switches every connection of this session to `keyspace`."""
        self._check_open()
        try:
            run_sync(self._native.use_keyspace(keyspace))
        except CqlError as e:
            raise _errors.translate(e) from None

    def get_execution_profile(self, name: Any) -> ExecutionProfile:
        """The execution profile registered under `name`."""
        return self.cluster.profiles[name]

    def shutdown(self) -> None:
        """Closes the session; later requests raise."""
        self.is_shutdown = True
        self._native = _Closed()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.shutdown()


class _Closed:
    """Stands in for a closed session's native handle: every use raises."""

    def __getattr__(self, name):
        raise InvalidHandle("the session was shut down")


class ResponseFuture:
    """The future result of ``execute_async``: wait with ``result()``, add callbacks, or
    ``await`` it under asyncio. Callbacks run once per page, on the driver's completion
    thread; an exception in one is logged, not swallowed."""

    def __init__(self, session, request):
        self.session = session
        self._request = request
        self._lock = threading.Lock()
        self._done = False
        self._event = None  # made when a thread waits: most futures never need one
        self._page = None
        self._rows = None
        self._exception = None
        self._callbacks = []
        self._errbacks = []
        self._waiters = []
        self._paging_state = None
        self.has_more_pages = False
        self.warnings = None
        self.coordinator_host = None
        self.query = request

    @classmethod
    def _completed(cls, session, request, page, rows):
        f = cls(session, request)
        f._settle(page, rows, None)
        return f

    def _start(self, paging_state=None):
        d = dispatcher()
        request_id = d.register(self._on_complete)
        try:
            self._request.submit(self.session._native, request_id, paging_state)
        except CqlError as e:
            d.forget(request_id)
            self._settle(None, None, _errors.translate(e))
        except DriverException as e:
            d.forget(request_id)
            self._settle(None, None, e)

    def _on_complete(self, items):
        outcome = items[0][2]
        if not isinstance(outcome, memoryview):
            self._settle(None, None, _errors.from_info(outcome))
            return
        try:
            page = unpack_page(outcome)
            rows = self._request.row_factory([col.name for col in page.columns], page.rows)
        except Exception as e:  # a row factory's failure belongs to this request
            self._settle(None, None, e)
            return
        self._settle(page, rows, None)

    def _settle(self, page, rows, exception):
        with self._lock:
            self._page, self._rows, self._exception = page, rows, exception
            if page is not None:
                self._paging_state = page.paging_state
                self.has_more_pages = page.paging_state is not None
                self.warnings = page.warnings or None
                self.coordinator_host = page.coordinator
            elif self._paging_state is not None:
                # A next page failed: the pages after it are still there. Iterating again
                # must raise again, not end quietly after the rows it had.
                self.has_more_pages = True
            callbacks = self._errbacks if exception is not None else self._callbacks
            callbacks = list(callbacks)
            waiters, self._waiters = self._waiters, []
            self._done = True
            event = self._event
        if event is not None:
            event.set()
        for fn, args, kwargs in callbacks:
            self._call(fn, exception if exception is not None else rows, args, kwargs)
        for loop, fut in waiters:
            loop.call_soon_threadsafe(self._resolve, fut)

    @staticmethod
    def _call(fn, first, args, kwargs):
        try:
            fn(first, *args, **kwargs)
        except Exception:
            log.exception("cqlbridge: unhandled exception in the callback %r", fn)

    def _resolve(self, fut):
        if fut.done():
            return
        if self._exception is not None:
            fut.set_exception(self._exception)
        else:
            fut.set_result(ResultSet(self, self._rows))

    # -- waiting

    def result(self, timeout: Any = _NOT_SET) -> ResultSet:
        """Waits for the page and returns a ResultSet; raises the request's error. Waiting
        releases the GIL; Ctrl-C interrupts it."""
        if not self._done:
            if on_driver_thread():
                raise WouldDeadlock(
                    "result() was called inside a callback, on the driver's completion thread, "
                    "before the request completed; add a callback instead")
            if timeout is _NOT_SET or timeout is None:
                limit = None
            else:
                limit = timeout
            with self._lock:
                event = None if self._done else self._event or threading.Event()
                self._event = event
            if event is not None and not event.wait(limit):
                raise OperationTimedOut(f"no result within {timeout} s")
        if self._exception is not None:
            raise self._exception
        return ResultSet(self, self._rows)

    def get_query_trace_ids(self) -> list:
        """The trace ids of the request's pages (when traced)."""
        return [self._page.tracing_id] if self._page and self._page.tracing_id else []

    def __await__(self):
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        with self._lock:
            done = self._done
            if not done:
                self._waiters.append((loop, fut))
        if done:
            self._resolve(fut)
        return fut.__await__()

    # -- callbacks

    def add_callback(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> ResponseFuture:
        """Calls ``fn(rows, *args, **kwargs)`` when the page arrives (at once if it has)."""
        with self._lock:
            if not self._done:
                self._callbacks.append((fn, args, kwargs))
                return self
            run = self._exception is None
        if run:
            self._call(fn, self._rows, args, kwargs)
        return self

    def add_errback(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> ResponseFuture:
        """Calls ``fn(exception, *args, **kwargs)`` if the request fails (at once if it has)."""
        with self._lock:
            if not self._done:
                self._errbacks.append((fn, args, kwargs))
                return self
            run = self._exception is not None
        if run:
            self._call(fn, self._exception, args, kwargs)
        return self

    def add_callbacks(self, callback: Callable[..., Any], errback: Callable[..., Any],
                      callback_args: Sequence[Any] = (), callback_kwargs: Optional[dict] = None,
                      errback_args: Sequence[Any] = (), errback_kwargs: Optional[dict] = None) -> None:
        """``add_callback`` and ``add_errback`` in one call."""
        self.add_callback(callback, *callback_args, **(callback_kwargs or {}))
        self.add_errback(errback, *errback_args, **(errback_kwargs or {}))

    def clear_callbacks(self) -> None:
        with self._lock:
            self._callbacks = []
            self._errbacks = []

    # -- paging

    def start_fetching_next_page(self) -> None:
        """Fetches the next page; callbacks fire again when it arrives."""
        if not self.has_more_pages:
            raise QueryExhausted()
        with self._lock:
            state = self._paging_state
            self._done = False
            if self._event is not None:
                self._event.clear()
            self._page = self._rows = self._exception = None
            self.has_more_pages = False
        self._start(state)

    async def _next_page_async(self):
        self.start_fetching_next_page()
        return await self


class ResultSet:
    """The rows of a result. Iterating it fetches the following pages as needed;
    ``current_rows`` is the page at hand."""

    def __init__(self, response_future, initial_response):
        self.response_future = response_future
        self._current_rows = initial_response or []
        page = response_future._page
        self.column_names = [c.name for c in page.columns] if page else []
        self.column_types = [c.type for c in page.columns] if page else []
        self._all = None

    @property
    def has_more_pages(self) -> bool:
        return self.response_future.has_more_pages

    @property
    def current_rows(self) -> list:
        return self._current_rows

    @property
    def paging_state(self) -> Optional[bytes]:
        """Resume from here with ``execute(..., paging_state=...)``; None on the last page."""
        return self.response_future._paging_state

    @property
    def warnings(self) -> Optional[list]:
        return self.response_future.warnings

    def fetch_next_page(self) -> None:
        """Replaces ``current_rows`` with the next page (blocking)."""
        if self.has_more_pages:
            self.response_future.start_fetching_next_page()
            self._current_rows = self.response_future.result()._current_rows
        else:
            self._current_rows = []

    def __iter__(self) -> Iterator[Any]:
        if self._all is not None:
            return iter(self._all)
        return self._iterate()

    def _iterate(self):
        while True:
            rows = self._current_rows
            yield from rows
            if not self.has_more_pages:
                return
            self.fetch_next_page()

    def __aiter__(self):
        return self._aiterate()

    async def _aiterate(self):
        while True:
            for row in self._current_rows:
                yield row
            if not self.has_more_pages:
                return
            self._current_rows = (await self.response_future._next_page_async())._current_rows

    def one(self) -> Any:
        """The first row, or None."""
        rows = self._current_rows
        return rows[0] if rows else None

    def all(self) -> list:
        """Every row, fetching every page."""
        return list(self)

    def _list(self):
        if self._all is None:
            self._all = list(self._iterate())
        return self._all

    def __getitem__(self, i):
        return self._list()[i]

    def __len__(self):
        return len(self._list())

    def __bool__(self):
        return bool(self._current_rows) or self.has_more_pages

    @property
    def was_applied(self) -> bool:
        """For a conditional statement (LWT): whether it was applied."""
        if not self.column_names or self.column_names[0] != "[applied]":
            raise RuntimeError("this result is not from a lightweight transaction (no [applied] column)")
        row = self.one()
        if isinstance(row, dict):
            return row["[applied]"]
        return row[0]

    def __repr__(self):
        return f"<ResultSet rows={len(self._current_rows)} has_more_pages={self.has_more_pages}>"

