"""Model columns, named as in ``cassandra.cqlengine.columns``. A column describes a CQL
type and its role (key, index, default, ...); the core checks values against the type."""

import datetime
import itertools
import uuid as _uuid

from ..util import Date as _Date
from . import ValidationError

_positions = itertools.count()

__all__ = [
    "Column", "Ascii", "BigInt", "Blob", "Bytes", "Boolean", "Counter", "Date", "DateTime",
    "Decimal", "Double", "Duration", "Float", "Inet", "Integer", "List", "Map", "Set",
    "SmallInt", "Text", "Time", "TimeUUID", "TinyInt", "Tuple", "UUID", "UserDefinedType",
    "VarInt",
]


class Column:
    """A column. ``primary_key``: the first is the partition key, the next ones clustering
    keys (``partition_key=True`` makes a composite partition key); ``clustering_order`` is
    "ASC" or "DESC"; ``default`` is a value or a callable; ``db_field`` names the column in
    the table when it differs from the attribute."""

    db_type = None

    def __init__(self, primary_key=False, partition_key=False, index=False, db_field=None,
                 default=None, required=False, clustering_order=None,
                 discriminator_column=False, static=False, custom_index=False):
        self.partition_key = partition_key
        self.primary_key = partition_key or primary_key
        self.index = index
        self.custom_index = custom_index
        self.db_field = db_field
        self.default = default
        self.required = required
        self.clustering_order = clustering_order
        self.discriminator_column = discriminator_column
        self.static = static
        self.position = next(_positions)
        self.column_name = None  # the attribute name, set by the model

    @property
    def db_field_name(self):
        return self.db_field or self.column_name

    @property
    def has_default(self):
        return self.default is not None

    def get_default(self):
        """The default value (a callable default is called)."""
        if callable(self.default):
            return self.default()
        return self.default

    def cql_type(self):
        """The column's CQL type."""
        return self.db_type

    def validate(self, value):
        """Checks a value before it is written; override to add rules (raise
        ValidationError). Types are checked by the core."""
        if value is None and (self.required or self.primary_key):
            raise ValidationError(f"{self.column_name} - None values are not allowed")
        return value

    def to_python(self, value):
        """The value as read from the database, as the model exposes it."""
        return value

    def to_database(self, value):
        return value

    @property
    def is_collection(self):
        return False


class Ascii(Column):
    """``ascii``"""
    db_type = "ascii"


class Text(Column):
    """``text``, optionally with length bounds."""
    db_type = "text"

    def __init__(self, min_length=None, max_length=None, **kwargs):
        self.min_length = min_length if min_length is not None else (1 if kwargs.get("required") else None)
        self.max_length = max_length
        super().__init__(**kwargs)

    def validate(self, value):
        value = super().validate(value)
        if value is None:
            return value
        if not isinstance(value, str):
            raise ValidationError(f"{self.column_name} {value!r} is not a string")
        if self.max_length is not None and len(value) > self.max_length:
            raise ValidationError(f"{self.column_name} is longer than {self.max_length} characters")
        if self.min_length and len(value) < self.min_length:
            raise ValidationError(f"{self.column_name} is shorter than {self.min_length} characters")
        return value


class Blob(Column):
    """``blob``"""
    db_type = "blob"


Bytes = Blob


class Integer(Column):
    """``int``"""
    db_type = "int"


class TinyInt(Integer):
    """``tinyint``"""
    db_type = "tinyint"


class SmallInt(Integer):
    """``smallint``"""
    db_type = "smallint"


class BigInt(Integer):
    """``bigint``"""
    db_type = "bigint"


class VarInt(Column):
    """``varint``"""
    db_type = "varint"


class Counter(Integer):
    """``counter``: only changed by adding (``update(views=+1)`` or save of a new value)."""
    db_type = "counter"

    def __init__(self, index=False, db_field=None, required=False):
        super().__init__(index=index, db_field=db_field, required=required, default=0)


class Boolean(Column):
    """``boolean``"""
    db_type = "boolean"


class Float(Column):
    """``float`` (``double`` with ``double=True``, as old cqlengine did)."""

    def __init__(self, double=False, **kwargs):
        self.db_type = "double" if double else "float"
        super().__init__(**kwargs)


class Double(Column):
    """``double``"""
    db_type = "double"


class Decimal(Column):
    """``decimal``"""
    db_type = "decimal"


class UUID(Column):
    """``uuid``"""
    db_type = "uuid"


class TimeUUID(UUID):
    """``timeuuid``"""
    db_type = "timeuuid"


class Inet(Column):
    """``inet``"""
    db_type = "inet"


class DateTime(Column):
    """``timestamp``: naive datetimes are UTC."""
    db_type = "timestamp"


class Date(Column):
    """``date``: read back as ``datetime.date``."""
    db_type = "date"

    def to_python(self, value):
        if isinstance(value, _Date):
            try:
                return value.date()
            except ValueError:
                return value
        return value


class Time(Column):
    """``time``: read back as ``cqlbridge.util.Time`` (nanoseconds)."""
    db_type = "time"


class Duration(Column):
    """``duration``"""
    db_type = "duration"


def _as_column(t):
    return t() if isinstance(t, type) else t


def _inner(col):
    """The CQL of a type nested in a collection: frozen when it is a collection itself."""
    t = col.cql_type()
    if col.is_collection or isinstance(col, (UserDefinedType, Tuple)):
        return t if t.startswith("frozen<") else f"frozen<{t}>"
    return t


class BaseContainerColumn(Column):
    @property
    def is_collection(self):
        return True


class List(BaseContainerColumn):
    """``list<T>``"""

    def __init__(self, value_type, default=list, **kwargs):
        self.value_col = _as_column(value_type)
        super().__init__(default=default, **kwargs)

    def cql_type(self):
        return f"list<{_inner(self.value_col)}>"

    def to_python(self, value):
        return [] if value is None else [self.value_col.to_python(v) for v in value]


class Set(BaseContainerColumn):
    """``set<T>``"""

    def __init__(self, value_type, strict=True, default=set, **kwargs):
        self.value_col = _as_column(value_type)
        super().__init__(default=default, **kwargs)

    def cql_type(self):
        return f"set<{_inner(self.value_col)}>"

    def to_python(self, value):
        return set() if value is None else {self.value_col.to_python(v) for v in value}


class Map(BaseContainerColumn):
    """``map<K, V>``"""

    def __init__(self, key_type, value_type, default=dict, **kwargs):
        self.key_col = _as_column(key_type)
        self.value_col = _as_column(value_type)
        super().__init__(default=default, **kwargs)

    def cql_type(self):
        return f"map<{_inner(self.key_col)}, {_inner(self.value_col)}>"

    def to_python(self, value):
        if value is None:
            return {}
        return {self.key_col.to_python(k): self.value_col.to_python(v) for k, v in value.items()}


class Tuple(Column):
    """``tuple<...>``"""

    def __init__(self, *args, **kwargs):
        if not args:
            raise ValueError("Tuple needs at least one element type")
        self.types = [_as_column(t) for t in args]
        super().__init__(**kwargs)

    def cql_type(self):
        return "frozen<tuple<" + ", ".join(_inner(t) for t in self.types) + ">>"


class UserDefinedType(Column):
    """A user-defined type (a ``cqlengine.usertype.UserType`` subclass), frozen."""

    def __init__(self, user_type, **kwargs):
        self.user_type = user_type
        super().__init__(**kwargs)

    def cql_type(self):
        return f"frozen<{self.user_type.type_name()}>"


# Defaults the core generates itself (so every language gets the same).
_GENERATED = {_uuid.uuid4: "uuid4", _uuid.uuid1: "timeuuid", datetime.datetime.now: "now",
              datetime.datetime.utcnow: "now"}
