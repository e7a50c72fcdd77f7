"""The mapper's connections, named as in ``cassandra.cqlengine.connection``: one default
connection (``setup``) and any number of named ones (``register_connection``), chosen per
model (``__connection__``), per query (``Model.objects.using(connection=...)``), per batch
(``BatchQuery(connection=...)``) and per management call (``connections=[...]``)."""

from typing import Any, Dict, List, Optional

from ..cluster import Cluster, Session
from . import CQLEngineException

__all__ = [
    "setup", "set_session", "get_session", "get_cluster", "register_connection",
    "unregister_connection", "set_default_connection", "default", "DEFAULT_CONNECTION",
]

#: The name the default connection is registered under.
DEFAULT_CONNECTION = "_default_"

#: The default connection's cluster and session (kept in step, as in cqlengine).
cluster: Optional[Cluster] = None
session: Optional[Session] = None
#: The keyspace of models that name none.
default_keyspace: Optional[str] = None
#: The default connection's consistency level, if set.
default_consistency: Optional[int] = None


class Connection:
    """A registered connection: its cluster and session, and whether the mapper made them
    (and so shuts them down when the connection is unregistered)."""

    def __init__(self, name: str, cluster: Optional[Cluster], session: Session, owned: bool):
        self.name = name
        self.cluster = cluster
        self.session = session
        self.owned = owned


_connections: Dict[str, Connection] = {}


def register_connection(name: str, hosts: Optional[List[str]] = None, consistency: Optional[int] = None,
                        lazy_connect: bool = False, retry_connect: bool = False,
                        cluster_options: Optional[Dict[str, Any]] = None, default: bool = False,
                        session: Optional[Session] = None) -> Connection:
    """Registers a connection under `name`: an existing `session`, or a new one to `hosts`
    (``cluster_options`` go to ``Cluster``). ``default=True`` also makes it the default."""
    if name in _connections:
        raise CQLEngineException(f"a connection named {name!r} is already registered")
    if session is not None:
        if hosts or cluster_options:
            raise CQLEngineException("give either a session or hosts and cluster options, not both")
        conn = Connection(name, session.cluster, session, owned=False)
    else:
        c = Cluster(hosts or ["127.0.0.1"], **(cluster_options or {}))
        try:
            s = c.connect()
        except BaseException:
            c.shutdown()
            raise
        conn = Connection(name, c, s, owned=True)
    if consistency is not None:
        conn.session.default_consistency_level = consistency
    _connections[name] = conn
    if default:
        set_default_connection(name)
    return conn


def unregister_connection(name: Optional[str] = None) -> None:
    """Forgets a connection (the default one when `name` is None), shutting down the
    cluster the mapper made for it."""
    global cluster, session
    name = DEFAULT_CONNECTION if name is None else name
    conn = _connections.pop(name, None)
    if conn is None:
        return
    if _connections.get(DEFAULT_CONNECTION) is conn:
        del _connections[DEFAULT_CONNECTION]
    if conn.owned and conn.cluster is not None and conn not in _connections.values():
        conn.cluster.shutdown()
    if session is conn.session and DEFAULT_CONNECTION not in _connections:
        cluster = session = None


def set_default_connection(name: str) -> None:
    """Makes the connection registered as `name` the default one."""
    global cluster, session
    conn = _get(name)
    _connections[DEFAULT_CONNECTION] = conn
    cluster, session = conn.cluster, conn.session


def setup(hosts: List[str], default_keyspace: Optional[str] = None, consistency: Optional[int] = None,
          lazy_connect: bool = False, retry_connect: bool = False, **kwargs: Any) -> None:
    """Connects the default connection to `hosts` (extra keyword arguments go to
    ``Cluster``)."""
    global default_consistency
    globals()["default_keyspace"] = default_keyspace
    default_consistency = consistency
    unregister_connection(DEFAULT_CONNECTION)
    register_connection(DEFAULT_CONNECTION, hosts, consistency=consistency, cluster_options=kwargs,
                        default=True)


def set_session(s: Session) -> None:
    """Uses an existing Session as the default connection."""
    unregister_connection(DEFAULT_CONNECTION)
    register_connection(DEFAULT_CONNECTION, session=s, default=True)


def _get(name: Optional[str]) -> Connection:
    key = DEFAULT_CONNECTION if name is None else name
    conn = _connections.get(key)
    if conn is None:
        if name is None:
            raise CQLEngineException("cqlengine is not connected: call connection.setup() or set_session()")
        raise CQLEngineException(f"no connection named {name!r} (register_connection first)")
    return conn


def get_session(connection: Optional[str] = None) -> Session:
    """The session of a connection (the default one when `connection` is None)."""
    return _get(connection).session


def get_cluster(connection: Optional[str] = None) -> Optional[Cluster]:
    """The cluster of a connection (the default one when `connection` is None)."""
    return _get(connection).cluster


def default() -> None:
    """Connects the default connection to 127.0.0.1 with no default keyspace."""
    setup(["127.0.0.1"])
