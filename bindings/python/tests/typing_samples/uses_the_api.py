import uuid
from cqlbridge.cluster import Cluster
from cqlbridge.query import SimpleStatement
from cqlbridge.concurrent import execute_concurrent_with_args
from cqlbridge.cqlengine import columns, connection
from cqlbridge.cqlengine.models import Model
from cqlbridge.cqlengine.management import sync_table, create_keyspace_simple
from cqlbridge.cqlengine.query import BatchQuery
from cqlbridge.cqlengine.functions import Token

class User(Model):
    name = columns.Text(primary_key=True)
    email = columns.Text()

def work() -> None:
    cluster = Cluster(["127.0.0.1"])
    session = cluster.connect("ks")
    rs = session.execute(SimpleStatement("SELECT * FROM t WHERE k = %s"), (1,))
    row = rs.one()
    fut = session.execute_async("SELECT 1")
    fut.add_callback(print)
    ok = execute_concurrent_with_args(session, "INSERT INTO t (k) VALUES (%s)", [(1,), (2,)])
    connection.setup(["127.0.0.1"], default_keyspace="ks")
    create_keyspace_simple("ks", 1, durable_writes=False)
    sync_table(User)
    u: User = User.create(name="a", email="b")
    u2: User = User.get(name="a")
    n: int = User.objects.filter(User.name == "a").limit(3).count()
    with BatchQuery() as b:
        User.batch(b).create(name="c")
    list(User.objects.filter(pk__token__gt=Token("a")))
