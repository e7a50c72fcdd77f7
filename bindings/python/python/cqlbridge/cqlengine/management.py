"""Schema management, named as in ``cassandra.cqlengine.management``: the core creates
tables, adds missing columns, indexes and options, and never drops anything."""

import warnings

from .._dispatch import run_sync
from . import columns as _columns

from .query import call, _native_session
from .usertype import UserType

__all__ = ["sync_table", "drop_table", "sync_type", "create_keyspace_simple",
           "create_keyspace_network_topology", "drop_keyspace"]


def _user_types(col):
    if isinstance(col, _columns.UserDefinedType):
        yield from _udt_and_nested(col.user_type)
    for attr in ("value_col", "key_col"):
        inner = getattr(col, attr, None)
        if inner is not None:
            yield from _user_types(inner)
    for inner in getattr(col, "types", ()):
        yield from _user_types(inner)


def _udt_and_nested(user_type):
    for field in user_type._fields.values():
        yield from _user_types(field)
    yield user_type


def sync_table(model, keyspaces=None, connections=None):
    """Creates the model's table (and the user types it uses), or adds what is missing:
    columns, indexes, options. A primary-key change raises; a column whose type differs is
    left alone with a warning."""
    run_sync(sync_table_async(model))


async def sync_table_async(model):
    if model.__abstract__:
        raise ValueError(f"{model.__name__} is abstract: it has no table")
    ks = model._keyspace()
    seen = set()
    for col in model._columns.values():
        for ut in _user_types(col):
            if ut not in seen:
                seen.add(ut)
                await sync_type_async(ks, ut)
    info = await call(_native_session().sync_table, model._native(), model=model)
    for w in info.warnings:
        warnings.warn(f"{model.__name__}: {w}")
    return info


def sync_type(ks_name, type_model, connection=None):
    """Creates the user type, or adds its missing fields."""
    run_sync(sync_type_async(ks_name, type_model))


async def sync_type_async(ks_name, type_model):
    from .._native import TypeField
    if not (isinstance(type_model, type) and issubclass(type_model, UserType)):
        raise TypeError("sync_type takes a UserType subclass")
    fields = [TypeField(name=f.db_field_name, cql_type=f.cql_type()) for f in type_model._fields.values()]
    await call(_native_session().sync_type, ks_name, type_model.type_name(), fields)
    type_model._register(ks_name)


def drop_table(model, keyspaces=None, connections=None):
    """Drops the model's table."""
    run_sync(call(_native_session().drop_table, model._native(), model=model))


def create_keyspace_simple(name, replication_factor, durable_writes=True, connections=None):
    """Creates a keyspace with SimpleStrategy (if it does not exist)."""
    run_sync(call(_native_session().create_keyspace_simple, name, replication_factor))


def create_keyspace_network_topology(name, dc_replication_map, durable_writes=True, connections=None):
    """Creates a keyspace with NetworkTopologyStrategy (if it does not exist)."""
    run_sync(call(_native_session().create_keyspace_network_topology, name, dict(dc_replication_map)))


def drop_keyspace(name, connections=None):
    """Drops a keyspace (if it exists)."""
    run_sync(call(_native_session().drop_keyspace, name))


