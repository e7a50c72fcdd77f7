"""Schema management, named as in ``cassandra.cqlengine.management``: the core creates
tables, adds missing columns, indexes and options, and never drops anything."""

import warnings
from typing import Dict, List, Optional

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


def _targets(connections, model=None):
    """The connection names a management call runs on."""
    if connections:
        return list(connections)
    return [getattr(model, "__connection__", None)]


def sync_table(model: type, keyspaces: Optional[List[str]] = None,
               connections: Optional[List[str]] = None) -> None:
    """Creates the model's table (and the user types it uses), or adds what is missing:
    columns, indexes, options. A primary-key change raises; a column whose type differs is
    left alone with a warning. Runs in each of `keyspaces` (default: the model's) on each of
    `connections` (default: the model's)."""
    for ks in keyspaces or [None]:
        for name in _targets(connections, model):
            run_sync(sync_table_async(model, keyspace=ks, connection=name))


async def sync_table_async(model: type, keyspace: Optional[str] = None, connection: Optional[str] = None):
    """``sync_table`` for one keyspace and connection, without blocking the event loop."""
    if model.__abstract__:
        raise ValueError(f"{model.__name__} is abstract: it has no table")
    ks = keyspace or model._keyspace()
    session = _native_session(connection or model.__connection__)
    seen = set()
    for col in model._columns.values():
        for ut in _user_types(col):
            if ut not in seen:
                seen.add(ut)
                await sync_type_async(ks, ut, connection=connection or model.__connection__)
    info = await call(session.sync_table, model._native(ks), model=model)
    for w in info.warnings:
        warnings.warn(f"{model.__name__}: {w}")
    return info


def sync_type(ks_name: str, type_model: type, connection: Optional[str] = None) -> None:
    """Creates the user type, or adds its missing fields."""
    run_sync(sync_type_async(ks_name, type_model, connection=connection))


async def sync_type_async(ks_name: str, type_model: type, connection: Optional[str] = None) -> None:
    """``sync_type`` without blocking the event loop."""
    from .._native import TypeField
    if not (isinstance(type_model, type) and issubclass(type_model, UserType)):
        raise TypeError("sync_type takes a UserType subclass")
    fields = [TypeField(name=f.db_field_name, cql_type=f.cql_type()) for f in type_model._fields.values()]
    await call(_native_session(connection).sync_type, ks_name, type_model.type_name(), fields)
    type_model._register(ks_name)


def drop_table(model: type, keyspaces: Optional[List[str]] = None,
               connections: Optional[List[str]] = None) -> None:
    """Drops the model's table (in each of `keyspaces`, on each of `connections`)."""
    for ks in keyspaces or [None]:
        for name in _targets(connections, model):
            run_sync(call(_native_session(name).drop_table, model._native(ks), model=model))


def create_keyspace_simple(name: str, replication_factor: int, durable_writes: bool = True,
                           connections: Optional[List[str]] = None) -> None:
    """Creates a keyspace with SimpleStrategy (if it does not exist)."""
    for conn in _targets(connections):
        run_sync(call(_native_session(conn).create_keyspace_simple, name, replication_factor,
                      bool(durable_writes)))


def create_keyspace_network_topology(name: str, dc_replication_map: Dict[str, int], durable_writes: bool = True,
                                     connections: Optional[List[str]] = None) -> None:
    """Creates a keyspace with NetworkTopologyStrategy (if it does not exist)."""
    for conn in _targets(connections):
        run_sync(call(_native_session(conn).create_keyspace_network_topology, name,
                      dict(dc_replication_map), bool(durable_writes)))


def drop_keyspace(name: str, connections: Optional[List[str]] = None) -> None:
    """Drops a keyspace (if it exists)."""
    for conn in _targets(connections):
        run_sync(call(_native_session(conn).drop_keyspace, name))
