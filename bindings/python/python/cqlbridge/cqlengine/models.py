"""Models, named as in ``cassandra.cqlengine.models``: a class whose column attributes
describe a table. The class becomes the core's model schema; the core does the rest."""

import copy
import datetime
import decimal
import uuid
from typing import Any, ClassVar, List, Optional, Type, TypeVar

from .. import _codec
from .._dispatch import run_queued
from .._native import Model as _NativeModel, ModelColumn, ModelDef, ModelDefault, ModelSubtype
from .._native import ModelWrite, TableOption
from . import CQLEngineException, ValidationError, _name_of_class
from . import columns as _columns
from . import connection
from .query import (
    ColumnQueryEvaluator, DoesNotExist as _DoesNotExist, ModelQuerySet,
    MultipleObjectsReturned as _MultipleObjectsReturned, conditions_from, queued, write_options,
    _native_session,
)

# Values that cannot change in place: a snapshot shares them instead of copying them.
_IMMUTABLE = (str, int, float, bool, bytes, type(None), uuid.UUID, datetime.datetime, datetime.date,
              datetime.time, decimal.Decimal)


def _snapshot(values):
    """A copy of a model's values to compare later writes against: collections and other
    mutable values deep-copied, immutable ones shared (cheaper than one deepcopy of all)."""
    return {k: v if isinstance(v, _IMMUTABLE) else copy.deepcopy(v) for k, v in values.items()}


__all__ = ["Model", "BaseModel", "ModelException", "ModelDefinitionException",
           "PolymorphicModelException", "columns"]

columns = _columns

M = TypeVar("M", bound="BaseModel")


class ModelException(CQLEngineException):
    """A model is used in a way it cannot be."""


class ModelDefinitionException(ModelException):
    """A model class is not valid."""


class PolymorphicModelException(ModelException):
    """A polymorphic model is used in a way it cannot be (saving the base model)."""


class hybrid_method:
    """A method that works on the class (returning a configured query or writer) and on
    instances (configuring the instance)."""

    def __init__(self, class_fn, instance_fn):
        self.class_fn = class_fn
        self.instance_fn = instance_fn

    def __get__(self, instance, owner):
        if instance is None:
            return self.class_fn.__get__(None, owner)
        return self.instance_fn.__get__(instance, owner)


class _QuerySetDescriptor:
    def __get__(self, instance, owner):
        if owner.__abstract__:
            raise CQLEngineException(f"{owner.__name__} is abstract: query a concrete model")
        return ModelQuerySet(owner)


class _ColumnDescriptor:
    def __init__(self, column):
        self.column = column

    def __get__(self, instance, owner):
        if instance is None:
            return ColumnQueryEvaluator(self.column)
        return instance._values.get(self.column.column_name)

    def __set__(self, instance, value):
        instance._values[self.column.column_name] = value


class _Writer:
    """Write options chosen on the class (``Model.ttl(60).create(...)``)."""

    def __init__(self, model, **options):
        self.model = model
        self.options = options

    def _with(self, **options):
        return _Writer(self.model, **{**self.options, **options})

    def ttl(self, ttl):
        return self._with(_ttl=ttl)

    def timestamp(self, timestamp):
        return self._with(_timestamp=timestamp)

    def consistency(self, consistency):
        return self._with(_consistency=consistency)

    def timeout(self, timeout):
        return self._with(_timeout=timeout)

    def if_not_exists(self):
        return self._with(_if_not_exists=True)

    def if_exists(self):
        return self._with(_if_exists=True)

    def iff(self, **kwargs):
        return self._with(_conditions=self.options.get("_conditions", []) + conditions_from(self.model, kwargs))

    def batch(self, batch):
        return self._with(_batch=batch)

    def create(self, **values):
        obj = self.model(**values)
        obj.__dict__.update(self.options)
        return obj.save()

    async def create_async(self, **values):
        obj = self.model(**values)
        obj.__dict__.update(self.options)
        return await obj.save_async()

    def __getattr__(self, name):  # filter, get, objects... use the options of a query set
        qs = ModelQuerySet(self.model)
        for opt in ("ttl", "timestamp", "consistency", "timeout", "batch"):
            if "_" + opt in self.options:
                qs = getattr(qs, opt)(self.options["_" + opt])
        if self.options.get("_if_exists"):
            qs = qs.if_exists()
        if self.options.get("_conditions"):
            qs = qs._clone(_conditions=list(self.options["_conditions"]))
        return getattr(qs, name)


class ModelMetaClass(type):
    def __new__(mcs, name, bases, attrs):
        abstract = attrs.get("__abstract__", False)
        attrs["__abstract__"] = abstract
        inherited = {}
        poly_base = None
        for base in bases:
            for k, col in getattr(base, "_columns", {}).items():
                inherited.setdefault(k, copy.copy(col))
            if getattr(base, "_discriminator_column_name", None) and not getattr(base, "__abstract__", True):
                poly_base = getattr(base, "_polymorphic_base", None) or base
        own = sorted(((k, v) for k, v in attrs.items() if isinstance(v, _columns.Column)),
                     key=lambda kv: kv[1].position)
        cols = dict(inherited)
        for k, col in own:
            col.column_name = k
            cols[k] = col
        for k, col in cols.items():
            col.column_name = k
            attrs[k] = _ColumnDescriptor(col)
        pks = [k for k, c in cols.items() if c.primary_key]
        partition = [k for k, c in cols.items() if c.partition_key]
        if not partition and pks:
            partition = [pks[0]]
        attrs["_columns"] = cols
        attrs["_primary_keys"] = pks
        attrs["_partition_keys"] = partition
        attrs["_clustering_keys"] = [k for k in pks if k not in partition]
        discriminators = [k for k, c in cols.items() if c.discriminator_column]
        if len(discriminators) > 1:
            raise ModelDefinitionException(f"{name} has more than one discriminator column")
        attrs["_discriminator_column_name"] = discriminators[0] if discriminators else None
        attrs["_polymorphic_base"] = poly_base
        attrs["_native_by_keyspace"] = {}
        attrs["objects"] = _QuerySetDescriptor()
        cls = super().__new__(mcs, name, bases, attrs)
        if not abstract and name != "Model":
            if not pks:
                raise ModelDefinitionException(f"{name} has no primary key")
            parent = next((b for b in bases if hasattr(b, "DoesNotExist")), None)
            cls.DoesNotExist = type("DoesNotExist", (parent.DoesNotExist if parent else _DoesNotExist,), {})
            cls.MultipleObjectsReturned = type(
                "MultipleObjectsReturned",
                (parent.MultipleObjectsReturned if parent else _MultipleObjectsReturned,), {})
            cls._subtypes = {}
            if poly_base is not None:
                value = attrs.get("__discriminator_value__")
                if value is None:
                    raise ModelDefinitionException(f"{name} extends the polymorphic {poly_base.__name__}: "
                                                   "give it a __discriminator_value__")
                poly_base._subtypes[value] = cls
                poly_base._native_by_keyspace.clear()
        else:
            cls.DoesNotExist = _DoesNotExist
            cls.MultipleObjectsReturned = _MultipleObjectsReturned
        return cls


class BaseModel:
    """The base of models: declare columns as class attributes. Class options:
    ``__table_name__`` (lower-cased unless ``__table_name_case_sensitive__``; without it, the
    class name as cqlengine derives it: ``UserVisits`` → ``user_visits``), ``__keyspace__``,
    ``__options__`` (table options), ``__abstract__``, ``__discriminator_value__``
    (polymorphism), ``__default_ttl__``, ``__connection__`` (a connection name from
    ``connection.register_connection``; the default one when None)."""

    #: The model's queries (set on each model class by its metaclass).
    objects: ClassVar[ModelQuerySet]

    __abstract__ = True
    __connection__ = None
    __table_name__ = None
    __table_name_case_sensitive__ = False
    __keyspace__ = None
    __options__ = None
    __default_ttl__ = None
    __discriminator_value__ = None

    def __init__(self, **values):
        self._values = {}
        unknown = set(values) - set(self._columns)
        if unknown:
            raise ValidationError(f"{type(self).__name__} has no column {sorted(unknown)[0]!r}")
        for name, col in self._columns.items():
            value = values.get(name)
            if value is None and col.has_default:
                value = col.get_default()
            self._values[name] = value
        disc = self._discriminator_column_name
        if disc is not None and self.__discriminator_value__ is not None and self._values.get(disc) is None:
            self._values[disc] = self.__discriminator_value__
        self._persisted = None  # the values as stored, once read or written
        self._ttl = self.__default_ttl__
        self._timestamp = None
        self._consistency = None
        self._timeout = None
        self._if_not_exists = False
        self._if_exists = False
        self._conditions = []
        self._batch = None

    # -- the schema for the core

    @classmethod
    def column_family_name(cls, include_keyspace: bool = True) -> str:
        """The table's name, ``keyspace.table`` unless `include_keyspace` is False."""
        table = cls._table()
        ks = cls._keyspace()
        return f"{ks}.{table}" if include_keyspace and ks else table

    @classmethod
    def _table(cls):
        base = cls._polymorphic_base
        if base is not None:
            return base._table()
        name = cls.__table_name__
        if not name:
            return _name_of_class(cls.__name__)
        # As cqlengine: lower-cased unless declared case-sensitive.
        return name if cls.__table_name_case_sensitive__ else name.lower()

    @classmethod
    def _keyspace(cls):
        return cls.__keyspace__ or connection.default_keyspace

    @classmethod
    def _native(cls, keyspace=None):
        ks = keyspace or cls._keyspace()
        native = cls._native_by_keyspace.get(ks)
        if native is None:
            native = _NativeModel(cls._definition(ks))
            cls._native_by_keyspace[ks] = native
        return native

    @classmethod
    def _definition(cls, keyspace):
        cols = []
        clustering = set(cls._clustering_keys)
        for name, c in cls._columns.items():
            if name in cls._partition_keys:
                key = 1
            elif name in clustering:
                key = 3 if (c.clustering_order or "").upper() == "DESC" else 2
            else:
                key = 0
            cols.append(ModelColumn(
                name=name, db_field=c.db_field, cql_type=c.cql_type(), key=key,
                is_static=c.static, index=c.index, default=_native_default(c), required=c.required,
                min_length=getattr(c, "min_length", None), max_length=getattr(c, "max_length", None),
                discriminator=c.discriminator_column,
            ))
        base = cls._polymorphic_base or (cls if cls._discriminator_column_name else None)
        subtypes = []
        if base is not None:
            subtypes = [ModelSubtype(value=_codec.pack_value(v), model=sub.__name__)
                        for v, sub in base._subtypes.items()]
        value = cls.__discriminator_value__
        return ModelDef(
            name=cls.__name__, keyspace=keyspace, table=cls._table(), columns=cols,
            options={k: _option(v) for k, v in (cls.__options__ or {}).items()},
            default_ttl=cls.__default_ttl__,
            discriminator_column=cls._discriminator_column_name,
            discriminator_value=None if value is None else _codec.pack_value(value),
            subtypes=subtypes,
        )

    @classmethod
    def _from_row(cls, model_name, values):
        klass = cls
        if model_name != cls.__name__:
            base = cls._polymorphic_base or cls
            klass = next((s for s in base._subtypes.values() if s.__name__ == model_name), cls)
        obj = klass.__new__(klass)
        BaseModel.__init__(obj)
        for name, value in values.items():
            col = klass._columns.get(name)
            obj._values[name] = col.to_python(value) if col is not None else value
        obj._persisted = _snapshot(obj._values)
        return obj

    # -- querying (class level)

    @classmethod
    def filter(cls, *args: Any, **kwargs: Any) -> ModelQuerySet:
        """A query with these filters (see ``ModelQuerySet.filter``)."""
        return cls.objects.filter(*args, **kwargs)

    @classmethod
    def all(cls) -> ModelQuerySet:
        """A query over every row."""
        return cls.objects.all()

    @classmethod
    def using(cls, connection: Optional[str] = None, keyspace: Optional[str] = None) -> ModelQuerySet:
        """A query on a named connection and/or in another keyspace."""
        return cls.objects.using(connection=connection, keyspace=keyspace)

    @classmethod
    def get(cls: Type[M], *args: Any, **kwargs: Any) -> M:
        """Exactly one row: ``cls.DoesNotExist`` when none."""
        return cls.objects.get(*args, **kwargs)

    @classmethod
    async def get_async(cls: Type[M], *args: Any, **kwargs: Any) -> M:
        """``get`` without blocking the event loop."""
        return await cls.objects.get_async(*args, **kwargs)

    @classmethod
    def create(cls: Type[M], **values: Any) -> M:
        """Validates, fills defaults and inserts a row; returns the instance."""
        return cls(**values).save()

    @classmethod
    async def create_async(cls: Type[M], **values: Any) -> M:
        """``create`` without blocking the event loop."""
        return await cls(**values).save_async()

    # -- write options (class: a writer; instance: the instance)

    def _inst_opt(self, **kw):
        self.__dict__.update(kw)
        return self

    ttl = hybrid_method(classmethod(lambda cls, ttl: _Writer(cls, _ttl=ttl)),
                        lambda self, ttl: self._inst_opt(_ttl=ttl))
    timestamp = hybrid_method(classmethod(lambda cls, ts: _Writer(cls, _timestamp=ts)),
                              lambda self, ts: self._inst_opt(_timestamp=ts))
    consistency = hybrid_method(classmethod(lambda cls, cl: _Writer(cls, _consistency=cl)),
                                lambda self, cl: self._inst_opt(_consistency=cl))
    timeout = hybrid_method(classmethod(lambda cls, t: _Writer(cls, _timeout=t)),
                            lambda self, t: self._inst_opt(_timeout=t))
    if_not_exists = hybrid_method(classmethod(lambda cls: _Writer(cls, _if_not_exists=True)),
                                  lambda self: self._inst_opt(_if_not_exists=True))
    if_exists = hybrid_method(classmethod(lambda cls: _Writer(cls, _if_exists=True)),
                              lambda self: self._inst_opt(_if_exists=True))
    batch = hybrid_method(classmethod(lambda cls, b: _Writer(cls, _batch=b)),
                          lambda self, b: self._inst_opt(_batch=b))
    iff = hybrid_method(classmethod(lambda cls, **kw: _Writer(cls, _conditions=conditions_from(cls, kw))),
                        lambda self, **kw: self._inst_opt(_conditions=self._conditions + conditions_from(type(self), kw)))

    # -- instances

    def validate(self) -> None:
        """Checks every column (override to add model-level rules; raise ValidationError)."""
        for name, col in self._columns.items():
            self._values[name] = col.validate(self._values.get(name))

    def _check_writable(self):
        if self._discriminator_column_name and self.__discriminator_value__ is None:
            raise PolymorphicModelException(f"{type(self).__name__} is a polymorphic base model: "
                                            "save one of its subtypes")

    def _options(self):
        return write_options(ttl=self._ttl, timestamp=self._timestamp, consistency=self._consistency,
                             timeout=self._timeout, if_not_exists=self._if_not_exists,
                             if_exists=self._if_exists, conditions=self._conditions)

    def _packed(self, values):
        return _codec.pack_named([(k, v) for k, v in values.items()])

    def save(self: M) -> M:
        """Inserts a new row, or writes what changed since it was read (collections as
        element operations)."""
        return run_queued(self.save_async())

    async def save_async(self: M) -> M:
        """``save`` without blocking the event loop."""
        self._check_writable()
        self.validate()
        native = type(self)._native()
        options = self._options()
        current = {k: v for k, v in self._values.items()}
        if self._persisted is None:
            if self._batch is not None:
                self._batch._add(ModelWrite(kind=0, model=native, values=self._packed(current), original=b"",
                                            key=b"", changes=b"", columns=[], options=options))
            else:
                row = await queued(_native_session(self.__connection__), native, _codec.model_write_request(
                    _codec.MODEL_CREATE, options, self._packed(current)), model=type(self))
                _, stored = _codec.unpack_model_row(row)
                for name, value in stored.items():
                    if name in self._columns:
                        self._values[name] = self._columns[name].to_python(value)
        else:
            original = self._packed(self._persisted)
            if self._batch is not None:
                self._batch._add(ModelWrite(kind=1, model=native, values=self._packed(current), original=original,
                                            key=b"", changes=b"", columns=[], options=options))
            else:
                await queued(_native_session(self.__connection__), native, _codec.model_write_request(
                    _codec.MODEL_SAVE, options, original, self._packed(current)), model=type(self))
        self._persisted = _snapshot(self._values)
        self._reset_write_options()
        return self

    def _reset_write_options(self):
        self._timestamp = None
        self._if_not_exists = False
        self._if_exists = False
        self._conditions = []
        self._batch = None
        self._ttl = self.__default_ttl__

    def update(self: M, **values: Any) -> M:
        """Sets these values and saves what changed."""
        for name, value in values.items():
            if name not in self._columns:
                raise ValidationError(f"{type(self).__name__} has no column {name!r}")
            if name in self._primary_keys and value != self._values.get(name):
                raise ValidationError(f"cannot change the primary key column {name}")
            self._values[name] = value
        if self._persisted is None:
            self._persisted = {k: v for k, v in self._values.items() if k in self._primary_keys}
        return self.save()

    def delete(self) -> None:
        """Deletes this row."""
        return run_queued(self.delete_async())

    async def delete_async(self) -> None:
        """``delete`` without blocking the event loop."""
        self._check_writable()
        key = _codec.pack_named([(k, self._values.get(k)) for k in self._primary_keys])
        native = type(self)._native()
        if self._batch is not None:
            self._batch._add(ModelWrite(kind=3, model=native, values=b"", original=b"", key=key,
                                        changes=b"", columns=[], options=self._options()))
        else:
            await queued(_native_session(self.__connection__), native, _codec.model_write_request(
                _codec.MODEL_DELETE, self._options(), key), model=type(self))
        self._reset_write_options()

    def get_changed_columns(self) -> List[str]:
        """The attributes changed since the row was read or written."""
        if self._persisted is None:
            return [k for k, v in self._values.items() if v is not None]
        return [k for k, v in self._values.items() if self._persisted.get(k) != v]

    def __getitem__(self, key):
        if key not in self._columns:
            raise KeyError(key)
        return self._values.get(key)

    def __setitem__(self, key, value):
        if key not in self._columns:
            raise KeyError(key)
        self._values[key] = value

    def keys(self):
        return list(self._columns)

    def values(self):
        return [self._values.get(k) for k in self._columns]

    def items(self):
        return [(k, self._values.get(k)) for k in self._columns]

    def __iter__(self):
        return iter(self._columns)

    def __len__(self):
        return len(self._columns)

    @property
    def pk(self):
        return self._values.get(self._primary_keys[0])

    def __eq__(self, other):
        return type(self) is type(other) and self._values == other._values

    def __hash__(self):
        return hash(tuple(self._values.get(k) for k in self._primary_keys))

    def __repr__(self):
        keys = ", ".join(f"{k}={self._values.get(k)!r}" for k in self._primary_keys)
        return f"{type(self).__name__} <{keys}>"


class Model(BaseModel, metaclass=ModelMetaClass):
    """Subclass it and declare columns to map a table."""

    __abstract__ = True


def _native_default(col):
    d = col.default
    if d is None:
        return None
    if callable(d):
        kind = _columns._GENERATED.get(d)
        if kind == "uuid4":
            return ModelDefault.UUID4()
        if kind == "timeuuid":
            return ModelDefault.TIME_UUID()
        if kind == "now":
            return ModelDefault.NOW()
        return None  # a Python callable: applied when the instance is made
    try:
        return ModelDefault.VALUE(value=_codec.pack_value(d))
    except TypeError:
        return None


def _option(v):
    if isinstance(v, bool):
        return TableOption.TEXT(value="true" if v else "false")
    if isinstance(v, int):
        return TableOption.INT(value=v)
    if isinstance(v, float):
        return TableOption.FLOAT(value=v)
    if isinstance(v, dict):
        return TableOption.MAP(entries={str(k): str(x) for k, x in v.items()})
    return TableOption.TEXT(value=str(v))

