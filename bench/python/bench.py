"""One Python benchmark run: a workload through one driver against the local node, printed as
one JSON line (ops/s, client CPU µs per op over the timed part, p50/p99 latency, peak RSS).
Drivers: cqlbridge (this project), cassandra (the DataStax driver, with its C extensions),
acsylla, scyllapy; none compresses frames (the node is local), as in the other tiers. Usage: bench.py <driver> <workload> <concurrency or page size> <ops>.
Workloads: insert and select (`concurrency` in flight); scan (the table `kv`, or `kv1m` for
scan1m, page by page: its operations are rows, its latencies pages; scan1m also reports the
RSS growth over the scan); create and get (the mapper: cqlengine models, one at a time)."""

import asyncio
import datetime
import json
import os
import resource
import sys
import threading
import time
import uuid

KS = "cqlbridge_bench"
INSERT = f"INSERT INTO {KS}.kv (k, a, t) VALUES (?, ?, ?)"
SELECT = f"SELECT k, a, t FROM {KS}.kv WHERE k = ?"


def host():
    return os.environ.get("CQLB_CONTACT_POINTS", "127.0.0.1").split(",")[0].split(":")[0]


def args_of(workload, i):
    return (i, i * 7, f"value {i}") if workload == "insert" else (i % 100_000,)


def callback_driver(module, workload, concurrency, ops):
    """cqlbridge and the DataStax driver share an API: execute_async + add_callbacks, with
    at most `concurrency` requests in flight."""
    cluster_mod = __import__(f"{module}.cluster", fromlist=["Cluster"])
    cluster = cluster_mod.Cluster([host()], compression=False)
    session = cluster.connect()
    stmt = session.prepare(INSERT if workload == "insert" else SELECT)
    latencies = [0.0] * ops
    done = threading.Event()
    lock = threading.Lock()
    state = {"next": 0, "finished": 0}

    def start_one():
        with lock:
            i = state["next"]
            if i >= ops:
                return
            state["next"] += 1
        started = time.perf_counter()
        f = session.execute_async(stmt, args_of(workload, i))
        f.add_callbacks(finished, failed, callback_args=(i, started), errback_args=(i,))

    def finished(_rows, i, started):
        latencies[i] = time.perf_counter() - started
        with lock:
            state["finished"] += 1
            all_done = state["finished"] == ops
        if all_done:
            done.set()
        else:
            start_one()

    def failed(exc, i):
        print(f"request {i} failed: {exc}", file=sys.stderr)
        os._exit(1)

    cpu0, t0 = time.process_time(), time.perf_counter()
    for _ in range(min(concurrency, ops)):
        start_one()
    done.wait()
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    cluster.shutdown()
    return elapsed, cpu, latencies


async def asyncio_driver(name, workload, concurrency, ops):
    if name == "acsylla":
        import acsylla
        cluster = acsylla.create_cluster([host()])
        session = await cluster.create_session()
        prepared = await session.create_prepared(INSERT if workload == "insert" else SELECT)

        async def one(i):
            await session.execute(prepared.bind(list(args_of(workload, i))))
    else:
        from scyllapy import Scylla
        session = Scylla([f"{host()}:9042"])
        await session.startup()
        prepared = await session.prepare(INSERT if workload == "insert" else SELECT)

        async def one(i):
            await session.execute(prepared, list(args_of(workload, i)))

    latencies = [0.0] * ops
    sem = asyncio.Semaphore(concurrency)

    async def timed(i):
        async with sem:
            started = time.perf_counter()
            await one(i)
            latencies[i] = time.perf_counter() - started

    cpu0, t0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(timed(i) for i in range(ops)))
    return time.perf_counter() - t0, time.process_time() - cpu0, latencies


def rss_kb(field):
    """VmRSS (now) or VmHWM (the peak so far) of this process, in kB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def scan_callback_driver(module, table, page_size):
    """cqlbridge and the DataStax driver: a SimpleStatement with a fetch size; iterating the
    ResultSet fetches each next page when the current one is read."""
    cluster_mod = __import__(f"{module}.cluster", fromlist=["Cluster"])
    query_mod = __import__(f"{module}.query", fromlist=["SimpleStatement"])
    cluster = cluster_mod.Cluster([host()], compression=False)
    session = cluster.connect()
    stmt = query_mod.SimpleStatement(f"SELECT k, a, t FROM {KS}.{table}", fetch_size=page_size)
    session.execute(f"SELECT k FROM {KS}.{table} LIMIT 1")  # the CQL's metadata, outside the timing
    rss0 = rss_kb("VmRSS")
    latencies, rows = [], 0
    cpu0, t0 = time.process_time(), time.perf_counter()
    started = time.perf_counter()
    result = session.execute(stmt)
    while True:
        for row in result.current_rows:
            row[0], row[1], row[2]
            rows += 1
        latencies.append(time.perf_counter() - started)
        if not result.has_more_pages:
            break
        started = time.perf_counter()
        result.fetch_next_page()
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    growth = rss_kb("VmHWM") - rss0
    cluster.shutdown()
    return elapsed, cpu, latencies, rows, growth


async def scan_asyncio_driver(name, table, page_size):
    """acsylla (page state by hand) and scyllapy (paged iteration; its page size cannot be
    set: the scylla crate's default, 5000)."""
    latencies, rows = [], 0
    if name == "acsylla":
        import acsylla
        cluster = acsylla.create_cluster([host()])
        session = await cluster.create_session()
        prepared = await session.create_prepared(f"SELECT k, a, t FROM {KS}.{table}")
        rss0 = rss_kb("VmRSS")
        cpu0, t0 = time.process_time(), time.perf_counter()
        state = None
        while True:
            started = time.perf_counter()
            statement = prepared.bind(page_size=page_size, page_state=state)
            result = await session.execute(statement)
            for row in result:
                row.as_tuple()
                rows += 1
            latencies.append(time.perf_counter() - started)
            if not result.has_more_pages():
                break
            state = result.page_state()
    else:
        from scyllapy import Scylla
        session = Scylla([f"{host()}:9042"])
        await session.startup()
        prepared = await session.prepare(f"SELECT k, a, t FROM {KS}.{table}")
        rss0 = rss_kb("VmRSS")
        cpu0, t0 = time.process_time(), time.perf_counter()
        started = time.perf_counter()
        async for row in await session.execute(prepared, paged=True):
            row["k"], row["a"], row["t"]
            rows += 1
        latencies.append(time.perf_counter() - started)  # one figure: the pages are not seen
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    return elapsed, cpu, latencies, rows, rss_kb("VmHWM") - rss0


def mapper(module, workload, ops):
    """cqlengine (the DataStax driver's mapper) or cqlbridge's: Model.create, or
    Model.objects.get by key, one at a time (the mapper's API is synchronous)."""
    connection = __import__(f"{module}.cqlengine.connection", fromlist=["setup"])
    columns = __import__(f"{module}.cqlengine.columns", fromlist=["UUID"])
    models = __import__(f"{module}.cqlengine.models", fromlist=["Model"])
    management = __import__(f"{module}.cqlengine.management", fromlist=["sync_table"])
    connection.setup([host()], KS, compression=False)

    class BenchModel(models.Model):
        __table_name__ = "mapped"
        id = columns.UUID(primary_key=True)
        name = columns.Text()
        created = columns.DateTime()
        tags = columns.List(columns.Text)
        attrs = columns.Map(columns.Text, columns.Text)
        count = columns.Integer()
        score = columns.Double()

    management.sync_table(BenchModel)
    ids = [uuid.UUID(int=i + 1) for i in range(ops)]
    now = datetime.datetime(2026, 12, 1, 12, 0, 0)
    if workload == "get":  # the rows to read, outside the timing
        for i in range(min(ops, 1000)):
            BenchModel.create(id=ids[i], name=f"model {i}", created=now, tags=["a", "b"],
                              attrs={"k": "v"}, count=i, score=i / 2)
    latencies = [0.0] * ops
    cpu0, t0 = time.process_time(), time.perf_counter()
    for i in range(ops):
        started = time.perf_counter()
        if workload == "create":
            BenchModel.create(id=ids[i], name=f"model {i}", created=now, tags=["a", "b"],
                              attrs={"k": "v"}, count=i, score=i / 2)
        else:
            BenchModel.objects.get(id=ids[i % 1000]).name
        latencies[i] = time.perf_counter() - started
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    return elapsed, cpu, latencies


def main():
    driver, workload, concurrency, ops = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    extra = {}
    if workload in ("scan", "scan1m"):
        table = "kv1m" if workload == "scan1m" else "kv"
        if driver in ("cqlbridge", "cassandra"):
            elapsed, cpu, lat, ops, growth = scan_callback_driver(driver, table, concurrency)
        else:
            elapsed, cpu, lat, ops, growth = asyncio.run(scan_asyncio_driver(driver, table, concurrency))
        extra["rss_growth_kb"] = growth
    elif workload in ("create", "get"):
        elapsed, cpu, lat = mapper(driver, workload, ops)
    elif driver in ("cqlbridge", "cassandra"):
        elapsed, cpu, lat = callback_driver(driver, workload, concurrency, ops)
    else:
        elapsed, cpu, lat = asyncio.run(asyncio_driver(driver, workload, concurrency, ops))
    lat.sort()
    pct = lambda p: lat[int((len(lat) - 1) * p)] * 1e6
    print(json.dumps({
        "driver": driver, "workload": workload, "concurrency": concurrency, "ops": ops,
        "ops_per_s": ops / elapsed, "cpu_us_per_op": cpu * 1e6 / ops,
        "p50_us": pct(0.5), "p99_us": pct(0.99),
        "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, **extra,
    }))


if __name__ == "__main__":
    main()
