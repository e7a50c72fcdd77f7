"""Reliability from Python (issue 10): thousands of requests in flight each end with a result
or a typed timeout, and a connect / execute / shutdown loop leaves no threads, file
descriptors or memory behind. CQLB_OVERLOAD_IN_FLIGHT (default 4096) and
CQLB_HYGIENE_ITERATIONS (default 20; `make reliability`: 200) scale them; the figures are
printed (pytest -s) for tests/RELIABILITY.md."""

import gc
import os
import time

from cqlbridge import OperationTimedOut, ReadTimeout, Unavailable, WriteTimeout
from cqlbridge.cluster import Cluster
from cqlbridge.protocol import OverloadedErrorMessage

from conftest import contact_points

TYPED = (OperationTimedOut, OverloadedErrorMessage, ReadTimeout, WriteTimeout, Unavailable)


def resources():
    with open("/proc/self/status") as f:
        fields = dict(line.split(":", 1) for line in f if ":" in line)
    return {
        "threads": int(fields["Threads"].split()[0]),
        "fds": len(os.listdir("/proc/self/fd")),
        "rss_kib": int(fields["VmRSS"].split()[0]),
    }


def test_thousands_in_flight_each_end_with_a_result_or_a_typed_timeout(ks_session):
    ks_session.execute("CREATE TABLE IF NOT EXISTS overload (k int PRIMARY KEY, v blob)")
    insert = ks_session.prepare("INSERT INTO overload (k, v) VALUES (?, ?)")
    insert.is_idempotent = True
    in_flight = int(os.environ.get("CQLB_OVERLOAD_IN_FLIGHT", "4096"))
    payload = b"\x07" * 4096
    started = time.monotonic()
    futures = [ks_session.execute_async(insert, (i, payload), timeout=0.5) for i in range(in_flight)]
    outcomes = {}
    for f in futures:
        try:
            f.result()
            kind = "ok"
        except TYPED as e:
            kind = type(e).__name__
        outcomes[kind] = outcomes.get(kind, 0) + 1
    print(f"\noverload (Python): {in_flight} in flight, done in {time.monotonic() - started:.1f}s: {outcomes}")
    assert sum(outcomes.values()) == in_flight
    # The session is healthy after the storm.
    deadline = time.monotonic() + 30
    while True:
        try:
            assert ks_session.execute("SELECT release_version FROM system.local").one() is not None
            break
        except OperationTimedOut:
            assert time.monotonic() < deadline, "the session never answered again"
            time.sleep(0.2)


def one_session():
    cluster = Cluster(contact_points(), connect_timeout=20)
    try:
        session = cluster.connect()
        assert session.execute("SELECT release_version FROM system.local").one() is not None
        prepared = session.prepare("SELECT key FROM system.local WHERE key = ?")
        assert session.execute_async(prepared, ("local",)).result().one() is not None
    finally:
        cluster.shutdown()


def settle(base, seconds=15):
    deadline = time.monotonic() + seconds
    while True:
        gc.collect()
        now = resources()
        if (now["threads"] <= base["threads"] and now["fds"] <= base["fds"]) or time.monotonic() > deadline:
            return now
        time.sleep(0.1)


def test_a_connect_execute_shutdown_loop_leaves_nothing_behind():
    iterations = int(os.environ.get("CQLB_HYGIENE_ITERATIONS", "20"))
    for _ in range(5):
        one_session()
    time.sleep(1)
    gc.collect()
    base = resources()
    started = time.monotonic()
    for _ in range(iterations):
        one_session()
    took = time.monotonic() - started
    end = settle(base)
    print(f"\nhygiene (Python): {iterations} sessions in {took:.1f}s; threads {base['threads']} -> {end['threads']}, "
          f"fds {base['fds']} -> {end['fds']}, RSS {base['rss_kib']} KiB -> {end['rss_kib']} KiB")
    assert end["threads"] <= base["threads"], (base, end)
    assert end["fds"] <= base["fds"], (base, end)
    assert end["rss_kib"] - base["rss_kib"] < 32 * 1024, (base, end)
