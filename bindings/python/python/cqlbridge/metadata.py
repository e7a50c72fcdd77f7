"""Cluster metadata, named as in ``cassandra.metadata``: hosts, keyspaces, tables and their
columns. Read from the core's view of the cluster when asked (connect a session first)."""

from collections import OrderedDict

__all__ = ["Metadata", "Host", "KeyspaceMetadata", "TableMetadata", "ColumnMetadata"]


class Host:
    """A node of the cluster."""

    def __init__(self, info):
        self.host_id = info.host_id
        self.endpoint = info.address
        self.address = info.address.rsplit(":", 1)[0].strip("[]")
        self.datacenter = info.datacenter
        self.rack = info.rack
        self.is_up = info.up

    def __repr__(self):
        return f"<Host: {self.endpoint} {self.datacenter}>"


class ColumnMetadata:
    """A column: its name, CQL type and role in the key."""

    def __init__(self, table, info):
        self.table = table
        self.name = info.name
        self.cql_type = info.cql_type
        self.kind = info.kind
        self.is_static = info.kind == "static"


class TableMetadata:
    """A table: columns, partition key and clustering key."""

    def __init__(self, keyspace, info):
        self.keyspace_name = info.keyspace
        self.keyspace = keyspace
        self.name = info.name
        self.columns = OrderedDict((c.name, ColumnMetadata(self, c)) for c in info.columns)
        self.partition_key = [self.columns[n] for n in info.partition_key]
        self.clustering_key = [self.columns[n] for n in info.clustering_key]
        self.primary_key = self.partition_key + self.clustering_key


class KeyspaceMetadata:
    """A keyspace and its tables."""

    def __init__(self, name, tables):
        self.name = name
        self.tables = {t.name: TableMetadata(self, t) for t in tables}


class Metadata:
    """What the driver knows of the cluster, read through a connected session."""

    def __init__(self, cluster):
        self._cluster = cluster

    def _native(self):
        session = self._cluster._any_session()
        if session is None:
            from . import DriverException
            raise DriverException("connect a session before reading the cluster's metadata")
        return session._native

    def all_hosts(self):
        """Every node the driver knows."""
        return [Host(h) for h in self._native().hosts()]

    @property
    def keyspaces(self):
        """Keyspaces by name."""
        native = self._native()
        return {name: KeyspaceMetadata(name, native.tables(name)) for name in native.keyspace_names()}

    def refresh(self):
        """Reads the schema and topology again."""
        from ._dispatch import run_sync
        run_sync(self._native().refresh_metadata())
