"""One Python benchmark run: a workload through one driver against the local node, printed as
one JSON line (ops/s, client CPU µs per op over the timed part, p50/p99 latency, peak RSS).
Drivers: cqlbridge (this project), cassandra (the DataStax driver, with its C extensions),
acsylla, scyllapy. Usage: bench.py <driver> <insert|select> <concurrency> <ops>."""

import asyncio
import json
import os
import resource
import sys
import threading
import time

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
    cluster = cluster_mod.Cluster([host()])
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


def main():
    driver, workload, concurrency, ops = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    if driver in ("cqlbridge", "cassandra"):
        elapsed, cpu, lat = callback_driver(driver, workload, concurrency, ops)
    else:
        elapsed, cpu, lat = asyncio.run(asyncio_driver(driver, workload, concurrency, ops))
    lat.sort()
    pct = lambda p: lat[int((len(lat) - 1) * p)] * 1e6
    print(json.dumps({
        "driver": driver, "workload": workload, "concurrency": concurrency, "ops": ops,
        "ops_per_s": ops / elapsed, "cpu_us_per_op": cpu * 1e6 / ops,
        "p50_us": pct(0.5), "p99_us": pct(0.99),
        "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }))


if __name__ == "__main__":
    main()
