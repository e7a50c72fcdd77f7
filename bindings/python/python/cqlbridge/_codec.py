"""The packed encoding (bindings/PACKED.md): Python values <-> one bytes buffer.

Values cross the native boundary once per page or per batch of rows, never one by one: this
module turns argument rows into one buffer and a result page's buffer into rows.
"""

import datetime
import ipaddress
import struct
import uuid
from collections import namedtuple
from decimal import Decimal

from . import BindError
from .util import UNSET_VALUE, Date, Duration, Time

NULL, UNSET, EMPTY, ASCII, TEXT, BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, COUNTER, VARINT = range(12)
FLOAT, DOUBLE, DECIMAL, BLOB, UUID, TIMEUUID, INET, DATE, TIME, TIMESTAMP, DURATION = range(12, 23)
LIST, SET, MAP, TUPLE, UDT, VECTOR = range(23, 29)

_u32 = struct.Struct("<I")
_i8 = struct.Struct("<b")
_i16 = struct.Struct("<h")
_i32 = struct.Struct("<i")
_i64 = struct.Struct("<q")
_f32 = struct.Struct("<f")
_f64 = struct.Struct("<d")
_tag_i64 = struct.Struct("<Bq")
_tag_f64 = struct.Struct("<Bd")
_tag_u32 = struct.Struct("<BI")
_duration = struct.Struct("<iiq")
_scale = struct.Struct("<i")
_NONE_LEN = 0xFFFFFFFF

_EPOCH = datetime.datetime(1970, 1, 1)
_EPOCH_UTC = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_EPOCH_DATE = datetime.date(1970, 1, 1)
_I64_MIN, _I64_MAX = -(1 << 63), (1 << 63) - 1


class PackError(BindError):
    """A Python value that cannot be bound: no CQL counterpart, or text with no UTF-8 form.
    A BindError (so a TypeError), raised before anything is sent."""


def _utf8(s):
    """`s` as UTF-8; a str with lone surrogates (bytes decoded with ``surrogateescape``, a
    broken UTF-16 pair) has none, and binding it is a bind error, not a UnicodeEncodeError."""
    try:
        return s.encode("utf-8")
    except UnicodeEncodeError as e:
        raise PackError(f"text is not valid Unicode (a lone surrogate {s[e.start]!r} at "
                        f"position {e.start}); nothing was sent") from None


# ------------------------------------------------------------------------------- encoding


def _varint_bytes(n):
    return n.to_bytes((n + (n < 0)).bit_length() // 8 + 1, "big", signed=True)


def _timestamp_ms(dt):
    if dt.tzinfo is not None and dt.utcoffset() is not None:
        delta = dt - _EPOCH_UTC
    else:
        delta = dt - _EPOCH  # naive datetimes are UTC, as in the DataStax driver
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def _udt_fields(value):
    """The (name, value) pairs of a UDT value, or None when `value` is not one."""
    fields = getattr(type(value), "_cqlbridge_udt_fields", None)
    if fields is not None:
        return [(f, getattr(value, f)) for f in fields]
    return None


def _write(out, v):
    """Appends the tagged encoding of `v` to the bytearray `out`."""
    t = type(v)
    if v is None:
        out.append(NULL)
    elif t is str:
        b = _utf8(v)
        out += _tag_u32.pack(TEXT, len(b))
        out += b
    elif t is bool:
        out += bytes((BOOLEAN, 1 if v else 0))
    elif t is int:
        if _I64_MIN <= v <= _I64_MAX:
            out += _tag_i64.pack(BIGINT, v)
        else:
            b = _varint_bytes(v)
            out += _tag_u32.pack(VARINT, len(b))
            out += b
    elif t is float:
        out += _tag_f64.pack(DOUBLE, v)
    elif t is uuid.UUID:
        out.append(UUID)
        out += v.bytes
    elif t is datetime.datetime:
        out += _tag_i64.pack(TIMESTAMP, _timestamp_ms(v))
    elif t is bytes or t is bytearray or t is memoryview:
        out += _tag_u32.pack(BLOB, len(v))
        out += v
    elif t is list:
        out += _tag_u32.pack(LIST, len(v))
        for x in v:
            _write(out, x)
    elif t is set or t is frozenset:
        out += _tag_u32.pack(SET, len(v))
        for x in v:
            _write(out, x)
    elif t is dict:
        out += _tag_u32.pack(MAP, len(v))
        for k, x in v.items():
            _write(out, k)
            _write(out, x)
    elif t is tuple:
        out += _tag_u32.pack(TUPLE, len(v))
        for x in v:
            _write(out, x)
    else:
        _write_other(out, v)


def _write_other(out, v):
    if v is UNSET_VALUE:
        out.append(UNSET)
    elif isinstance(v, bool):
        out += bytes((BOOLEAN, 1 if v else 0))
    elif isinstance(v, int):
        _write(out, int(v))
    elif isinstance(v, float):
        _write(out, float(v))
    elif isinstance(v, str):
        _write(out, str(v))
    elif isinstance(v, Decimal):
        if not v.is_finite():
            raise PackError(f"{v} cannot be stored in a CQL decimal")
        sign, digits, exponent = v.as_tuple()
        unscaled = int("".join(map(str, digits)) or "0")
        b = _varint_bytes(-unscaled if sign else unscaled)
        out.append(DECIMAL)
        out += _scale.pack(-exponent)
        out += _u32.pack(len(b))
        out += b
    elif isinstance(v, uuid.UUID):
        out.append(UUID)
        out += v.bytes
    elif isinstance(v, datetime.datetime):
        out += _tag_i64.pack(TIMESTAMP, _timestamp_ms(v))
    elif isinstance(v, datetime.date):
        out.append(DATE)
        out += _i32.pack((v - _EPOCH_DATE).days)
    elif isinstance(v, Date):
        out.append(DATE)
        out += _i32.pack(v.days_from_epoch)
    elif isinstance(v, (datetime.time, Time)):
        out.append(TIME)
        out += _i64.pack(Time(v).nanosecond_time)
    elif isinstance(v, Duration):
        out.append(DURATION)
        out += _duration.pack(v.months, v.days, v.nanoseconds)
    elif isinstance(v, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        out += bytes((INET, len(v.packed)))
        out += v.packed
    elif isinstance(v, (bytes, bytearray, memoryview)):
        b = bytes(v)
        out += _tag_u32.pack(BLOB, len(b))
        out += b
    else:
        fields = _udt_fields(v)
        if fields is not None:
            out.append(UDT)
            _write_str(out, "")
            _write_str(out, "")
            out += _u32.pack(len(fields))
            for name, x in fields:
                _write_str(out, name)
                _write(out, x)
        elif isinstance(v, tuple):
            _write(out, tuple(v))
        elif isinstance(v, list):
            _write(out, list(v))
        elif isinstance(v, (set, frozenset)):
            _write(out, set(v))
        elif isinstance(v, dict):
            _write(out, dict(v))
        else:
            raise PackError(f"a {type(v).__name__} value has no CQL type: {v!r}")


def _write_bytes(out, b):
    out += _u32.pack(len(b))
    out += b


def _write_str(out, s):
    _write_bytes(out, _utf8(s))


def _write_row(out, row):
    out += _u32.pack(len(row))
    for v in row:
        _write(out, v)


def pack_rows(rows):
    """Packs a sequence of rows (each a sequence of values) into one buffer."""
    out = bytearray(_u32.pack(len(rows)))
    for row in rows:
        out += _u32.pack(len(row))
        for v in row:
            _write(out, v)
    return bytes(out)


# ------------------------------------------------------------------------------- decoding

_udt_classes = {}  # (keyspace, name) -> class registered by the application
_udt_tuples = {}  # (keyspace, name, fields) -> namedtuple class made here


def register_udt(keyspace, name, klass):
    """Makes values of the UDT `keyspace.name` decode as instances of `klass`."""
    _udt_classes[(keyspace, name)] = klass


def _freeze(v):
    """A hashable stand-in for a decoded collection used as a set element or map key."""
    if isinstance(v, list):
        return tuple(_freeze(x) for x in v)
    if isinstance(v, set):
        return frozenset(_freeze(x) for x in v)
    if isinstance(v, dict):
        return tuple((_freeze(k), _freeze(x)) for k, x in v.items())
    return v


class _Reader:
    __slots__ = ("buf", "pos")

    def __init__(self, buf):
        self.buf = buf
        self.pos = 0

    def u32(self):
        (n,) = _u32.unpack_from(self.buf, self.pos)
        self.pos += 4
        return n

    def raw(self, n):
        start = self.pos
        self.pos = start + n
        return self.buf[start:self.pos]

    def str(self):
        n = self.u32()
        start = self.pos
        self.pos = start + n
        return str(self.buf[start:self.pos], "utf-8")

    def opt_bytes(self):
        n = self.u32()
        if n == _NONE_LEN:
            return None
        return bytes(self.raw(n))

    def value(self):
        t = self.buf[self.pos]
        self.pos += 1
        return _DECODERS[t](self)


def _fixed(s, wrap=None):
    size = s.size
    unpack_from = s.unpack_from
    if wrap is None:
        def read(r):
            (v,) = unpack_from(r.buf, r.pos)
            r.pos += size
            return v
    else:
        def read(r):
            (v,) = unpack_from(r.buf, r.pos)
            r.pos += size
            return wrap(v)
    return read


def _seq(r):
    return [r.value() for _ in range(r.u32())]


def _set(r):
    items = _seq(r)
    try:
        return set(items)
    except TypeError:
        return {_freeze(x) for x in items}


def _map(r):
    n = r.u32()
    out = {}
    for _ in range(n):
        k = r.value()
        v = r.value()
        try:
            out[k] = v
        except TypeError:
            out[_freeze(k)] = v
    return out


def _udt(r):
    keyspace = r.str()
    name = r.str()
    n = r.u32()
    fields = []
    values = []
    for _ in range(n):
        fields.append(r.str())
        values.append(r.value())
    klass = _udt_classes.get((keyspace, name))
    if klass is not None:
        obj = klass.__new__(klass)
        for f, v in zip(fields, values):
            setattr(obj, f, v)
        return obj
    key = (keyspace, name, tuple(fields))
    tuple_class = _udt_tuples.get(key)
    if tuple_class is None:
        tuple_class = namedtuple(name if name.isidentifier() else "udt", fields, rename=True)
        _udt_tuples[key] = tuple_class
    return tuple_class(*values)


def _decimal(r):
    (scale,) = _scale.unpack_from(r.buf, r.pos)
    r.pos += 4
    unscaled = int.from_bytes(r.raw(r.u32()), "big", signed=True)
    digits = tuple(int(d) for d in str(abs(unscaled)))
    return Decimal((1 if unscaled < 0 else 0, digits, -scale))


def _timestamp(r):
    (ms,) = _i64.unpack_from(r.buf, r.pos)
    r.pos += 8
    try:
        return _EPOCH + datetime.timedelta(milliseconds=ms)
    except OverflowError:
        return ms  # outside datetime's years 1-9999: the raw milliseconds


def _inet(r):
    n = r.buf[r.pos]
    r.pos += 1
    return str(ipaddress.ip_address(bytes(r.raw(n))))


def _duration_value(r):
    months, days, nanos = _duration.unpack_from(r.buf, r.pos)
    r.pos += _duration.size
    return Duration(months, days, nanos)


def _unknown(r):
    raise ValueError(f"unknown value tag 0x{r.buf[r.pos - 1]:02x} at byte {r.pos - 1}")


_DECODERS = [_unknown] * 256
_DECODERS[NULL] = lambda r: None
_DECODERS[UNSET] = lambda r: UNSET_VALUE
_DECODERS[EMPTY] = lambda r: None
_DECODERS[ASCII] = _Reader.str
_DECODERS[TEXT] = _Reader.str
_DECODERS[BOOLEAN] = _fixed(struct.Struct("<?"))
_DECODERS[TINYINT] = _fixed(_i8)
_DECODERS[SMALLINT] = _fixed(_i16)
_DECODERS[INT] = _fixed(_i32)
_DECODERS[BIGINT] = _fixed(_i64)
_DECODERS[COUNTER] = _fixed(_i64)
_DECODERS[VARINT] = lambda r: int.from_bytes(r.raw(r.u32()), "big", signed=True)
_DECODERS[FLOAT] = _fixed(_f32)
_DECODERS[DOUBLE] = _fixed(_f64)
_DECODERS[DECIMAL] = _decimal
_DECODERS[BLOB] = lambda r: bytes(r.raw(r.u32()))
_DECODERS[UUID] = lambda r: uuid.UUID(bytes=bytes(r.raw(16)))
_DECODERS[TIMEUUID] = _DECODERS[UUID]
_DECODERS[INET] = _inet
_DECODERS[DATE] = _fixed(_i32, Date)
_DECODERS[TIME] = _fixed(_i64, Time)
_DECODERS[TIMESTAMP] = _timestamp
_DECODERS[DURATION] = _duration_value
_DECODERS[LIST] = _seq
_DECODERS[SET] = _set
_DECODERS[MAP] = _map
_DECODERS[TUPLE] = lambda r: tuple(_seq(r))
_DECODERS[UDT] = _udt
_DECODERS[VECTOR] = _seq


Column = namedtuple("Column", ["keyspace", "table", "name", "type"])
Page = namedtuple("Page", ["columns", "rows", "paging_state", "warnings", "tracing_id", "coordinator"])


def unpack_rows(buf):
    """Unpacks a buffer of rows (the inverse of pack_rows)."""
    r = _Reader(memoryview(buf))
    rows = []
    for _ in range(r.u32()):
        rows.append([r.value() for _ in range(r.u32())])
    return rows


def _rows(r, nrows, ncols):
    """`nrows` rows of `ncols` values as tuples. The common scalar types are decoded inline,
    the rest by their decoders: a page's values are most of what a scan costs in Python."""
    buf, pos = r.buf, r.pos
    u32, i32, i64, f64 = _u32.unpack_from, _i32.unpack_from, _i64.unpack_from, _f64.unpack_from
    decoders = _DECODERS
    rows = []
    rng = range(ncols)
    for _ in range(nrows):
        row = []
        for _ in rng:
            t = buf[pos]
            if t == TEXT or t == ASCII:
                (n,) = u32(buf, pos + 1)
                start = pos + 5
                pos = start + n
                row.append(str(buf[start:pos], "utf-8"))
            elif t == BIGINT:
                row.append(i64(buf, pos + 1)[0])
                pos += 9
            elif t == INT:
                row.append(i32(buf, pos + 1)[0])
                pos += 5
            elif t == NULL:
                row.append(None)
                pos += 1
            elif t == DOUBLE:
                row.append(f64(buf, pos + 1)[0])
                pos += 9
            else:
                r.pos = pos + 1
                row.append(decoders[t](r))
                pos = r.pos
        rows.append(tuple(row))
    r.pos = pos
    return rows


def unpack_page(buf):
    """Unpacks a result page: columns, rows (as tuples), paging state, warnings, tracing id,
    coordinator."""
    r = _Reader(memoryview(buf))
    columns = [Column(r.str(), r.str(), r.str(), r.str()) for _ in range(r.u32())]
    ncols = len(columns)
    rows = _rows(r, r.u32(), ncols)
    paging_state = r.opt_bytes()
    warnings = [r.str() for _ in range(r.u32())]
    trace = r.opt_bytes()
    coordinator = r.str() or None
    return Page(columns, rows, paging_state, warnings, uuid.UUID(bytes=trace) if trace else None, coordinator)


def unpack_named(buf):
    """Unpacks a count and then (name, value) pairs into a dict."""
    if not buf:
        return {}
    r = _Reader(memoryview(buf))
    return {r.str(): r.value() for _ in range(r.u32())}


# Mapper requests (bindings/PACKED.md, "Mapper requests"): an operation, then its fields.
MODEL_CREATE, MODEL_SAVE, MODEL_UPDATE, MODEL_DELETE, MODEL_GET, MODEL_SELECT_PAGE, MODEL_COUNT = range(7)


def _write_strs(out, items):
    out += _u32.pack(len(items))
    for item in items:
        _write_str(out, item)


def _write_flagged(out, fields):
    """A u8 of flags, then the fields whose flag is set: `fields` are (bit, struct or None
    for a flag alone, value or condition)."""
    flags, tail = 0, bytearray()
    for bit, fmt, value in fields:
        if fmt is None:
            if value:
                flags |= bit
        elif value is not None:
            flags |= bit
            tail += fmt.pack(value)
    out.append(flags)
    out += tail


def _write_options(out, o):
    """A ModelWriteOptions record, packed."""
    _write_flagged(out, ((0x01, _i32, o.ttl), (0x02, _i64, o.timestamp), (0x04, _u16, o.consistency),
                         (0x08, _u64, o.timeout_ms), (0x10, None, o.if_not_exists),
                         (0x20, None, o.if_exists)))
    _write_bytes(out, o.conditions)


def _write_query(out, q):
    """A ModelQueryDef record, packed."""
    _write_bytes(out, q.filters)
    out += _u32.pack(len(q.order_by))
    for o in q.order_by:
        _write_str(out, o.column)
        out.append(1 if o.descending else 0)
    _write_flagged(out, ((0x01, _i32, q.limit), (0x02, None, q.allow_filtering), (0x04, None, q.distinct),
                         (0x08, _u16, q.consistency), (0x10, _u64, q.timeout_ms), (0x20, _i32, q.page_size)))
    _write_strs(out, q.only)
    _write_strs(out, q.defer)


def model_write_request(op, options, *blobs, columns=None):
    """A create (values), save (original, current), update (key, changes) or delete (key,
    with `columns`) with its ModelWriteOptions."""
    out = bytearray((op,))
    for b in blobs:
        _write_bytes(out, b)
    if op == MODEL_DELETE:
        _write_strs(out, columns or [])
    _write_options(out, options)
    return bytes(out)


def model_query_request(op, query, paging_state=None):
    """A get, count or select page (from `paging_state`) of a ModelQueryDef."""
    out = bytearray((op,))
    _write_query(out, query)
    if op == MODEL_SELECT_PAGE:
        if paging_state is None:
            out += _NO_PAGING_STATE
        else:
            _write_bytes(out, paging_state)
    return bytes(out)


def unpack_model_page(buf):
    """A mapper page's outcome: the packed rows, and the paging state of the next page (None
    after the last)."""
    r = _Reader(memoryview(buf))
    rows = bytes(r.raw(r.u32()))
    return rows, r.opt_bytes()


def pack_named(pairs):
    """Packs (name, value) pairs: a count, then each name and value."""
    out = bytearray(_u32.pack(len(pairs)))
    for name, v in pairs:
        _write_str(out, name)
        _write(out, v)
    return bytes(out)


def pack_value(v):
    """Packs one tagged value."""
    out = bytearray()
    _write(out, v)
    return bytes(out)


def pack_triples(triples):
    """Packs (name, code, value) triples: a count, then each name, code byte and value."""
    out = bytearray(_u32.pack(len(triples)))
    for name, code, v in triples:
        _write_str(out, name)
        out.append(code)
        _write(out, v)
    return bytes(out)


def unpack_model_row(buf):
    """(model name, {attribute: value}) from one packed model row."""
    r = _Reader(memoryview(buf))
    model = r.str()
    return model, {r.str(): r.value() for _ in range(r.u32())}


def unpack_model_rows(buf):
    """[(model name, {attribute: value})] from a packed page of model rows."""
    r = _Reader(memoryview(buf))
    rows = []
    for _ in range(r.u32()):
        model = r.str()
        rows.append((model, {r.str(): r.value() for _ in range(r.u32())}))
    return rows


# ------------------------------------------------------------------------------- requests

_request_head = struct.Struct("<QB")
_u64 = struct.Struct("<Q")
_u16 = struct.Struct("<H")
_NO_PAGING_STATE = _u32.pack(_NONE_LEN)
_completion_head = struct.Struct("<QIB")


def statement_ref_cql(cql):
    """The request bytes naming a CQL string."""
    b = cql.encode("utf-8")
    return b"\x00" + _u32.pack(len(b)) + b


def statement_ref_prepared(prepared_id):
    """The request bytes naming a prepared statement."""
    return b"\x01" + _u64.pack(prepared_id)


def pack_options(consistency=None, serial_consistency=None, page_size=None, timeout_ms=None,
                 idempotent=False, tracing=False, profile=None, host=None):
    """A request's options block (cache it: it is the same for many requests)."""
    flags = 0
    out = bytearray()
    if consistency is not None:
        flags |= 0x01
        out += _u16.pack(consistency)
    if serial_consistency is not None:
        flags |= 0x02
        out += _u16.pack(serial_consistency)
    if page_size is not None:
        flags |= 0x04
        out += _i32.pack(page_size)
    if timeout_ms is not None:
        flags |= 0x08
        out += _u64.pack(timeout_ms)
    if idempotent:
        flags |= 0x10
    if tracing:
        flags |= 0x20
    if profile is not None:
        flags |= 0x40
        _write_str(out, profile)
    if host is not None:
        flags |= 0x80
        _write_str(out, host)
    return bytes((flags,)) + bytes(out)


def request_single(request_id, statement_ref, paging_state, options, values):
    """One execution (kind 0)."""
    out = bytearray(_request_head.pack(request_id, 0))
    out += statement_ref
    if paging_state is None:
        out += _NO_PAGING_STATE
    else:
        out += _u32.pack(len(paging_state))
        out += paging_state
    out += options
    _write_row(out, values)
    return bytes(out)


def request_batch(request_id, batch_type, options, items):
    """A batch (kind 1) of (statement_ref, values) items."""
    out = bytearray(_request_head.pack(request_id, 1))
    out.append(batch_type)
    out += options
    out += _u32.pack(len(items))
    for ref, values in items:
        out += ref
        _write_row(out, values)
    return bytes(out)


def request_concurrent(request_id, statement_ref, concurrency, raise_on_first_error, options, rows):
    """One statement per row of values (kind 2)."""
    out = bytearray(_request_head.pack(request_id, 2))
    out += statement_ref
    out += _u32.pack(concurrency)
    out.append(1 if raise_on_first_error else 0)
    out += options
    out += _u32.pack(len(rows))
    for row in rows:
        _write_row(out, row)
    return bytes(out)


def pack_requests(requests):
    """Several packed requests in one buffer, for `submit_many`: a count, then each framed
    by its length."""
    out = bytearray(_u32.pack(len(requests)))
    for request in requests:
        out += _u32.pack(len(request))
        out += request
    return bytes(out)


def unpack_completions(packed, errors):
    """[(id, index, page buffer or ErrorInfo)] from a drained queue."""
    mv = memoryview(packed)
    (n,) = _u32.unpack_from(mv, 0)
    pos = 4
    out = []
    for _ in range(n):
        request_id, index, ok = _completion_head.unpack_from(mv, pos)
        pos += 13
        (length,) = _u32.unpack_from(mv, pos)
        pos += 4
        if ok:
            out.append((request_id, index, mv[pos:pos + length]))
            pos += length
        else:
            out.append((request_id, index, errors[length]))
    return out
