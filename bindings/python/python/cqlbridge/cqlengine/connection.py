"""The mapper's default connection, named as in ``cassandra.cqlengine.connection``."""

from ..cluster import Cluster
from . import CQLEngineException

cluster = None
session = None
default_keyspace = None
default_consistency = None


def setup(hosts, default_keyspace=None, consistency=None, lazy_connect=False,
          retry_connect=False, **kwargs):
    """Connects the mapper to `hosts` (extra keyword arguments go to ``Cluster``)."""
    global cluster, session, default_consistency
    globals()["default_keyspace"] = default_keyspace
    default_consistency = consistency
    cluster = Cluster(hosts, **kwargs)
    session = cluster.connect()
    if consistency is not None:
        session.default_consistency_level = consistency


def set_session(s):
    """Uses an existing Session for the mapper."""
    global cluster, session
    session = s
    cluster = s.cluster


def get_session(connection=None):
    """The mapper's session (raises when ``setup`` was not called)."""
    if session is None:
        raise CQLEngineException("cqlengine is not connected: call connection.setup() or set_session()")
    return session


def get_cluster(connection=None):
    """The mapper's cluster."""
    get_session()
    return cluster


def unregister_connection(name=None):
    """Forgets the mapper's connection (shutting the cluster down)."""
    global cluster, session
    if cluster is not None:
        cluster.shutdown()
    cluster = session = None


def default():
    """Connects to 127.0.0.1 with no default keyspace."""
    setup(["127.0.0.1"])
