"""The driver from Python, against the real node: execute, prepare, every type, paging,
async callbacks, batches, LWT, concurrency, asyncio, errors."""

import asyncio
import datetime
import ipaddress
import logging
import math
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import namedtuple
from decimal import Decimal

import pytest

from cqlbridge import (
    AlreadyExists, BindError, ConsistencyLevel, DriverException, InvalidHandle, InvalidRequest,
    OperationTimedOut, WouldDeadlock,
)
from cqlbridge.cluster import Cluster, ExecutionProfile, NoHostAvailable, EXEC_PROFILE_DEFAULT
from cqlbridge.concurrent import execute_concurrent, execute_concurrent_with_args
from cqlbridge.protocol import SyntaxException
from cqlbridge.query import (
    BatchStatement, BatchType, SimpleStatement, dict_factory, tuple_factory,
)
from cqlbridge.util import UNSET_VALUE, Date, Duration, Time

from conftest import contact_points


@pytest.fixture(scope="module")
def tables(session, keyspace):
    session.execute(f"""CREATE TYPE {keyspace}.address (street text, zip int)""")
    session.execute(f"""CREATE TABLE {keyspace}.every_type (
        id int PRIMARY KEY, a ascii, t text, b boolean, ti tinyint, si smallint, i int,
        bi bigint, vi varint, f float, d double, dec decimal, bl blob, u uuid, tu timeuuid,
        ip inet, dt date, tm time, ts timestamp, du duration,
        l list<int>, s set<text>, m map<text, frozen<list<int>>>, tp tuple<int, text, boolean>,
        addr frozen<address>, vec vector<float, 3>)""")
    session.execute(f"CREATE TABLE {keyspace}.kv (k int, c int, v text, PRIMARY KEY (k, c))")
    session.execute(f"CREATE TABLE {keyspace}.lwt (k int PRIMARY KEY, v int)")
    session.execute(f"CREATE TABLE {keyspace}.sensor (sensor_id uuid PRIMARY KEY, name text, created_at timestamp)")
    return keyspace


def every_type_row():
    return dict(
        id=1, a="ascii", t="žluťoučký kůň", b=True, ti=-128, si=32767, i=-2**31, bi=2**63 - 1,
        vi=-(2**80), f=1.5, d=float("inf"), dec=Decimal("-3.141592653589793238462643383279"),
        bl=b"\x00\x01\xff", u=uuid.uuid4(), tu=uuid.uuid1(), ip="192.168.0.1",
        dt=datetime.date(2024, 2, 29), tm=Time(13 * 3600 * 10**9 + 123456789),
        ts=datetime.datetime(2024, 2, 29, 12, 0, 0, 123000), du=Duration(1, 2, 3),
        l=[1, 2, 3], s={"x", "y"}, m={"k": [1, 2]}, tp=(1, "one", None),
        addr=None, vec=[1.0, 2.5, -3.0],
    )


def test_every_type_round_trips_through_prepared_and_simple_statements(ks_session, tables):
    row = every_type_row()
    cols = list(row)
    insert = ks_session.prepare(f"INSERT INTO every_type ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})")
    ks_session.execute(insert, [row[c] for c in cols])
    got = ks_session.execute("SELECT * FROM every_type WHERE id = %s", [1]).one()._asdict()
    expected = dict(row)
    expected["dt"] = Date(row["dt"])
    assert {c: got[c] for c in cols} == expected

    # The same through a simple statement with %(name)s placeholders, and a null.
    row2 = dict(row, id=2, d=float("nan"), a=None, tp=(None, None, False))
    ks_session.execute(
        f"INSERT INTO every_type ({', '.join(cols)}) VALUES ({', '.join('%(' + c + ')s' for c in cols)})", row2)
    got2 = ks_session.execute("SELECT * FROM every_type WHERE id = 2").one()
    assert math.isnan(got2.d) and got2.a is None and got2.tp == (None, None, False)


def test_udts_bind_from_tuples_dicts_and_registered_classes(cluster, ks_session, tables):
    Address = namedtuple("Address", ["street", "zip"])
    ks_session.execute("INSERT INTO every_type (id, addr) VALUES (%s, %s)", [3, Address("Main", 1)])
    got = ks_session.execute("SELECT addr FROM every_type WHERE id = 3").one().addr
    assert (got.street, got.zip) == ("Main", 1)
    ks_session.execute("INSERT INTO every_type (id, addr) VALUES (%s, %s)", [5, {"zip": 2}])
    assert ks_session.execute("SELECT addr FROM every_type WHERE id = 5").one().addr == (None, 2)

    class Addr:
        street: str
        zip: int

    cluster.register_user_type(tables, "address", Addr)
    a = Addr()
    a.street, a.zip = "Side", None
    ks_session.execute("INSERT INTO every_type (id, addr) VALUES (%s, %s)", [4, a])
    got = ks_session.execute("SELECT addr FROM every_type WHERE id = 4").one().addr
    assert isinstance(got, Addr) and (got.street, got.zip) == ("Side", None)


def test_unset_leaves_a_column_and_none_writes_null(ks_session, tables):
    insert = ks_session.prepare("INSERT INTO kv (k, c, v) VALUES (?, ?, ?)")
    ks_session.execute(insert, [10, 1, "kept"])
    ks_session.execute(insert, [10, 1, UNSET_VALUE])
    assert ks_session.execute("SELECT v FROM kv WHERE k = 10 AND c = 1").one().v == "kept"
    ks_session.execute(insert, [10, 1, None])
    assert ks_session.execute("SELECT v FROM kv WHERE k = 10 AND c = 1").one().v is None


@pytest.fixture(scope="module")
def hundred_rows(session, tables):
    insert = session.prepare(f"INSERT INTO {tables}.kv (k, c, v) VALUES (?, ?, ?)")
    execute_concurrent_with_args(session, insert, [(1, c, f"v{c}") for c in range(100)])
    return tables


@pytest.mark.parametrize("fetch_size", [2, 3, 7, 10, 99, 100, 101, 10000])
def test_paging_gives_every_row_once_also_resumed(ks_session, hundred_rows, fetch_size):
    query = SimpleStatement("SELECT c FROM kv WHERE k = %s", fetch_size=fetch_size)
    rs = ks_session.execute(query, [1])
    assert len(rs.current_rows) == min(fetch_size, 100)
    assert [r.c for r in rs] == list(range(100))

    # Resume page by page from saved paging states.
    seen, state = [], None
    while True:
        page = ks_session.execute(query, [1], paging_state=state)
        seen += [r.c for r in page.current_rows]
        state = page.paging_state
        if state is None:
            break
    assert seen == list(range(100))


def test_async_with_callbacks_as_in_the_walkthrough(ks_session, tables):
    insert = ks_session.prepare("INSERT INTO sensor (sensor_id, name, created_at) VALUES (?, ?, ?)")
    done = []
    lock = threading.Lock()
    all_done = threading.Event()

    def on_insert(rows, sensor_id):
        with lock:
            done.append(sensor_id)
            if len(done) == 10:
                all_done.set()

    ids = [uuid.uuid4() for _ in range(10)]
    futures = []
    for n, sensor_id in enumerate(ids):
        f = ks_session.execute_async(insert, (sensor_id, f"sensor {n}", datetime.datetime.utcnow()))
        f.add_callback(on_insert, sensor_id)
        futures.append(f)
    assert all_done.wait(20)
    assert sorted(done) == sorted(ids)

    # A callback added after completion fires at once, once.
    late = []
    futures[0].result()
    futures[0].add_callback(lambda rows: late.append(rows))
    assert late == [[]]


def test_requests_started_from_callbacks_all_complete(ks_session, tables):
    # Callbacks run on the completion thread; the requests they start are held until the
    # drained batch is handed out, then start together. Each gets its own outcome.
    insert = ks_session.prepare("INSERT INTO kv (k, c, v) VALUES (?, 0, ?)")
    outcomes = {}
    lock = threading.Lock()
    all_done = threading.Event()
    chains, length = 10, 20

    def record(n, outcome):
        with lock:
            outcomes[n] = outcome
            if len(outcomes) == chains * length:
                all_done.set()

    def next_of(n):
        if (n + 1) % length:
            start(n + 1)

    def start(n):
        if n % 50 == 49:  # a failing one in a chain: its errback fires, the chain goes on
            f = ks_session.execute_async("SELECT * FROM no_such_table")
            f.add_errback(lambda exc: (record(n, exc), next_of(n)))
        else:
            f = ks_session.execute_async(insert, (7000 + n, str(n)))
            f.add_callbacks(lambda rows: (record(n, "ok"), next_of(n)), lambda exc: record(n, exc))

    for chain in range(chains):  # ten chains in flight together, each begun by a callback
        f = ks_session.execute_async("SELECT now() FROM system.local")
        f.add_callback(lambda rows, first=chain * length: start(first))
    assert all_done.wait(60), len(outcomes)
    failed = {n for n, o in outcomes.items() if o != "ok"}
    assert failed == {49, 99, 149, 199}
    assert all(isinstance(outcomes[n], InvalidRequest) for n in failed)
    rows = ks_session.execute("SELECT k, v FROM kv WHERE k IN (7000, 7150, 7198)")
    assert sorted(r.v for r in rows) == ["0", "150", "198"]


def test_errbacks_receive_the_typed_error(ks_session, tables):
    got = []
    event = threading.Event()
    f = ks_session.execute_async("SELECT * FROM no_such_table")
    f.add_callbacks(lambda rows: got.append(("ok", rows)), lambda exc: (got.append(exc), event.set()))
    assert event.wait(20)
    assert isinstance(got[0], InvalidRequest)
    with pytest.raises(InvalidRequest):
        f.result()


def test_an_exception_in_a_callback_is_logged_not_swallowed(ks_session, tables, caplog):
    event = threading.Event()

    def bad(rows):
        event.set()
        raise RuntimeError("boom in a user callback")

    with caplog.at_level(logging.ERROR, logger="cqlbridge.cluster"):
        f = ks_session.execute_async("SELECT * FROM kv LIMIT 1")
        f.add_callback(bad)
        f.result()
        assert event.wait(10)
        deadline = time.time() + 5
        while "boom in a user callback" not in caplog.text and time.time() < deadline:
            time.sleep(0.01)
    assert "boom in a user callback" in caplog.text
    # The driver goes on working.
    assert ks_session.execute("SELECT * FROM kv LIMIT 1") is not None


def test_waiting_inside_a_callback_raises_would_deadlock(ks_session, tables):
    # Inside a callback (the completion thread), waiting on a request that has not completed
    # could wait forever: it is refused.
    from cqlbridge.cluster import ResponseFuture, _Request
    refused = []
    event = threading.Event()

    def inner(rows):
        never = ResponseFuture(ks_session, _Request())
        try:
            never.result()
        except WouldDeadlock as e:
            refused.append(e)
        event.set()

    ks_session.execute_async("SELECT * FROM kv LIMIT 1").add_callback(inner)
    assert event.wait(20)
    assert len(refused) == 1


def test_batches_of_simple_and_prepared_statements(ks_session, tables):
    insert = ks_session.prepare("INSERT INTO kv (k, c, v) VALUES (?, ?, ?)")
    batch = BatchStatement(BatchType.LOGGED)
    batch.add(insert, (20, 1, "a"))
    batch.add("INSERT INTO kv (k, c, v) VALUES (%s, %s, %s)", (20, 2, "b"))
    batch.add(SimpleStatement("INSERT INTO kv (k, c, v) VALUES (20, 3, 'c')"))
    batch.add(insert.bind({"k": 20, "c": 4, "v": "d"}))
    ks_session.execute(batch)
    assert [r.v for r in ks_session.execute("SELECT v FROM kv WHERE k = 20")] == ["a", "b", "c", "d"]


def test_lightweight_transactions_report_applied_and_the_existing_row(ks_session, tables):
    ks_session.execute("INSERT INTO lwt (k, v) VALUES (1, 0)")
    rs = ks_session.execute("UPDATE lwt SET v = 2 WHERE k = 1 IF v = 1")
    assert rs.was_applied is False
    assert rs.one().v == 0
    for serial in (ConsistencyLevel.SERIAL, ConsistencyLevel.LOCAL_SERIAL):
        st = SimpleStatement("UPDATE lwt SET v = 1 WHERE k = 1 IF v = 0", serial_consistency_level=serial)
        assert ks_session.execute(st).was_applied is True
        ks_session.execute("UPDATE lwt SET v = 0 WHERE k = 1")

    # A conditional batch that is not applied writes nothing of itself.
    batch = BatchStatement()
    batch.add("INSERT INTO lwt (k, v) VALUES (1, 5) IF NOT EXISTS")
    batch.add("UPDATE lwt SET v = 6 WHERE k = 1")
    assert ks_session.execute(batch).was_applied is False
    assert ks_session.execute("SELECT v FROM lwt WHERE k = 1").one().v == 0
    with pytest.raises(RuntimeError):
        ks_session.execute("SELECT v FROM lwt WHERE k = 1").was_applied


def test_concurrent_execution_with_an_error_at_its_position(ks_session, tables):
    insert = ks_session.prepare("INSERT INTO kv (k, c, v) VALUES (?, ?, ?)")
    rows = [(30, c, f"v{c}") for c in range(100)]
    rows[37] = (30, 37, 12345)  # not text: refused before it is sent
    results = execute_concurrent_with_args(ks_session, insert, rows, concurrency=16,
                                           raise_on_first_error=False)
    assert len(results) == 100
    assert [i for i, r in enumerate(results) if not r.success] == [37]
    assert isinstance(results[37].result_or_exc, BindError)
    assert all(r.result_or_exc is not None for r in results)
    with pytest.raises(BindError):
        execute_concurrent_with_args(ks_session, insert, rows, raise_on_first_error=True)

    # Selects as in the walkthrough: results in input order, pages readable.
    select = ks_session.prepare("SELECT v FROM kv WHERE k = ? AND c = ?")
    results = execute_concurrent_with_args(ks_session, select, [(30, c) for c in range(10)])
    assert [r.result_or_exc.one().v for r in results] == [f"v{c}" for c in range(10)]


def test_execute_concurrent_with_mixed_statements(ks_session, tables):
    insert = ks_session.prepare("INSERT INTO kv (k, c, v) VALUES (?, ?, ?)")
    items = [(insert, (40, 1, "p")), ("INSERT INTO kv (k, c, v) VALUES (%s, %s, %s)", (40, 2, "s")),
             ("SELECT * FROM nowhere", None)]
    results = execute_concurrent(ks_session, items, raise_on_first_error=False)
    assert [r.success for r in results] == [True, True, False]
    assert isinstance(results[2].result_or_exc, InvalidRequest)


def test_asyncio_thousand_awaits_while_the_loop_keeps_ticking(ks_session, hundred_rows):
    select = ks_session.prepare("SELECT v FROM kv WHERE k = ? AND c = ?")

    async def main():
        in_flight = 0
        most_in_flight = 0
        ticks_while_waiting = 0
        stop = False

        async def ticker():
            nonlocal ticks_while_waiting
            while not stop:
                if in_flight:
                    ticks_while_waiting += 1
                await asyncio.sleep(0)

        async def one(i):
            nonlocal in_flight, most_in_flight
            in_flight += 1
            most_in_flight = max(most_in_flight, in_flight)
            try:
                return await ks_session.execute_async(select, (1, i % 100))
            finally:
                in_flight -= 1

        t = asyncio.ensure_future(ticker())
        results = await asyncio.gather(*(one(i) for i in range(1000)))
        stop = True
        await t
        return results, ticks_while_waiting, most_in_flight

    results, ticks, most = asyncio.run(main())
    assert [r.one().v for r in results] == [f"v{i % 100}" for i in range(1000)]
    # Awaiting never blocked the loop: the requests were in flight together (a blocking await
    # would have finished each before the next one started: at most 1), and other tasks kept
    # running while they were (how many turns depends on how the completions were batched).
    # Not all 1000 at once for sure: a request completes at once if the loop's thread is
    # descheduled between its submission and its await (a loaded machine).
    assert most >= 500, most
    assert ticks >= 1, ticks


def test_asyncio_connect_prepare_and_paging(cluster, tables, hundred_rows):
    async def main():
        s = await cluster.connect_async(tables)
        p = await s.prepare_async("SELECT c FROM kv WHERE k = ?")
        p.fetch_size = 7
        rs = await s.execute_async(p, [1])
        seen = [r.c async for r in rs]
        s.shutdown()
        return seen

    assert asyncio.run(main()) == list(range(100))


def test_typed_errors(session, ks_session, tables):
    with pytest.raises(SyntaxException):
        ks_session.execute("SELEC * FROM kv")
    with pytest.raises(InvalidRequest, match="no_such"):
        ks_session.execute("SELECT * FROM no_such")
    with pytest.raises(AlreadyExists) as e:
        ks_session.execute("CREATE TABLE kv (k int PRIMARY KEY)")
    assert e.value.table == "kv"
    with pytest.raises(BindError):
        ks_session.execute("SELECT * FROM kv WHERE k = %s", [1, 2])
    with pytest.raises(TypeError):  # a BindError is a TypeError, as in the DataStax driver
        ks_session.execute("SELECT * FROM kv WHERE k = %s", ["not an int"])
    with pytest.raises(BindError):
        ks_session.execute(ks_session.prepare("SELECT * FROM kv WHERE k = ?"), [])
    with pytest.raises(InvalidRequest):
        session.set_keyspace("no_such_keyspace_anywhere")
    with pytest.raises(InvalidRequest):
        Cluster(contact_points()).connect("no_such_keyspace_anywhere")


def test_a_closed_session_refuses_requests(cluster, tables):
    s = cluster.connect(tables)
    s.shutdown()
    with pytest.raises(DriverException, match="shut down") as e:
        s.execute("SELECT * FROM kv")
    assert isinstance(e.value, InvalidHandle) and e.value.kind == "InvalidHandle"


def test_text_that_is_not_unicode_is_a_bind_error_and_nothing_is_lost(ks_session, tables):
    # Bytes that are not UTF-8, carried in a str as lone surrogates, have no UTF-8 form.
    bad = b"a\xffb".decode("utf-8", "surrogateescape")
    insert = ks_session.prepare("INSERT INTO kv (k, c, v) VALUES (?, ?, ?)")
    for run in (lambda: ks_session.execute(insert, [90, 1, bad]),
                lambda: ks_session.execute("INSERT INTO kv (k, c, v) VALUES (%s, %s, %s)", [90, 1, bad]),
                lambda: ks_session.execute(insert, [90, 1, b"a\xffb"])):  # bytes are a blob
        with pytest.raises(BindError) as e:
            run()
        assert e.value.kind == "BindError"
    ks_session.execute(insert, [90, 1, "fine"])
    assert ks_session.execute("SELECT v FROM kv WHERE k = 90").one().v == "fine"


def test_a_page_after_the_session_was_shut_down_raises_every_time(cluster, hundred_rows):
    s = cluster.connect(hundred_rows)
    rs = s.execute(SimpleStatement("SELECT c FROM kv WHERE k = 1", fetch_size=10))
    s.shutdown()
    with pytest.raises(InvalidHandle):
        rs.fetch_next_page()
    # The failed fetch must not turn into a quiet end of the rows.
    assert rs.has_more_pages
    with pytest.raises(InvalidHandle):
        list(rs)


def test_no_host_available_within_the_connect_timeout():
    start = time.monotonic()
    with pytest.raises((NoHostAvailable, OperationTimedOut)):
        Cluster(["127.0.0.1"], port=1, connect_timeout=3).connect()
    assert time.monotonic() - start < 15


def test_result_timeout_and_ctrl_c_while_waiting():
    # result(timeout) on a request that never completes raises OperationTimedOut.
    from cqlbridge.cluster import ResponseFuture, _Request
    never = ResponseFuture(None, _Request())
    with pytest.raises(OperationTimedOut):
        never.result(timeout=0.1)
    # Ctrl-C interrupts a waiting result().
    code = ("from cqlbridge.cluster import ResponseFuture, _Request\n"
            "import sys; print('waiting', flush=True)\n"
            "try:\n    ResponseFuture(None, _Request()).result()\n"
            "except KeyboardInterrupt:\n    print('interrupted', flush=True)\n")
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "waiting"
    time.sleep(0.3)
    p.send_signal(signal.SIGINT)
    out, _ = p.communicate(timeout=10)
    assert out.strip() == "interrupted"


def test_row_factories_and_profiles(tables):
    profiles = {"dicts": ExecutionProfile(row_factory=dict_factory, consistency_level=ConsistencyLevel.ONE)}
    with Cluster(contact_points(), execution_profiles=profiles) as c:
        s = c.connect(tables)
        s.execute("INSERT INTO kv (k, c, v) VALUES (50, 1, 'x')")
        assert s.execute("SELECT v FROM kv WHERE k = 50", execution_profile="dicts").one() == {"v": "x"}
        s.row_factory = tuple_factory
        assert s.execute("SELECT v FROM kv WHERE k = 50").one() == ("x",)
        with pytest.raises(ValueError):
            s.execute("SELECT v FROM kv", execution_profile="no such profile")
        assert c.profiles[EXEC_PROFILE_DEFAULT].consistency_level == ConsistencyLevel.LOCAL_ONE


def test_metadata_hosts_and_tables(cluster, session, tables):
    hosts = cluster.metadata.all_hosts()
    assert hosts and all(h.is_up for h in hosts)
    cluster.metadata.refresh()
    kv = cluster.metadata.keyspaces[tables].tables["kv"]
    assert [c.name for c in kv.partition_key] == ["k"]
    assert [c.name for c in kv.clustering_key] == ["c"]
    assert kv.columns["v"].cql_type == "text"


def test_injection_strings_round_trip_as_data(ks_session, tables):
    evil = "'); DROP TABLE kv; --"
    ks_session.execute("INSERT INTO kv (k, c, v) VALUES (%s, %s, %s)", (60, 1, evil))
    assert ks_session.execute("SELECT v FROM kv WHERE k = %s", (60,)).one().v == evil
    assert ks_session.execute("SELECT count(*) FROM kv").one()[0] > 0


def test_after_fork_the_parents_session_refuses_and_the_child_connects_anew(session, tables):
    from cqlbridge import ForkedProcess
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            try:
                session.execute("SELECT * FROM system.local")
            except ForkedProcess:
                child = Cluster(contact_points())
                code = 0 if child.connect().execute("SELECT now() FROM system.local").one() else 2
                child.shutdown()
        except BaseException:
            code = 3
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert session.execute("SELECT now() FROM system.local").one()


def test_metrics_count_what_ran(tables):
    with Cluster(contact_points()) as c:
        s = c.connect(tables)
        before = s.get_metrics()
        for _ in range(5):
            s.execute("SELECT * FROM kv LIMIT 1")
        with pytest.raises(InvalidRequest):
            s.execute("SELECT * FROM no_such_table_here")
        after = s.get_metrics()
        assert after.requests - before.requests >= 6
        assert after.errors - before.errors == 1
        assert after.errors_by_kind.get("InvalidRequest", 0) >= 1
        assert after.open_connections > 0
        assert after.request_timer["count"] == after.requests
        assert c.metrics.requests >= after.requests


def test_a_statement_prepared_by_one_session_runs_on_another(cluster, tables):
    # As with the DataStax driver: prepared statements belong to the cluster, not a session.
    first, second = cluster.connect(tables), cluster.connect(tables)
    try:
        insert = first.prepare("INSERT INTO kv (k, c, v) VALUES (?, ?, ?)")
        second.execute(insert, (70, 1, "from the second session"))
        second.execute(insert.bind((70, 2, "bound")))
        select = second.prepare("SELECT v FROM kv WHERE k = ?")
        assert [r.v for r in first.execute(select, (70,))] == ["from the second session", "bound"]
        first.shutdown()
        # The statement outlives the session that prepared it.
        assert second.execute(select, (70,)).one().v == "from the second session"
        second.execute(insert, (70, 3, "after the first session closed"))
    finally:
        first.shutdown()
        second.shutdown()
