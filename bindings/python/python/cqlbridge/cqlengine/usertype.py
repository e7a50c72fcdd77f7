"""User-defined types, named as in ``cassandra.cqlengine.usertype``."""

from .. import _codec
from . import _name_of_class
from .columns import Column

__all__ = ["UserType"]


class UserTypeMeta(type):
    def __new__(mcs, name, bases, attrs):
        fields = {}
        for base in bases:
            fields.update(getattr(base, "_fields", {}))
        own = sorted(((k, v) for k, v in attrs.items() if isinstance(v, Column)), key=lambda kv: kv[1].position)
        for k, col in own:
            col.column_name = k
            fields[k] = col
            del attrs[k]
        attrs["_fields"] = fields
        attrs["_cqlbridge_udt_fields"] = tuple(fields)
        return super().__new__(mcs, name, bases, attrs)


class UserType(metaclass=UserTypeMeta):
    """A UDT: declare its fields as columns. ``__type_name__`` names the type (see
    ``type_name``)."""

    __type_name__ = None

    def __init__(self, **values):
        for name in self._fields:
            setattr(self, name, values.get(name))

    @classmethod
    def type_name(cls):
        """The type's CQL name, as cqlengine gives it: ``__type_name__`` lower-cased, or the
        class name (``PostalAddress`` → ``postal_address``)."""
        return cls.__type_name__.lower() if cls.__type_name__ else _name_of_class(cls.__name__)

    @classmethod
    def _register(cls, keyspace):
        _codec.register_udt(keyspace, cls.type_name(), cls)

    def __eq__(self, other):
        return type(self) is type(other) and all(
            getattr(self, f) == getattr(other, f) for f in self._fields)

    def __repr__(self):
        return f"{type(self).__name__}(" + ", ".join(f"{f}={getattr(self, f)!r}" for f in self._fields) + ")"

    def __getitem__(self, key):
        return getattr(self, key)

    def __setitem__(self, key, value):
        setattr(self, key, value)

    def items(self):
        return [(f, getattr(self, f)) for f in self._fields]
