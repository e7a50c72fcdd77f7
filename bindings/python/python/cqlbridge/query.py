"""Statements, batches and row factories, named as in ``cassandra.query``.

Values are always bound, never interpolated: ``%s`` and ``%(name)s`` placeholders of a
statement with parameters become bind markers, and the statement is prepared (and cached) by
the core before it runs.
"""

from __future__ import annotations

import re
from typing import Any, Sequence
from collections import namedtuple, OrderedDict

from .util import UNSET_VALUE  # noqa: F401  (cassandra.query exports it)

__all__ = [
    "Statement", "SimpleStatement", "PreparedStatement", "BoundStatement", "BatchStatement",
    "BatchType", "tuple_factory", "named_tuple_factory", "dict_factory", "ordered_dict_factory",
    "UNSET_VALUE", "ValueSequence",
]


def tuple_factory(colnames: list, rows: list) -> list:
    """Rows as plain tuples."""
    return rows


def named_tuple_factory(colnames: list, rows: list) -> list:
    """Rows as named tuples whose fields are the column names (the default)."""
    return [_row_class(tuple(colnames))._make(row) for row in rows] if rows else []


def dict_factory(colnames: list, rows: list) -> list:
    """Rows as dicts keyed by column name."""
    return [dict(zip(colnames, row)) for row in rows]


def ordered_dict_factory(colnames: list, rows: list) -> list:
    """Rows as OrderedDicts keyed by column name."""
    return [OrderedDict(zip(colnames, row)) for row in rows]


_row_classes = {}


def _row_class(colnames):
    cls = _row_classes.get(colnames)
    if cls is None:
        fields = [_field_name(c) for c in colnames]
        cls = namedtuple("Row", fields, rename=True)
        _row_classes[colnames] = cls
    return cls


def _field_name(name):
    clean = re.sub(r"[^a-zA-Z0-9_]", "_", name)
    return clean if clean and not clean[0].isdigit() else "_" + clean


class Statement:
    """Options shared by every kind of statement."""

    def __init__(self, retry_policy=None, consistency_level=None, routing_key=None,
                 serial_consistency_level=None, fetch_size=None, keyspace=None,
                 custom_payload=None, is_idempotent=False, table=None):
        self.retry_policy = retry_policy
        self.consistency_level = consistency_level
        self.serial_consistency_level = serial_consistency_level
        self.fetch_size = fetch_size
        self.routing_key = routing_key
        self.keyspace = keyspace
        self.custom_payload = custom_payload
        self.is_idempotent = is_idempotent
        self.table = table
        self.trace_id = None


class SimpleStatement(Statement):
    """A CQL string, with ``%s`` or ``%(name)s`` placeholders when it takes parameters."""

    def __init__(self, query_string, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._query_string = query_string

    @property
    def query_string(self):
        return self._query_string

    def __str__(self):
        return self._query_string

    __repr__ = __str__


class PreparedStatement:
    """A statement prepared on the cluster. Bind it with ``bind(values)`` or pass it with
    values to ``Session.execute``."""

    def __init__(self, native, query_string, keyspace=None):
        from ._codec import statement_ref_prepared
        self._native = native
        self._ref = statement_ref_prepared(native.id())
        self.query_string = query_string
        self.keyspace = keyspace
        self.param_names = native.param_names()
        self.param_types = native.param_types()
        self.column_names = native.column_names()
        self.consistency_level = None
        self.serial_consistency_level = None
        self.fetch_size = None
        self.is_idempotent = False
        self.retry_policy = None
        self.custom_payload = None

    def bind(self, values: Any = None) -> BoundStatement:
        """A BoundStatement with `values` (a sequence, or a dict by marker name)."""
        return BoundStatement(self).bind(values)

    def __str__(self):
        return f"<PreparedStatement query=\"{self.query_string}\">"

    __repr__ = __str__


class BoundStatement(Statement):
    """A prepared statement with its values."""

    def __init__(self, prepared_statement, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.prepared_statement = prepared_statement
        if self.consistency_level is None:
            self.consistency_level = prepared_statement.consistency_level
        if self.serial_consistency_level is None:
            self.serial_consistency_level = prepared_statement.serial_consistency_level
        if self.fetch_size is None:
            self.fetch_size = prepared_statement.fetch_size
        self.is_idempotent = self.is_idempotent or prepared_statement.is_idempotent
        self.values = []

    def bind(self, values: Any) -> BoundStatement:
        """Sets the values: a sequence in marker order, or a dict by marker name (missing
        names are left unset)."""
        self.values = positional(self.prepared_statement.param_names, values)
        return self

    @property
    def query_string(self):
        return self.prepared_statement.query_string

    def __str__(self):
        return f"<BoundStatement query=\"{self.query_string}\", values={self.values}>"

    __repr__ = __str__


def positional(names, values):
    """The values of a prepared statement's markers, in order."""
    if values is None:
        return []
    if isinstance(values, dict):
        unknown = set(values) - set(names)
        if unknown:
            from . import BindError
            raise BindError(f"no bind marker named {sorted(unknown)[0]!r} in the statement")
        return [values.get(name, UNSET_VALUE) for name in names]
    return list(values)


class BatchType:
    """Kinds of batches."""

    LOGGED = 0
    UNLOGGED = 1
    COUNTER = 2

    _names = {0: "LOGGED", 1: "UNLOGGED", 2: "COUNTER"}


class BatchStatement(Statement):
    """Statements executed as one batch: LOGGED (atomic), UNLOGGED or COUNTER."""

    def __init__(self, batch_type=BatchType.LOGGED, retry_policy=None, consistency_level=None,
                 serial_consistency_level=None, session=None, custom_payload=None):
        super().__init__(retry_policy=retry_policy, consistency_level=consistency_level,
                         serial_consistency_level=serial_consistency_level,
                         custom_payload=custom_payload)
        self.batch_type = batch_type
        self._statements_and_parameters = []
        self._session = session

    def add(self, statement: Any, parameters: Any = None) -> BatchStatement:
        """Adds a statement (a CQL string, SimpleStatement, PreparedStatement or
        BoundStatement) with its parameters."""
        if isinstance(statement, BoundStatement):
            if parameters is not None:
                raise ValueError("a BoundStatement carries its values; parameters must be None")
            self._statements_and_parameters.append((statement.prepared_statement, statement.values))
        elif isinstance(statement, PreparedStatement):
            self._statements_and_parameters.append(
                (statement, positional(statement.param_names, parameters)))
        else:
            text = statement.query_string if isinstance(statement, SimpleStatement) else statement
            if not isinstance(text, str):
                raise TypeError(f"cannot add a {type(statement).__name__} to a batch")
            self._statements_and_parameters.append(to_markers(text, parameters))
        return self

    def add_all(self, statements: Sequence[Any], parameters: Sequence[Any]) -> None:
        """Adds each statement with its parameters."""
        for statement, params in zip(statements, parameters):
            self.add(statement, params)

    def clear(self) -> None:
        """Removes every statement."""
        del self._statements_and_parameters[:]

    def __len__(self):
        return len(self._statements_and_parameters)

    def __str__(self):
        return f"<BatchStatement type={BatchType._names.get(self.batch_type)}, statements={len(self)}>"

    __repr__ = __str__


class ValueSequence(list):
    """A sequence bound as one value (for ``IN %s``), as in the DataStax driver."""


# %s, %(name)s and %% outside quoted strings, identifiers and comments.
_TOKENS = re.compile(
    r"'(?:[^']|'')*'"          # string literal
    r'|"(?:[^"]|"")*"'         # quoted identifier
    r"|\$\$.*?\$\$"            # $$ string $$
    r"|--[^\n]*|//[^\n]*"      # line comments
    r"|/\*.*?\*/"              # block comment
    r"|%\((?P<name>[^)]*)\)s"  # %(name)s
    r"|(?P<pos>%s)"            # %s
    r"|(?P<pct>%%)",           # %%
    re.S,
)

_marker_cache = {}


def _parse(query):
    """The query with its placeholders as ``?`` markers, and the placeholders' names (None
    for %s), cached."""
    parsed = _marker_cache.get(query)
    if parsed is None:
        names = []

        def replace(m):
            if m.group("name") is not None:
                names.append(m.group("name"))
                return "?"
            if m.group("pos") is not None:
                names.append(None)
                return "?"
            if m.group("pct") is not None:
                return "%"
            return m.group(0)

        parsed = (_TOKENS.sub(replace, query), tuple(names))
        if len(_marker_cache) > 4096:
            _marker_cache.clear()
        _marker_cache[query] = parsed
    return parsed


def to_markers(query, parameters):
    """(CQL with ``?`` markers, positional values) for a query string with parameters."""
    if parameters is None:
        return query, []
    cql, names = _parse(query)
    from . import BindError
    if isinstance(parameters, dict):
        if any(n is None for n in names):
            raise BindError("the statement uses %s placeholders; pass a sequence, not a dict")
        try:
            return cql, [parameters[n] for n in names]
        except KeyError as e:
            raise BindError(f"no value for the placeholder %({e.args[0]})s") from None
    if any(n is not None for n in names):
        raise BindError("the statement uses %(name)s placeholders; pass a dict")
    values = list(parameters)
    if len(values) != len(names):
        raise BindError(
            f"the statement has {len(names)} placeholders, {len(values)} values were given")
    return cql, values
