"""The seed walkthrough (shared/notes/walkthrough.md) in Python, written as code for the
DataStax driver and cqlengine with the import prefix ``cassandra`` changed to ``cqlbridge``.
Runs against a real local node (CQLB_CONTACT_POINTS, default 127.0.0.1).
"""

import datetime
import os
import threading
import time
import uuid

from cqlbridge import ConsistencyLevel
from cqlbridge.cluster import Cluster, ExecutionProfile, EXEC_PROFILE_DEFAULT
from cqlbridge.concurrent import execute_concurrent_with_args
from cqlbridge.cqlengine import ValidationError, columns, connection
from cqlbridge.cqlengine.management import create_keyspace_simple, sync_table
from cqlbridge.cqlengine.models import Model
from cqlbridge.cqlengine.query import BatchQuery, LWTException
from cqlbridge.policies import (
    DCAwareRoundRobinPolicy, ExponentialReconnectionPolicy, RetryPolicy, TokenAwarePolicy,
)

SENSORS = 10
READINGS_PER_SENSOR = 5


def main():
    # 1. Connect: contact points and policies; the rest of the cluster is discovered.
    contact_points = os.environ.get("CQLB_CONTACT_POINTS", "127.0.0.1").split(",")
    profile = ExecutionProfile(
        load_balancing_policy=TokenAwarePolicy(DCAwareRoundRobinPolicy()),
        retry_policy=RetryPolicy(),
        consistency_level=ConsistencyLevel.LOCAL_ONE,
    )
    cluster = Cluster(
        contact_points,
        execution_profiles={EXEC_PROFILE_DEFAULT: profile},
        reconnection_policy=ExponentialReconnectionPolicy(base_delay=0.05, max_delay=10),
    )
    session = cluster.connect()
    local = session.execute("SELECT cluster_name, release_version FROM system.local").one()
    print(f"1. connected to cluster {local.cluster_name}, Cassandra {local.release_version}, "
          f"{len(cluster.metadata.all_hosts())} node(s)")

    # 2. Execute plain CQL strings (not token-aware).
    session.execute("CREATE KEYSPACE IF NOT EXISTS walkthrough WITH replication = "
                    "{'class': 'SimpleStrategy', 'replication_factor': 1}")
    session.set_keyspace("walkthrough")
    session.execute("CREATE TABLE IF NOT EXISTS sensor "
                    "(sensor_id uuid PRIMARY KEY, name text, created_at timestamp)")
    session.execute("CREATE TABLE IF NOT EXISTS sensor_data (sensor_id uuid, created_at timestamp, "
                    "reading double, PRIMARY KEY (sensor_id, created_at)) "
                    "WITH CLUSTERING ORDER BY (created_at DESC)")
    session.execute("TRUNCATE sensor")
    session.execute("TRUNCATE sensor_data")
    print("2. keyspace 'walkthrough' with tables sensor and sensor_data is ready")

    # 3. Prepare what runs more than once: less server work, no injection, token-aware.
    insert_sensor = session.prepare("INSERT INTO sensor (sensor_id, name, created_at) VALUES (?, ?, ?)")
    insert_reading = session.prepare(
        "INSERT INTO sensor_data (sensor_id, created_at, reading) VALUES (?, ?, ?)")
    print(f"3. prepared {insert_sensor.query_string!r} with markers {insert_sensor.param_names}")

    # 4. Async with callbacks: each callback gets the response and the sensor id.
    stored = []
    all_stored = threading.Event()

    def on_stored(rows, sensor_id):
        stored.append(sensor_id)
        if len(stored) == SENSORS:
            all_stored.set()

    def on_error(exc, sensor_id):
        print(f"   sensor {sensor_id} failed: {exc}")

    sensor_ids = [uuid.uuid4() for _ in range(SENSORS)]
    for n, sensor_id in enumerate(sensor_ids):
        future = session.execute_async(insert_sensor, (sensor_id, f"sensor {n}", datetime.datetime.utcnow()))
        future.add_callbacks(on_stored, on_error, callback_args=(sensor_id,), errback_args=(sensor_id,))
    all_stored.wait(30)
    print(f"4. {len(stored)} of {SENSORS} sensors inserted asynchronously, each acknowledged with its id")
    base = datetime.datetime(2023, 11, 14, 22, 13, 20)
    execute_concurrent_with_args(session, insert_reading, [
        (sensor_id, base + datetime.timedelta(seconds=r), 20.0 + i + r / 10)
        for i, sensor_id in enumerate(sensor_ids) for r in range(READINGS_PER_SENSOR)])

    # 5. Managed concurrency: the latest reading of every sensor.
    latest = session.prepare(
        "SELECT * FROM sensor_data WHERE sensor_id = ? ORDER BY created_at DESC LIMIT 1")
    started = time.monotonic()
    results = execute_concurrent_with_args(session, latest, [(s,) for s in sensor_ids], concurrency=4)
    readings = [result.one().reading for success, result in results if success]
    print(f"5. latest reading of {len(readings)} sensors in {time.monotonic() - started:.3f}s: "
          + ", ".join(str(r) for r in readings))

    # 6. Shown, not told: one multi-partition IN query gathers every partition on a single
    #    coordinator; a failure anywhere fails (and retries) all of it.
    started = time.monotonic()
    rows = session.execute(
        "SELECT sensor_id, created_at, reading FROM sensor_data WHERE sensor_id IN %s",
        [sensor_ids]).all()
    print(f"6. one IN query over {SENSORS} partitions returned {len(rows)} rows in "
          f"{time.monotonic() - started:.3f}s, all gathered by a single coordinator; the "
          "single-partition queries of step 5 are routed by their key and fail or retry one by one")

    cluster.shutdown()
    models(contact_points)

    # 15. Application integration: pre-forking servers connect in each worker, after fork.
    pid = os.fork()
    if pid == 0:
        worker = Cluster(contact_points)
        count = worker.connect("walkthrough").execute("SELECT count(*) FROM sensor").one()[0]
        print(f"15. a forked worker connected on its own and counted {count} sensors")
        worker.shutdown()
        os._exit(0)
    os.waitpid(pid, 0)
    print("done: steps 1-15 of the walkthrough ran against a real node")


# 7. Models: each maps to one table; collections are Python's set, list and dict.
class Message(Model):
    message_id = columns.TimeUUID(primary_key=True, default=uuid.uuid1)
    subject = columns.Text()
    body = columns.Text()
    addressed_to = columns.Set(columns.UUID)


class Photo(Model):
    photo_id = columns.UUID(primary_key=True, default=uuid.uuid4)
    title = columns.Text(max_length=100)
    likes = columns.Map(columns.UUID, columns.Text)


# 8. Clustering keys: the first primary key is the partition key, the rest cluster.
class UsersInGroup(Model):
    group_id = columns.UUID(primary_key=True)
    user_id = columns.UUID(primary_key=True)
    is_admin = columns.Boolean()


class UsersInGroupByState(Model):
    group_id = columns.UUID(partition_key=True)
    state = columns.Text(partition_key=True)
    user_id = columns.UUID(primary_key=True)
    is_admin = columns.Boolean(default=False)


# 11. Two tables kept consistent by one batch.
class User(Model):
    name = columns.Text(primary_key=True)
    twitter = columns.Text()
    email = columns.Text()


class TwitterToUser(Model):
    twitter = columns.Text(primary_key=True)
    name = columns.Text()


# 13. Table properties.
class Reading(Model):
    __options__ = {
        "compaction": {"class": "LeveledCompactionStrategy"},
        "gc_grace_seconds": 86400,
        "read_repair": "BLOCKING",
        "caching": {"keys": "ALL", "rows_per_partition": "NONE"},
        "comment": "sensor readings",
    }
    sensor_id = columns.UUID(primary_key=True)
    taken_at = columns.DateTime(primary_key=True, clustering_order="DESC")
    value = columns.Double()


# 14. Inheritance (an abstract base, a table per model) and polymorphism (one table).
class Timestamped(Model):
    __abstract__ = True
    created_at = columns.DateTime(default=datetime.datetime.utcnow)


class Comment(Timestamped):
    comment_id = columns.UUID(primary_key=True, default=uuid.uuid4)
    text = columns.Text()


class Pet(Model):
    __table_name__ = "pet"
    pet_id = columns.UUID(primary_key=True, default=uuid.uuid4)
    species = columns.Text(discriminator_column=True)
    name = columns.Text()


class Cat(Pet):
    __discriminator_value__ = "cat"
    lives = columns.Integer(default=9)


class Dog(Pet):
    __discriminator_value__ = "dog"
    good = columns.Boolean(default=True)


def models(contact_points):
    # The other languages' walkthroughs map their own models in "walkthrough".
    connection.setup(contact_points, default_keyspace="walkthrough_py")
    create_keyspace_simple("walkthrough_py", 1)
    for model in (Message, Photo, UsersInGroup, UsersInGroupByState, User, TwitterToUser, Reading,
                  Comment, Cat, Dog):
        sync_table(model)
    print("7. models Message and Photo synced to their tables (no hand-written DDL)")

    group = uuid.uuid4()
    UsersInGroup.create(group_id=group, user_id=uuid.uuid4(), is_admin=True)
    UsersInGroupByState.create(group_id=group, state="CA", user_id=uuid.uuid4())
    print(f"8. UsersInGroup clusters by user_id; UsersInGroupByState partitions by (group_id, state): "
          f"{UsersInGroup.objects(group_id=group).count()} + "
          f"{UsersInGroupByState.objects(group_id=group, state='CA').count()} rows")

    message = Message.ttl(86400).create(subject="hello", body="world", addressed_to={uuid.uuid4()})
    photo = Photo.create(title="sunset", likes={uuid.uuid4(): "nice"})
    try:
        Photo.create(title="x" * 101)
    except ValidationError as e:
        refused = e
    print(f"9. created message {message.message_id} (TTL 1 day) and photo {photo.photo_id}; "
          f"an invalid photo was refused: {refused}")

    User.objects(name="alice").delete()
    User.if_not_exists().create(name="alice", twitter="@alice")
    try:
        User.if_not_exists().create(name="alice", twitter="@impostor")
    except LWTException as e:
        existing = e.existing
    alice = User.get(name="alice")
    alice.email = "alice@example.com"
    alice.iff(twitter="@alice").save()
    print(f"10. IF NOT EXISTS refused a second alice (existing: {existing['twitter']}); "
          f"IF twitter = '@alice' let the email change")

    with BatchQuery() as b:
        User.batch(b).create(name="bob", twitter="@bob")
        TwitterToUser.batch(b).create(twitter="@bob", name="bob")
    print(f"11. User and TwitterToUser written in one batch: "
          f"{TwitterToUser.get(twitter='@bob').name} is {User.get(name='bob').twitter}")

    try:
        Message.get(message_id=uuid.uuid1())
    except Message.DoesNotExist:
        missing = "DoesNotExist"
    print(f"12. get: {Message.get(message_id=message.message_id).subject!r}; a missing row raises "
          f"{missing}; filter: {len(list(UsersInGroup.objects(group_id=group)))} user(s) in the group")

    opts = connection.get_session().execute(
        "SELECT compaction, gc_grace_seconds, read_repair, caching FROM system_schema.tables "
        "WHERE keyspace_name = %s AND table_name = %s", ("walkthrough_py", "reading")).one()
    print(f"13. the server has Reading's options: compaction {opts.compaction['class'].rsplit('.', 1)[-1]}, "
          f"gc_grace_seconds {opts.gc_grace_seconds}, read_repair {opts.read_repair}, "
          f"caching {opts.caching}")

    Comment.create(text="first")
    Cat.create(name="Tom")
    Dog.create(name="Rex")
    kinds = sorted({type(p).__name__ for p in Pet.objects.all()})
    print(f"14. Comment inherits created_at from an abstract base; querying Pet returns {kinds}")
    connection.unregister_connection()


if __name__ == "__main__":
    main()
