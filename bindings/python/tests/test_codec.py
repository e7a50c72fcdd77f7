"""The packed encoding, checked against core's own decoder and encoder (no server)."""

import datetime
import ipaddress
import math
import uuid
from decimal import Decimal

import pytest

from cqlbridge import _codec
from cqlbridge._native import CqlError, repack_rows
from cqlbridge.util import UNSET_VALUE, Date, Duration, Time


def through_core(rows):
    """Python encodes, core decodes and re-encodes, Python decodes."""
    return _codec.unpack_rows(repack_rows(_codec.pack_rows(rows)))


def test_every_python_type_round_trips_through_core():
    u4 = uuid.uuid4()
    u1 = uuid.uuid1()
    row = [
        None, UNSET_VALUE, "žluťoučký kůň", "", True, False, 0, -1, 2**63 - 1, -(2**63),
        2**64, -(2**100), 1.5, -0.0, float("inf"), float("-inf"),
        Decimal("3.14159265358979323846264338327950288"), Decimal("-1E+5"), Decimal("0"),
        b"\x00\xff", bytearray(b"ab"), u4, u1,
        datetime.datetime(2024, 2, 29, 12, 34, 56, 789000), datetime.date(1969, 12, 31),
        datetime.time(23, 59, 59, 999999), Date(-1_000_000), Time(86_399_999_999_999),
        Duration(1, -2, 3), ipaddress.ip_address("10.1.2.3"), ipaddress.ip_address("::1"),
        [1, [2, None]], {"a", "b"}, {"k": {1: [True]}}, (1, "x", None), [],
    ]
    back = through_core([row])[0]
    expected = list(row)
    expected[20] = b"ab"
    expected[23] = datetime.datetime(2024, 2, 29, 12, 34, 56, 789000)
    expected[24] = Date(datetime.date(1969, 12, 31))
    expected[25] = Time(datetime.time(23, 59, 59, 999999))
    expected[29] = "10.1.2.3"
    expected[30] = "::1"
    assert back == expected


def test_nan_and_negative_zero_keep_their_bits():
    back = through_core([[float("nan"), -0.0]])[0]
    assert math.isnan(back[0])
    assert math.copysign(1, back[1]) == -1


def test_aware_datetimes_are_converted_to_utc_and_naive_ones_are_utc():
    plus2 = datetime.timezone(datetime.timedelta(hours=2))
    aware = datetime.datetime(2020, 1, 1, 2, 0, tzinfo=plus2)
    back = through_core([[aware, datetime.datetime(1960, 5, 6, 7, 8, 9)]])[0]
    assert back == [datetime.datetime(2020, 1, 1, 0, 0), datetime.datetime(1960, 5, 6, 7, 8, 9)]


def test_values_without_a_cql_type_are_refused_by_name():
    with pytest.raises(TypeError, match="object"):
        _codec.pack_rows([[object()]])
    with pytest.raises(TypeError, match="decimal"):
        _codec.pack_rows([[Decimal("NaN")]])


def test_core_refuses_a_corrupt_buffer():
    with pytest.raises(CqlError.Failed) as e:
        repack_rows(b"\x01\x00\x00\x00\x01\x00\x00\x00\xee")
    assert "unknown value tag 0xee" in e.value.info.message
    assert e.value.info.name == "InvalidArgument"


def test_unhashable_set_elements_and_map_keys_are_frozen():
    # A set<frozen<list<int>>> arrives as a set of tuples, a map keyed by frozen sets as
    # frozensets: what Python can hash.
    buf = bytearray(b"\x01\x00\x00\x00\x02\x00\x00\x00")
    buf += bytes([_codec.SET]) + (1).to_bytes(4, "little")
    buf += bytes([_codec.LIST]) + (1).to_bytes(4, "little") + bytes([_codec.INT]) + (7).to_bytes(4, "little")
    buf += bytes([_codec.MAP]) + (1).to_bytes(4, "little")
    buf += bytes([_codec.SET]) + (0).to_bytes(4, "little") + bytes([_codec.NULL])
    assert _codec.unpack_rows(bytes(buf)) == [[{(7,)}, {frozenset(): None}]]
