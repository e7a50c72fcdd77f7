"""The seed walkthrough (shared/notes/walkthrough.md) in Python, written as code for the
DataStax driver with the import prefix ``cassandra`` changed to ``cqlbridge``.

Steps 1-6 and 15 (the driver); the object-mapper steps 7-14 come with cqlbridge.cqlengine.
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

    # 15. Application integration: pre-forking servers connect in each worker, after fork.
    cluster.shutdown()
    pid = os.fork()
    if pid == 0:
        worker = Cluster(contact_points)
        count = worker.connect("walkthrough").execute("SELECT count(*) FROM sensor").one()[0]
        print(f"15. a forked worker connected on its own and counted {count} sensors")
        worker.shutdown()
        os._exit(0)
    os.waitpid(pid, 0)
    print("done: steps 1-6 and 15 of the walkthrough ran against a real node "
          "(steps 7-14, the object mapper, come with cqlbridge.cqlengine)")


if __name__ == "__main__":
    main()
