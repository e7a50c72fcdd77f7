"""Model queries and batches, named as in ``cassandra.cqlengine.query``.

A query set only collects what to ask; the core renders the CQL, refuses queries Cassandra
would refuse before sending them (``QueryException``), and runs them as prepared statements.
"""

from typing import Any, Callable, Iterable, Optional

from .. import _codec, _errors, _hot
from .._dispatch import Queued, run_queued, run_sync
from .._native import CqlError, ModelQueryDef, ModelWrite, ModelWriteOptions, OrderBy
from . import CQLEngineException, ValidationError
from . import connection

__all__ = [
    "ModelQuerySet", "BatchQuery", "BatchType", "LWTException", "DoesNotExist",
    "MultipleObjectsReturned", "QueryException", "ColumnQueryEvaluator", "WhereClause",
]


class QueryException(CQLEngineException):
    """A query Cassandra would refuse (caught before anything is sent)."""


class DoesNotExist(QueryException):
    """``get`` found no row (each model has its own subclass, ``Model.DoesNotExist``)."""


class MultipleObjectsReturned(QueryException):
    """``get`` found several rows (``Model.MultipleObjectsReturned``)."""


class LWTException(CQLEngineException):
    """A conditional write was not applied; ``existing`` holds the row as it is."""

    def __init__(self, existing):
        super().__init__(f"the conditional write was not applied; existing: {existing}")
        self.existing = existing


class IfNotExistsWithCounterColumn(CQLEngineException):
    """IF NOT EXISTS cannot be used with counter columns."""


class BatchType:
    """Batch kinds."""

    Unlogged = "UNLOGGED"
    Counter = "COUNTER"


_BATCH_KINDS = {None: 0, "LOGGED": 0, "UNLOGGED": 1, "COUNTER": 2}

# Filter operators (PACKED.md / the core's FilterOp) and LWT condition operators.
_FILTER_OPS = {"eq": 0, "in": 1, "gt": 2, "gte": 3, "lt": 4, "lte": 5, "contains": 6,
               "contains_key": 7}
_TOKEN_OPS = {"gt": 8, "gte": 9, "lt": 10, "lte": 11}
_CONDITION_OPS = {"eq": 0, "ne": 1, "gt": 2, "gte": 3, "lt": 4, "lte": 5, "in": 6}


async def queued(session, native_model, request, model=None):
    """Runs a packed mapper request on `native_model` through the completion queue and
    returns the bytes it completed with (bindings/PACKED.md, "Mapper outcomes"), translating
    its error."""
    try:
        outcome = await Queued(lambda request_id: _hot.submit_model(session, request_id, native_model, request))
    except CqlError as e:
        raise translate(e, model) from None
    if not isinstance(outcome, bytes):
        raise translate_info(outcome, model)
    return outcome


def translate(e, model=None):
    """The mapper exception for a native error."""
    if not isinstance(e, CqlError.Failed):
        return e
    return translate_info(e.info, model)


def translate_info(info, model=None):
    """The mapper exception for a native ErrorInfo."""
    if info.name == "DoesNotExist" and model is not None:
        return model.DoesNotExist(info.message)
    if info.name == "MultipleObjectsReturned" and model is not None:
        return model.MultipleObjectsReturned(info.message)
    if info.name == "DoesNotExist":
        return DoesNotExist(info.message)
    if info.name == "MultipleObjectsReturned":
        return MultipleObjectsReturned(info.message)
    if info.name == "LwtFailed":
        existing = _codec.unpack_named(info.existing)
        return LWTException(existing)
    if info.name == "ValidationError":
        return ValidationError(info.message)
    if info.name == "QueryError":
        return QueryException(info.message)
    if info.name == "SchemaMismatch":
        return CQLEngineException(info.message)
    return _errors.from_info(info)


def _native_session(name=None):
    return connection.get_session(name)._native


class WhereClause:
    """One filter built from a column expression (``Model.col > 3``)."""

    def __init__(self, field: str, operator: str, value):
        self.field = field
        self.operator = operator
        self.value = value

    def __repr__(self):
        return f"WhereClause({self.field!r}, {self.operator!r}, {self.value!r})"


class ColumnQueryEvaluator:
    """A model column read from the class (``Model.col``): compare it to build filters,
    ``Model.objects.filter(Model.col >= 3, Model.tags.contains_('x'))``. Attributes of the
    column itself read through."""

    def __init__(self, column):
        self.column = column

    def __getattr__(self, name):
        return getattr(self.column, name)

    def _clause(self, op, value):
        return WhereClause(self.column.column_name, op, value)

    def __eq__(self, other):
        return self._clause("eq", other)

    def __gt__(self, other):
        return self._clause("gt", other)

    def __ge__(self, other):
        return self._clause("gte", other)

    def __lt__(self, other):
        return self._clause("lt", other)

    def __le__(self, other):
        return self._clause("lte", other)

    def in_(self, values):
        """``col IN values``."""
        return self._clause("in", values)

    def contains_(self, value):
        """``col CONTAINS value`` (collections)."""
        return self._clause("contains", value)

    def contains_key_(self, key):
        """``col CONTAINS KEY key`` (maps)."""
        return self._clause("contains_key", key)

    __hash__ = object.__hash__

    def __repr__(self):
        return f"<column {self.column.column_name}: {type(self.column).__name__}>"


async def call(coro_fn, *args, model=None):
    """Awaits a native mapper call, translating its errors."""
    try:
        return await coro_fn(*args)
    except CqlError as e:
        raise translate(e, model) from None


def write_options(ttl=None, timestamp=None, consistency=None, timeout=None,
                  if_not_exists=False, if_exists=False, conditions=()):
    """The native options of a model write."""
    return ModelWriteOptions(
        ttl=ttl, timestamp=_micros(timestamp), consistency=consistency,
        timeout_ms=None if timeout is None else int(timeout * 1000),
        if_not_exists=if_not_exists, if_exists=if_exists,
        conditions=_codec.pack_triples(list(conditions)) if conditions else b"",
    )


def _micros(timestamp):
    """A write timestamp in µs: an int is taken as µs; a datetime or timedelta (from now)
    is converted."""
    import datetime
    if timestamp is None or isinstance(timestamp, int):
        return timestamp
    if isinstance(timestamp, datetime.timedelta):
        timestamp = datetime.datetime.now(datetime.timezone.utc) + timestamp
    if isinstance(timestamp, datetime.datetime):
        if timestamp.tzinfo is None:
            timestamp = timestamp.replace(tzinfo=datetime.timezone.utc)
        return int(timestamp.timestamp() * 1_000_000)
    raise TypeError(f"a timestamp is µs since the epoch, a datetime or a timedelta, not {timestamp!r}")


def conditions_from(model, kwargs):
    """LWT conditions (``iff(col=v, col__gt=v)``) as (attribute, operator, value)."""
    out = []
    for key, value in kwargs.items():
        name, _, op = key.partition("__")
        op = op or "eq"
        if op not in _CONDITION_OPS:
            raise QueryException(f"unknown condition operator {op!r} in {key}")
        col = model._columns.get(name)
        if col is None:
            raise QueryException(f"{model.__name__} has no column {name!r}")
        out.append((name, _CONDITION_OPS[op], value))
    return out


class ModelQuerySet:
    """A query over a model: chain filters and options, then iterate, ``get``, ``count``,
    ``first``, ``update`` or ``delete``."""

    def __init__(self, model):
        self.model = model
        self._filters = []
        self._order = []
        self._limit = None
        self._allow_filtering = False
        self._only = []
        self._defer = []
        self._distinct = False
        self._consistency = None
        self._timeout = None
        self._fetch_size = None
        self._values_list = None
        self._flat = False
        self._batch = None
        self._ttl = None
        self._timestamp = None
        self._if_exists = False
        self._conditions = []
        self._result_cache = None
        self._connection = None
        self._keyspace = None

    def _clone(self, **changes):
        q = ModelQuerySet.__new__(ModelQuerySet)
        q.__dict__.update(self.__dict__)
        q._filters = list(self._filters)
        q._order = list(self._order)
        q._conditions = list(self._conditions)
        q._result_cache = None
        q.__dict__.update(changes)
        return q

    # -- building

    def filter(self, *args: Any, **kwargs: Any) -> "ModelQuerySet":
        """Adds filters: ``col=value``, ``col__in=[...]``, ``col__gt=v`` (gte, lt, lte),
        ``col__contains=v``, ``col__contains_key=k``, ``pk__token__gt=Token(key...)`` (or an
        int token); or column expressions, ``Model.col > v``."""
        from .functions import Token
        items = []
        for a in args:
            if not isinstance(a, WhereClause):
                raise QueryException(f"filter takes column expressions (Model.col == v) and keywords, not {a!r}")
            items.append((a.field if a.operator == "eq" else f"{a.field}__{a.operator}", a.value))
        items.extend(kwargs.items())
        filters = list(self._filters)
        for key, value in items:
            parts = key.split("__")
            name = parts[0]
            if name == "pk":
                name = self.model._partition_keys[0]
            if len(parts) == 3 and parts[1] == "token":
                if parts[2] not in _TOKEN_OPS:
                    raise QueryException(f"unknown token operator {parts[2]!r}")
                if isinstance(value, Token):
                    if len(value.value) != len(self.model._partition_keys):
                        raise QueryException(f"Token() takes {len(self.model._partition_keys)} partition-key "
                                             f"value(s), not {len(value.value)}")
                    bound = tuple(value.value)
                elif isinstance(value, int) and not isinstance(value, bool):
                    bound = value
                else:
                    raise QueryException(f"a token filter takes Token(key...) or an int token, not {value!r}")
                filters.append(("", _TOKEN_OPS[parts[2]], bound))
                continue
            op = parts[1] if len(parts) > 1 else "eq"
            if op not in _FILTER_OPS or len(parts) > 2:
                raise QueryException(f"unknown filter operator in {key!r}")
            col = self.model._columns.get(name)
            if col is None:
                raise QueryException(f"{self.model.__name__} has no column {name!r}")
            if op == "in":
                value = list(value)
            filters.append((name, _FILTER_OPS[op], value))
        return self._clone(_filters=filters)

    def using(self, connection: Optional[str] = None, keyspace: Optional[str] = None) -> "ModelQuerySet":
        """Runs this query on a named connection and/or in another keyspace."""
        changes = {}
        if connection is not None:
            changes["_connection"] = connection
        if keyspace is not None:
            changes["_keyspace"] = keyspace
        return self._clone(**changes)

    def _session(self):
        return _native_session(self._connection or self.model.__connection__)

    def _native_model(self):
        return self.model._native(self._keyspace)

    def __call__(self, *args: Any, **kwargs: Any) -> "ModelQuerySet":
        return self.filter(*args, **kwargs)

    def all(self) -> "ModelQuerySet":
        """Every row (a copy of this query)."""
        return self._clone()

    def limit(self, n: Optional[int]) -> "ModelQuerySet":
        """At most `n` rows."""
        if n is not None and n < 0:
            raise QueryException("a limit must not be negative")
        return self._clone(_limit=n)

    def order_by(self, *columns: str) -> "ModelQuerySet":
        """Orders by clustering columns; ``"-col"`` for descending."""
        order = list(self._order)
        for c in columns:
            desc = c.startswith("-")
            order.append((c.lstrip("-"), desc))
        return self._clone(_order=order)

    def allow_filtering(self) -> "ModelQuerySet":
        """Lets the server filter rows (ALLOW FILTERING)."""
        return self._clone(_allow_filtering=True)

    def only(self, fields: Iterable[str]) -> "ModelQuerySet":
        """Selects only these attributes."""
        return self._clone(_only=list(fields))

    def defer(self, fields: Iterable[str]) -> "ModelQuerySet":
        """Selects every attribute but these."""
        return self._clone(_defer=list(fields))

    def distinct(self, distinct_fields: Optional[Iterable[str]] = None) -> "ModelQuerySet":
        """Distinct partition keys."""
        return self._clone(_distinct=True, _only=list(distinct_fields or self.model._partition_keys))

    def values_list(self, *fields: str, **kwargs: Any) -> "ModelQuerySet":
        """Rows as tuples of these attributes (``flat=True``: the values of one)."""
        flat = kwargs.pop("flat", False)
        if flat and len(fields) != 1:
            raise TypeError("flat=True needs exactly one field")
        return self._clone(_values_list=list(fields), _only=list(fields), _flat=flat)

    def consistency(self, consistency: Optional[int]) -> "ModelQuerySet":
        """Reads (and writes) at this consistency level."""
        return self._clone(_consistency=consistency)

    def timeout(self, timeout: Optional[float]) -> "ModelQuerySet":
        """A client-side timeout in seconds."""
        return self._clone(_timeout=timeout)

    def fetch_size(self, size: int) -> "ModelQuerySet":
        """Rows per page."""
        return self._clone(_fetch_size=size)

    def batch(self, batch_obj: "BatchQuery") -> "ModelQuerySet":
        """Adds this query's update or delete to a batch instead of running it."""
        return self._clone(_batch=batch_obj)

    def ttl(self, ttl: Optional[int]) -> "ModelQuerySet":
        """A time to live, in seconds, for updates."""
        return self._clone(_ttl=ttl)

    def timestamp(self, timestamp: Any) -> "ModelQuerySet":
        """A write timestamp: µs since the epoch, a datetime, or a timedelta from now."""
        return self._clone(_timestamp=timestamp)

    def if_exists(self) -> "ModelQuerySet":
        """Updates and deletes apply only if the row exists (LWT)."""
        return self._clone(_if_exists=True)

    def iff(self, **kwargs: Any) -> "ModelQuerySet":
        """Updates and deletes apply only if these conditions hold (LWT)."""
        return self._clone(_conditions=self._conditions + conditions_from(self.model, kwargs))

    def _query(self, limit=None):
        return ModelQueryDef(
            filters=_codec.pack_triples(self._filters) if self._filters else b"",
            order_by=[OrderBy(column=c, descending=d) for c, d in self._order],
            limit=self._limit if limit is None else limit,
            allow_filtering=self._allow_filtering,
            only=self._only, defer=self._defer, distinct=self._distinct,
            consistency=self._consistency,
            timeout_ms=None if self._timeout is None else int(self._timeout * 1000),
            page_size=self._fetch_size,
        )

    # -- reading

    async def _pages(self):
        native_model = self._native_model()
        state = None
        while True:
            page = await queued(self._session(), native_model, _codec.model_query_request(
                _codec.MODEL_SELECT_PAGE, self._query(), state), model=self.model)
            rows, state = _codec.unpack_model_page(page)
            yield [self._row(model, values) for model, values in _codec.unpack_model_rows(rows)]
            if state is None:
                return

    def _row(self, model_name, values):
        obj = self.model._from_row(model_name, values)
        if self._values_list is not None:
            vals = tuple(getattr(obj, f) for f in self._values_list)
            return vals[0] if self._flat else vals
        return obj

    async def _all_async(self):
        rows = []
        async for page in self._pages():
            rows.extend(page)
        return rows

    def _fill(self):
        if self._result_cache is None:
            self._result_cache = run_queued(self._all_async())
        return self._result_cache

    def __iter__(self):
        return iter(self._fill())

    async def __aiter__(self):
        async for page in self._pages():
            for row in page:
                yield row

    def __len__(self):
        return len(self._fill())

    def __getitem__(self, i):
        return self._fill()[i]

    def __bool__(self):
        return bool(self._fill())

    def get(self, *args: Any, **kwargs: Any) -> Any:
        """Exactly one row: ``Model.DoesNotExist`` when none, ``MultipleObjectsReturned``
        when several."""
        return run_queued(self.get_async(*args, **kwargs))

    async def get_async(self, *args: Any, **kwargs: Any) -> Any:
        """``get`` without blocking the event loop."""
        q = self.filter(*args, **kwargs) if (args or kwargs) else self
        row = await queued(self._session(), self._native_model(),
                           _codec.model_query_request(_codec.MODEL_GET, q._query()), model=self.model)
        model_name, values = _codec.unpack_model_row(row)
        return q._row(model_name, values)

    def first(self) -> Any:
        """The first row, or None."""
        rows = run_queued(self.limit(1)._all_async())
        return rows[0] if rows else None

    def count(self) -> int:
        """How many rows match."""
        return run_queued(self.count_async())

    async def count_async(self) -> int:
        """``count`` without blocking the event loop."""
        count = await queued(self._session(), self._native_model(),
                             _codec.model_query_request(_codec.MODEL_COUNT, self._query()), model=self.model)
        return int.from_bytes(count, "little", signed=True)

    # -- writing

    def _key(self):
        key = []
        for name, op, value in self._filters:
            if op != _FILTER_OPS["eq"]:
                raise QueryException("updates and deletes take equality filters on the primary key only")
            key.append((name, value))
        return key

    def _options(self):
        return write_options(ttl=self._ttl, timestamp=self._timestamp, consistency=self._consistency,
                             timeout=self._timeout, if_exists=self._if_exists,
                             conditions=self._conditions)

    def update(self, **values: Any) -> None:
        """Updates the rows of the filtered key without reading them: ``col=v`` sets (None
        deletes), ``col__add``/``__remove`` for sets, ``__append``/``__prepend``/``__remove``
        for lists, ``__update``/``__remove`` for maps; counters add the given delta."""
        changes = []
        for key, value in values.items():
            name, _, op = key.partition("__")
            col = self.model._columns.get(name)
            if col is None:
                raise ValidationError(f"{self.model.__name__} has no column {name!r}")
            from .columns import Counter, List, Map, Set
            if isinstance(col, Counter) and not op:
                kind = 1 if value >= 0 else 2
                value = abs(value)
            elif not op:
                kind = 0
            elif op in ("add", "append") and isinstance(col, (Set, List)):
                kind = 1
            elif op == "prepend" and isinstance(col, List):
                kind = 3
            elif op == "remove" and isinstance(col, (Set, List)):
                kind = 2
            elif op == "update" and isinstance(col, Map):
                kind = 4
            elif op == "remove" and isinstance(col, Map):
                kind, value = 5, set(value)
            else:
                raise ValidationError(f"{op!r} is not an update of a {type(col).__name__} column")
            changes.append((name, kind, value))
        packed_key = _codec.pack_named(self._key())
        packed = _codec.pack_triples(changes)
        if self._batch is not None:
            self._batch._add(ModelWrite(kind=2, model=self._native_model(), values=b"", original=b"",
                                        key=packed_key, changes=packed, columns=[], options=self._options()))
            return
        run_queued(queued(self._session(), self._native_model(), _codec.model_write_request(
            _codec.MODEL_UPDATE, self._options(), packed_key, packed), model=self.model))

    def delete(self) -> None:
        """Deletes the rows of the filtered key (the whole partition key at least)."""
        packed_key = _codec.pack_named(self._key())
        if self._batch is not None:
            self._batch._add(ModelWrite(kind=3, model=self._native_model(), values=b"", original=b"",
                                        key=packed_key, changes=b"", columns=[], options=self._options()))
            return
        run_queued(queued(self._session(), self._native_model(), _codec.model_write_request(
            _codec.MODEL_DELETE, self._options(), packed_key), model=self.model))


class BatchQuery:
    """Model writes sent as one batch when the ``with`` block ends (or on ``execute()``).
    Callbacks added with ``add_callback`` run after the batch succeeded. With
    ``execute_on_exception``, the batch is sent even when the block raised."""

    def __init__(self, batch_type: Optional[str] = None, timestamp: Any = None,
                 consistency: Optional[int] = None, execute_on_exception: bool = False,
                 timeout: Optional[float] = None, connection: Optional[str] = None):
        if batch_type not in _BATCH_KINDS:
            raise CQLEngineException(f"unknown batch type {batch_type!r}")
        self.batch_type = batch_type
        self.timestamp = timestamp
        self._consistency = consistency
        self._execute_on_exception = execute_on_exception
        self._timeout = timeout
        self._writes = []
        self._callbacks = []
        self._executed = False
        self._connection = connection

    def _add(self, write):
        if self._executed:
            raise CQLEngineException("this batch was already executed")
        self._writes.append(write)

    def add_callback(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Runs ``fn(*args, **kwargs)`` once the batch succeeded."""
        if not callable(fn):
            raise ValueError("the callback must be callable")
        self._callbacks.append((fn, args, kwargs))

    def consistency(self, consistency: Optional[int]) -> None:
        """Sends the batch at this consistency level."""
        self._consistency = consistency

    def execute(self) -> None:
        """Sends the batch."""
        run_sync(self.execute_async())

    async def execute_async(self) -> None:
        """Sends the batch without blocking the event loop."""
        if self._executed:
            raise CQLEngineException("this batch was already executed")
        self._executed = True
        if self._writes:
            await call(_native_session(self._connection).model_batch, _BATCH_KINDS[self.batch_type],
                       _micros(self.timestamp), self._writes)
        for fn, args, kwargs in self._callbacks:
            fn(*args, **kwargs)

    def __enter__(self) -> "BatchQuery":
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None and not self._execute_on_exception:
            return
        self.execute()
