"""The uniffi surface beneath the `cqlbridge` package, on its cold paths: `CqlValue` (typed
values, as Swift uses them) and the foreign `RequestListener` (callback-style completion),
against the real node."""

import threading
import uuid

import pytest

from cqlbridge import _codec
from cqlbridge._dispatch import run_sync
from cqlbridge._native import (
    CqlError, CqlValue, MapEntry, RequestListener, UdtField, pack_value_rows, unpack_value_page,
)


def typed_row():
    return [
        CqlValue.NULL(), CqlValue.TEXT(value="ž✓"), CqlValue.BOOLEAN(value=True),
        CqlValue.TINY_INT(value=-1), CqlValue.BIG_INT(value=-(2**63)),
        CqlValue.VARINT(value="-123456789012345678901234567890"),
        CqlValue.DECIMAL(value="-1.50"), CqlValue.DOUBLE(value=0.25),
        CqlValue.BLOB(value=b"\x00\xff"), CqlValue.UUID(value=uuid.UUID(int=7)),
        CqlValue.INET(value="::1"), CqlValue.DATE(days=-1), CqlValue.TIME(nanos=5),
        CqlValue.TIMESTAMP(millis=-5),
        CqlValue.DURATION(months=1, days=2, nanoseconds=3),
        CqlValue.LIST(elements=[CqlValue.INT(value=1), CqlValue.NULL()]),
        CqlValue.MAP(entries=[MapEntry(key=CqlValue.TEXT(value="k"), value=CqlValue.INT(value=2))]),
        CqlValue.TUPLE(elements=[CqlValue.NULL(), CqlValue.TEXT(value="x")]),
        CqlValue.UDT(keyspace="ks", name="t", fields=[UdtField(name="f", value=CqlValue.INT(value=1))]),
    ]


def test_typed_values_pack_as_the_python_codec_reads_them():
    rows = _codec.unpack_rows(pack_value_rows([typed_row()]))
    (row,) = rows
    assert row[1] == "ž✓" and row[4] == -(2**63)
    assert row[5] == -123456789012345678901234567890
    assert str(row[6]) == "-1.50"
    assert row[9] == uuid.UUID(int=7) and row[10] == "::1"
    assert row[15] == [1, None] and row[16] == {"k": 2} and row[17] == (None, "x")


def test_malformed_typed_values_are_refused():
    with pytest.raises(CqlError) as e:
        pack_value_rows([[CqlValue.VARINT(value="1.5")]])
    assert e.value.info.name == "InvalidArgument"
    with pytest.raises(CqlError):
        unpack_value_page(b"\x01\x00")


def test_query_and_execute_prepared_return_typed_pages(ks_session):
    conn = ks_session._native
    ks_session.execute("CREATE TABLE IF NOT EXISTS typed (k int PRIMARY KEY, v map<text, int>, d decimal)")
    ks_session.execute("INSERT INTO typed (k, v, d) VALUES (1, {'a': 1}, 2.50)")
    page = run_sync(conn.query(
        "SELECT k, v, d FROM typed WHERE k = ?", [CqlValue.INT(value=1)], None, None))
    assert [c.name for c in page.columns] == ["k", "v", "d"]
    assert page.columns[1].cql_type == "map<text, int>"
    assert page.rows == [[
        CqlValue.INT(value=1),
        CqlValue.MAP(entries=[MapEntry(key=CqlValue.TEXT(value="a"), value=CqlValue.INT(value=1))]),
        CqlValue.DECIMAL(value="2.50"),
    ]]
    prepared = run_sync(conn.prepare("SELECT k FROM typed WHERE k = ?", None))
    page = run_sync(conn.execute_prepared(prepared, [CqlValue.BIG_INT(value=1)], None, None))
    assert page.rows == [[CqlValue.INT(value=1)]]
    with pytest.raises(CqlError) as e:
        run_sync(conn.query("SELECT nope FROM typed", [], None, None))
    assert e.value.info.name == "InvalidRequest"


class Recorder(RequestListener):
    def __init__(self, fail=False):
        self.calls = []
        self.threads = []
        self.done = threading.Event()
        self.fail = fail

    def on_complete(self, completions):
        self.calls.append(_codec.unpack_completions(completions.packed, completions.errors))
        self.threads.append(threading.current_thread())
        self.done.set()
        if self.fail:
            raise RuntimeError("a listener that fails")


def submit(conn, request, listener):
    conn.submit_with_listener(request, listener)
    assert listener.done.wait(10), "the listener was not called"


def test_a_listener_gets_every_outcome_once_on_another_thread(ks_session):
    conn = ks_session._native
    options = _codec.pack_options()
    req = _codec.request_single(41, _codec.statement_ref_cql("SELECT release_version FROM system.local"),
                                None, options, [])
    rec = Recorder()
    submit(conn, req, rec)
    ((request_id, index, page),) = rec.calls[0]
    assert (request_id, index) == (41, 0)
    assert _codec.unpack_page(page).rows[0][0].startswith("5.")
    assert rec.threads[0] is not threading.main_thread()

    # A concurrent request: one call carrying all of its items, the failing one as an error.
    ks_session.execute("CREATE TABLE IF NOT EXISTS typed (k int PRIMARY KEY, v map<text, int>, d decimal)")
    ks_session.execute("INSERT INTO typed (k) VALUES (3)")
    req = _codec.request_concurrent(
        42, _codec.statement_ref_cql(f"SELECT k FROM {ks_session.keyspace}.typed WHERE k = ?"),
        2, False, options, [[99], ["not an int"], [3]])
    rec = Recorder()
    submit(conn, req, rec)
    (items,) = rec.calls
    by_index = {i: o for _, i, o in items}
    assert sorted(by_index) == [0, 1, 2]
    assert _codec.unpack_page(by_index[0]).rows == []
    assert by_index[1].name == "BindError" and "text value cannot be bound to int" in by_index[1].message
    assert _codec.unpack_page(by_index[2]).rows == [(3,)]

    # A listener that raises: reported, the connection goes on.
    rec = Recorder(fail=True)
    submit(conn, _codec.request_single(43, _codec.statement_ref_cql("SELECT now() FROM system.local"),
                                       None, options, []), rec)
    assert len(rec.calls) == 1
    assert ks_session.execute("SELECT now() FROM system.local").one() is not None


def test_a_malformed_request_is_refused_before_any_listener_call(ks_session):
    rec = Recorder()
    with pytest.raises(CqlError) as e:
        ks_session._native.submit_with_listener(b"\x01\x00\x00", rec)
    assert e.value.info.name == "InvalidArgument"
    assert not rec.done.wait(0.5) and rec.calls == []


def test_submit_many_starts_each_request_and_fails_only_the_bad_one(ks_session):
    from cqlbridge._dispatch import dispatcher

    d = dispatcher()
    outcomes = {}
    all_done = threading.Event()

    def handler(items):
        for request_id, _, outcome in items:
            outcomes[request_id] = outcome
        if len(outcomes) == 3:
            all_done.set()

    ids = [d.register(handler) for _ in range(3)]
    options = _codec.pack_options()
    ref = _codec.statement_ref_cql("SELECT release_version FROM system.local")
    good = [_codec.request_single(i, ref, None, options, []) for i in (ids[0], ids[2])]
    bad = ids[1].to_bytes(8, "little") + b"\x09"  # an unknown request kind
    ks_session._native.submit_many(_codec.pack_requests([good[0], bad, good[1]]))
    assert all_done.wait(10), outcomes
    assert _codec.unpack_page(outcomes[ids[0]]).rows[0][0].startswith("5.")
    assert _codec.unpack_page(outcomes[ids[2]]).rows[0][0].startswith("5.")
    assert outcomes[ids[1]].name == "InvalidArgument"

    # Broken framing: the call fails and nothing starts.
    with pytest.raises(CqlError) as e:
        ks_session._native.submit_many(b"\x02\x00\x00\x00\x05\x00\x00\x00ab")
    assert e.value.info.name == "InvalidArgument"
