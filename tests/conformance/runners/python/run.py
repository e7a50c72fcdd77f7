"""The Python conformance runner: every scenario through the `cqlbridge` package (the DataStax
driver's API), written canonically (tests/conformance/README.md).
Usage: run.py <scenarios dir> <output file>."""

import datetime
import ipaddress
import json
import math
import os
import pathlib
import struct
import sys
import time
import uuid
from decimal import Decimal

from cqlbridge.cluster import Cluster
from cqlbridge.concurrent import execute_concurrent_with_args
from cqlbridge.query import BatchStatement, BatchType, SimpleStatement
from cqlbridge.util import UNSET_VALUE, Date, Duration, Time
from cqlbridge.cqlengine import ValidationError, columns, connection
from cqlbridge.cqlengine.management import sync_table
from cqlbridge.cqlengine.models import Model, PolymorphicModelException
from cqlbridge.cqlengine.query import (
    BatchQuery, DoesNotExist, LWTException, MultipleObjectsReturned, QueryException,
)

KEYSPACE = "conformance_python"
EPOCH = datetime.datetime(1970, 1, 1)


# -- typed input values -> Python values

def value(v):
    if v is None:
        return None
    tag = v[0]
    if tag == "unset":
        return UNSET_VALUE
    arg = v[1]
    if tag in ("tinyint", "smallint", "int", "bigint", "varint", "counter"):
        return int(arg)
    if tag in ("float", "double"):
        return float(arg)
    if tag == "decimal":
        return Decimal(arg)
    if tag in ("text", "ascii"):
        return arg
    # Bad-input forms (README): a text of n 'x', n copies of a value, a UUID given as a str,
    # raw bytes as text: a str carrying them as lone surrogates (surrogateescape, Python's
    # own way to hold undecodable bytes in a str).
    if tag == "long_text":
        return "x" * int(arg)
    if tag == "repeat":
        return [value(arg[1])] * int(arg[0])
    if tag == "uuid_text":
        return arg
    if tag == "text_bytes":
        return bytes.fromhex(arg).decode("utf-8", "surrogateescape")
    if tag == "boolean":
        return arg == "true"
    if tag == "blob":
        return bytes.fromhex(arg)
    if tag in ("uuid", "timeuuid"):
        return uuid.UUID(arg)
    if tag == "inet":
        return arg
    if tag == "date":
        return Date(int(arg))
    if tag == "time":
        return Time(int(arg))
    if tag == "timestamp":
        return EPOCH + datetime.timedelta(milliseconds=int(arg))
    if tag == "duration":
        months, days, nanos = (int(x) for x in arg.split(","))
        return Duration(months, days, nanos)
    if tag in ("list", "vector"):
        return [value(x) for x in arg]
    if tag == "set":
        return {frozen(value(x)) for x in arg}
    if tag == "tuple":
        return tuple(value(x) for x in arg)
    if tag == "map":
        return {frozen(value(k)): value(x) for k, x in arg}
    if tag == "udt":
        return {k: value(x) for k, x in arg.items()}
    raise ValueError(f"unknown value type {tag!r}")


def frozen(v):
    if isinstance(v, list):
        return tuple(frozen(x) for x in v)
    if isinstance(v, set):
        return frozenset(frozen(x) for x in v)
    return v


def values(vs):
    return [value(v) for v in vs or []]


# -- CQL types (as result metadata writes them) and canonical output

def parse_type(s):
    """("name", [parameters]) from "map<text, frozen<list<int>>>"."""
    s = s.strip()
    if s.startswith("frozen<"):
        return parse_type(s[7:-1])
    if "<" not in s:
        return (s, [])
    name, rest = s.split("<", 1)
    rest = rest[:-1]
    params, depth, start = [], 0, 0
    for i, ch in enumerate(rest):
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth -= 1
        elif ch == "," and depth == 0:
            params.append(rest[start:i])
            start = i + 1
    params.append(rest[start:])
    return (name.strip(), [parse_type(p) for p in params])


def float_text(x, width):
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if width == 32:
        return "0x%08x" % struct.unpack("<I", struct.pack("<f", x))[0]
    return "0x%016x" % struct.unpack("<Q", struct.pack("<d", x))[0]


def canonical(v, typ):
    if v is None:
        return None
    name, params = typ
    if name in ("tinyint", "smallint", "int", "bigint", "varint", "counter"):
        return str(int(v))
    if name == "float":
        return float_text(v, 32)
    if name == "double":
        return float_text(v, 64)
    if name == "decimal":
        sign, digits, exp = v.as_tuple()
        unscaled = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
        return f"{unscaled}e{exp}"
    if name in ("text", "ascii", "varchar"):
        return v
    if name == "boolean":
        return "true" if v else "false"
    if name == "blob":
        return bytes(v).hex()
    if name in ("uuid", "timeuuid"):
        return str(v)
    if name == "inet":
        return ipaddress.ip_address(v).packed.hex()
    if name == "date":
        return str(v.days_from_epoch)
    if name == "time":
        return str(v.nanosecond_time)
    if name == "timestamp":
        delta = v - EPOCH
        return str((delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000)
    if name == "duration":
        return f"{v.months},{v.days},{v.nanoseconds}"
    if name == "list":
        return [canonical(x, params[0]) for x in v]
    if name == "set":
        # A Python set has no order: written in the server's (the element type's) order.
        try:
            v = sorted(v)
        except TypeError:
            pass
        return [canonical(x, params[0]) for x in v]
    if name == "vector":
        return [canonical(x, params[0]) for x in v]
    if name == "map":
        return [[canonical(k, params[0]), canonical(x, params[1])] for k, x in v.items()]
    if name == "tuple":
        return [canonical(x, t) for x, t in zip(v, params)]
    # A user-defined type: fields canonicalized from their values.
    fields = v._asdict() if hasattr(v, "_asdict") else dict(vars(v))
    return {k: untyped(x) for k, x in fields.items()}


def untyped(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return v
    if isinstance(v, float):
        return float_text(v, 64)
    if isinstance(v, (list, tuple, set, frozenset)):
        return [untyped(x) for x in v]
    if isinstance(v, dict):
        return [[untyped(k), untyped(x)] for k, x in v.items()]
    return str(v)


def rows_of(rs):
    types = [parse_type(t) for t in rs.column_types]
    return [[canonical(x, t) for x, t in zip(row, types)] for row in rs.current_rows]


def applied_of(rs):
    if rs.column_names and rs.column_names[0] == "[applied]":
        return bool(rs.current_rows[0][0])
    return None


def kind(e):
    """Core's error kind of an exception (cqlengine's exceptions by their meaning)."""
    for cls, name in ((LWTException, "LwtFailed"), (DoesNotExist, "DoesNotExist"),
                      (PolymorphicModelException, "InvalidArgument"),
                      (MultipleObjectsReturned, "MultipleObjectsReturned"),
                      (ValidationError, "ValidationError"), (QueryException, "QueryError")):
        if isinstance(e, cls):
            return name
    return getattr(e, "kind", None) or type(e).__name__


# -- models described as data, as cqlengine classes

_SIMPLE_COLUMNS = {
    "text": columns.Text, "ascii": columns.Ascii, "int": columns.Integer, "bigint": columns.BigInt,
    "smallint": columns.SmallInt, "tinyint": columns.TinyInt, "varint": columns.VarInt,
    "float": columns.Float, "double": columns.Double, "decimal": columns.Decimal,
    "boolean": columns.Boolean, "blob": columns.Blob, "uuid": columns.UUID,
    "timeuuid": columns.TimeUUID, "inet": columns.Inet, "date": columns.Date,
    "time": columns.Time, "timestamp": columns.DateTime, "duration": columns.Duration,
    "counter": columns.Counter,
}


def column_of(typ, **options):
    name, params = typ
    if name == "list":
        return columns.List(column_of(params[0]), **options)
    if name == "set":
        return columns.Set(column_of(params[0]), **options)
    if name == "map":
        return columns.Map(column_of(params[0]), column_of(params[1]), **options)
    if name == "tuple":
        return columns.Tuple(*(column_of(p) for p in params), **options)
    return _SIMPLE_COLUMNS[name](**options)


def model_of(name, spec, models):
    """A cqlengine class for a model described as data; `extends` names a polymorphic base."""
    base = models[spec["extends"]] if "extends" in spec else Model
    attrs = {"_spec_types": dict(getattr(base, "_spec_types", {}))}
    if "extends" in spec:
        attrs["__discriminator_value__"] = value(spec["discriminator_value"])
    else:
        attrs.update({"__table_name__": spec["table"], "__keyspace__": KEYSPACE})
    for c in spec["columns"]:
        options = {}
        if c.get("key") == "partition":
            options["partition_key"] = True
        elif c.get("key") in ("clustering", "clustering_desc"):
            options["primary_key"] = True
            options["clustering_order"] = "DESC" if c["key"] == "clustering_desc" else "ASC"
        if c.get("db_field"):
            options["db_field"] = c["db_field"]
        if c.get("required"):
            options["required"] = True
        if c.get("max_length") is not None:
            options["max_length"] = c["max_length"]
        if spec.get("discriminator") == c["name"]:
            options["discriminator_column"] = True
        attrs[c["name"]] = column_of(parse_type(c["type"]), **options)
        attrs["_spec_types"][c["name"]] = parse_type(c["type"])
    return type(name, (base,), attrs)


def model_row(model, obj):
    """A row's non-null (and non-empty-collection) attributes, canonical by column type."""
    out = {}
    for attr, typ in type(obj)._spec_types.items():
        v = getattr(obj, attr)
        if v is None or (isinstance(v, (list, set, dict, tuple, frozenset)) and not v):
            continue
        out[attr] = canonical(v, typ)
    return out


_OPS = {"eq": "", "in": "__in", "gt": "__gt", "gte": "__gte", "lt": "__lt", "lte": "__lte",
        "contains": "__contains"}


def query_of(model, q):
    qs = model.objects.filter(**{f"{a}{_OPS[op]}": value(v) for a, op, v in q.get("filters", [])})
    for attr, order in q.get("order_by", []):
        qs = qs.order_by(("-" if order == "desc" else "") + attr)
    if q.get("limit") is not None:
        qs = qs.limit(q["limit"])
    return qs


def update_kwargs(model, changes):
    kwargs = {}
    for attr, change, v in changes:
        col = model._columns[attr]
        v = value(v)
        if change == "set":
            kwargs[attr] = v
        elif isinstance(col, columns.Counter):
            kwargs[attr] = v if change == "add" else -v
        elif change == "add":
            kwargs[attr + ("__append" if isinstance(col, columns.List) else "__add")] = v
        elif change in ("remove", "remove_keys"):
            kwargs[attr + "__remove"] = v
        elif change == "prepend":
            kwargs[attr + "__prepend"] = v
        elif change == "put":
            kwargs[attr + "__update"] = v
    return kwargs


def with_options(target, step):
    if step.get("ttl") is not None:
        target = target.ttl(step["ttl"])
    if step.get("if_not_exists"):
        target = target.if_not_exists()
    if step.get("if_exists"):
        target = target.if_exists()
    if step.get("conditions"):
        target = target.iff(**{a + ("" if op == "eq" else f"__{op}"): value(v) for a, op, v in step["conditions"]})
    return target


def run_model_step(step, models):
    if "model_batch" in step:
        with BatchQuery() as b:
            for w in step["model_batch"]:
                m = models[w["model"]]
                if "create" in w:
                    m.batch(b).create(**{k: value(v) for k, v in w["create"].items()})
                elif "update" in w:
                    m.objects(**{k: value(v) for k, v in w["update"]["key"].items()}).batch(b).update(
                        **update_kwargs(m, w["update"]["changes"]))
                else:
                    m.objects(**{k: value(v) for k, v in w["delete"]["key"].items()}).batch(b).delete()
        return {"error": None}
    m = models[step["model"]]
    if "create" in step:
        obj = with_options(m, step).create(**{k: value(v) for k, v in step["create"].items()})
        return {"error": None, "row": model_row(m, obj)}
    if "get" in step:
        return {"error": None, "row": model_row(m, m.get(**{k: value(v) for k, v in step["get"].items()}))}
    if "select" in step:
        return {"error": None, "rows": [model_row(m, o) for o in query_of(m, step["select"])]}
    if "count" in step:
        return {"error": None, "count": str(query_of(m, step["count"]).count())}
    if "update" in step:
        qs = with_options(m.objects(**{k: value(v) for k, v in step["update"]["key"].items()}), step)
        qs.update(**update_kwargs(m, step["update"]["changes"]))
        return {"error": None}
    if "delete" in step:
        qs = with_options(m.objects(**{k: value(v) for k, v in step["delete"]["key"].items()}), step)
        qs.delete()
        return {"error": None}
    raise ValueError(f"unknown model step {step}")


# -- steps

def contact_points():
    return os.environ.get("CQLB_CONTACT_POINTS", "127.0.0.1").split(",")


def run_after_shutdown(step, ks):
    """A closed session and the objects that need one (the C ABI's freed handles): each
    used after its session or cluster was shut down."""
    cluster = Cluster(contact_points(), connect_timeout=20)
    other = cluster.connect()
    what = step.get("freed_handle")
    if "closed_session" in step:
        other.shutdown()
        return other.execute(step["closed_session"].replace("{ks}", ks))
    if what == "session":
        cluster.shutdown()
        return other.execute("SELECT release_version FROM system.local")
    if what in ("statement", "prepared"):
        prepared = other.prepare("SELECT release_version FROM system.local WHERE key = ?")
        bound = prepared.bind(["local"])
        cluster.shutdown()
        return other.execute(bound if what == "statement" else prepared, ["local"] if what == "prepared" else None)
    if what == "result":
        rs = other.execute(SimpleStatement("SELECT keyspace_name FROM system_schema.tables", fetch_size=2))
        cluster.shutdown()
        return list(rs)
    raise ValueError(f"unknown handle {what!r}")


def run_step(session, step, ks, prepared_cache, models):
    def cql(s):
        return s.replace("{ks}", ks)

    if "closed_session" in step or "freed_handle" in step:
        run_after_shutdown(step, ks)
        return {"error": None}
    if "use_keyspace" in step:
        session.set_keyspace(step["use_keyspace"])
        return {"error": None}
    if "connect_keyspace" in step:
        with Cluster(contact_points(), connect_timeout=20) as cluster:
            cluster.connect(step["connect_keyspace"])
        return {"error": None}

    if "model" in step or "model_batch" in step:
        return run_model_step(step, models)
    if "sleep_ms" in step:
        time.sleep(step["sleep_ms"] / 1000)
        return {"error": None}

    if "execute" in step:
        text = cql(step["execute"])
        if step.get("prepared"):
            if text not in prepared_cache:
                prepared_cache[text] = session.prepare(text)
            query = prepared_cache[text].bind(values(step.get("values")))
            query.fetch_size = step.get("page_size")
            rs = session.execute(query)
        else:
            query = SimpleStatement(text.replace("?", "%s"), fetch_size=step.get("page_size"))
            rs = session.execute(query, values(step.get("values")))
        return {"error": None, "rows": rows_of(rs), "applied": applied_of(rs)}
    if "pages" in step:
        st = SimpleStatement(cql(step["pages"]).replace("?", "%s"), fetch_size=step["page_size"])
        rs = session.execute(st, values(step.get("values")))
        pages, rows = [], []
        while True:
            pages.append(len(rs.current_rows))
            rows.extend(rows_of(rs))
            if not rs.has_more_pages:
                break
            rs = session.execute(st, values(step.get("values")), paging_state=rs.paging_state)
        return {"error": None, "pages": pages, "rows": rows}
    if "batch" in step:
        batch = BatchStatement(batch_type=getattr(BatchType, step["batch"]))
        for s in step["statements"]:
            batch.add(SimpleStatement(cql(s["cql"]).replace("?", "%s")), values(s.get("values")))
        rs = session.execute(batch)
        return {"error": None, "applied": applied_of(rs)}
    if "concurrent" in step:
        prepared = session.prepare(cql(step["concurrent"]))
        results = execute_concurrent_with_args(session, prepared, [values(r) for r in step["rows"]],
                                               concurrency=step.get("concurrency", 4), raise_on_first_error=False)
        return {"error": None, "outcomes": ["ok" if ok else kind(r) for ok, r in results]}
    raise ValueError(f"unknown step {step}")


def main(scenarios_dir, output):
    cluster = Cluster(contact_points(), connect_timeout=20)
    session = cluster.connect()
    connection.set_session(session)
    session.execute(f"DROP KEYSPACE IF EXISTS {KEYSPACE}")
    session.execute(f"CREATE KEYSPACE {KEYSPACE} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}")
    results = {}
    for path in sorted(pathlib.Path(scenarios_dir).glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for ddl in doc.get("schema", []):
            session.execute(ddl.replace("{ks}", KEYSPACE))
        prepared_cache = {}
        models = {}
        for name, spec in doc.get("models", {}).items():
            models[name] = model_of(name, spec, models)
        for name in models:
            sync_table(models[name])
        for sc in doc["scenarios"]:
            outcomes = []
            for step in sc["steps"]:
                try:
                    outcomes.append(run_step(session, step, KEYSPACE, prepared_cache, models))
                except Exception as e:  # the outcome of the step is its error kind
                    outcomes.append({"error": kind(e)})
            results[f"{doc['group']}/{sc['name']}"] = outcomes
    cluster.shutdown()
    pathlib.Path(output).parent.mkdir(parents=True, exist_ok=True)
    pathlib.Path(output).write_text(json.dumps({"language": "python", "results": results}, indent=1))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
