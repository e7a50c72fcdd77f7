"""Code written for the DataStax driver runs after changing only the import prefix: each
program below is DataStax-driver code verbatim; the test rewrites ``cassandra`` to
``cqlbridge`` in its imports and runs it against the real node."""

import re
import textwrap

from conftest import contact_points

SENSORS = '''
import datetime, threading, uuid
from cassandra.cluster import Cluster
from cassandra.concurrent import execute_concurrent_with_args
from cassandra.policies import DCAwareRoundRobinPolicy, TokenAwarePolicy
from cassandra.query import BatchStatement, SimpleStatement
from cassandra import ConsistencyLevel

cluster = Cluster(CONTACT_POINTS, load_balancing_policy=TokenAwarePolicy(DCAwareRoundRobinPolicy()))
session = cluster.connect()
session.execute("CREATE KEYSPACE IF NOT EXISTS compat WITH replication = "
                "{'class': 'SimpleStrategy', 'replication_factor': 1}")
session.set_keyspace("compat")
session.execute("CREATE TABLE IF NOT EXISTS sensor (sensor_id uuid PRIMARY KEY, name text, created_at timestamp)")
session.execute("CREATE TABLE IF NOT EXISTS sensor_data (sensor_id uuid, created_at timestamp, "
                "reading double, PRIMARY KEY (sensor_id, created_at)) WITH CLUSTERING ORDER BY (created_at DESC)")
insert = session.prepare("INSERT INTO sensor (sensor_id, name, created_at) VALUES (?, ?, ?)")
acked = []
done = threading.Event()

def on_insert(response, sensor_id):
    acked.append(sensor_id)
    if len(acked) == 10:
        done.set()

ids = [uuid.uuid4() for _ in range(10)]
for n, sensor_id in enumerate(ids):
    future = session.execute_async(insert, (sensor_id, "sensor %d" % n, datetime.datetime.utcnow()))
    future.add_callback(on_insert, sensor_id)
done.wait(30)

reading = session.prepare("INSERT INTO sensor_data (sensor_id, created_at, reading) VALUES (?, ?, ?)")
batch = BatchStatement(consistency_level=ConsistencyLevel.LOCAL_QUORUM)
for i, sensor_id in enumerate(ids[:3]):
    batch.add(reading, (sensor_id, datetime.datetime(2024, 1, 1), float(i)))
session.execute(batch)
latest = session.prepare("SELECT * FROM sensor_data WHERE sensor_id=? ORDER BY created_at DESC LIMIT 1")
results = execute_concurrent_with_args(session, latest, [(s,) for s in ids[:3]])
readings = [result.one().reading for (success, result) in results]
count = session.execute(SimpleStatement("SELECT count(*) FROM sensor", fetch_size=5)).one()[0]
cluster.shutdown()
'''

MODELS = '''
import uuid
from cassandra.cqlengine import columns, connection
from cassandra.cqlengine.management import sync_table, create_keyspace_simple
from cassandra.cqlengine.models import Model
from cassandra.cqlengine.query import BatchQuery, LWTException

connection.setup(CONTACT_POINTS, "compat_models")
create_keyspace_simple("compat_models", 1)

class User(Model):
    name = columns.Text(primary_key=True)
    twitter = columns.Text()
    email = columns.Text()

class TwitterToUser(Model):
    twitter = columns.Text(primary_key=True)
    name = columns.Text()

sync_table(User)
sync_table(TwitterToUser)
with BatchQuery() as b:
    User.batch(b).create(name="jon", twitter="@jon", email="jon@example.com")
    TwitterToUser.batch(b).create(twitter="@jon", name="jon")
try:
    User.if_not_exists().create(name="jon", twitter="@other")
    lwt = "applied"
except LWTException as e:
    lwt = e.existing["twitter"]
try:
    User.get(name="nobody")
    missing = False
except User.DoesNotExist:
    missing = True
found = TwitterToUser.get(twitter="@jon").name
connection.unregister_connection()
'''


def run_as_cqlbridge(program):
    source = re.sub(r"^(\s*)(from|import) cassandra\b", r"\1\2 cqlbridge", textwrap.dedent(program), flags=re.M)
    assert "cassandra" not in "\n".join(l for l in source.splitlines() if l.lstrip().startswith(("from", "import")))
    scope = {"CONTACT_POINTS": contact_points()}
    exec(compile(source, "<datastax program>", "exec"), scope)
    return scope


def test_sensor_program_with_callbacks_batches_and_concurrency():
    scope = run_as_cqlbridge(SENSORS)
    assert sorted(scope["acked"]) == sorted(scope["ids"])
    assert scope["readings"] == [0.0, 1.0, 2.0]
    assert scope["count"] >= 10


def test_model_program_with_a_batch_lwt_and_does_not_exist():
    scope = run_as_cqlbridge(MODELS)
    assert scope["lwt"] == "@jon"
    assert scope["missing"] is True
    assert scope["found"] == "jon"
