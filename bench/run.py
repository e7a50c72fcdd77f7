"""`make bench`: runs the workloads through each driver against the local node, interleaved
(A B A B ...) over several repetitions, and writes bench/results.json and bench/REPORT.md with
the median and the spread of each metric, the ratios against raw scylla, and the versions and
machine. Timings are reported, never asserted.
Usage: run.py [--reps N] [--quick]."""

import argparse
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
BENCH = ROOT / "target" / "release" / "bench"
BENCH_PY = ROOT / ".venv-bench" / "bin" / "python"
# Tiers: each driver, and the peer its ratios are taken against.
DRIVERS = ["raw", "core", "cqlbridge", "cassandra", "acsylla", "scyllapy"]
PYTHON = {"cqlbridge", "cassandra", "acsylla", "scyllapy"}
BASELINE = {"raw": "raw", "core": "raw", "cqlbridge": "cassandra", "cassandra": "cassandra",
            "acsylla": "cassandra", "scyllapy": "cassandra"}
NAMES = {"raw": "raw scylla (Rust)", "core": "cqlbridge core (Rust)",
         "cqlbridge": "cqlbridge (Python)", "cassandra": "cassandra-driver (Python)",
         "acsylla": "acsylla (Python)", "scyllapy": "scyllapy (Python)"}
METRICS = [("ops_per_s", "ops/s", "{:,.0f}"), ("cpu_us_per_op", "CPU µs/op", "{:.1f}"),
           ("p50_us", "p50 µs", "{:.0f}"), ("p99_us", "p99 µs", "{:.0f}"),
           ("peak_rss_kb", "peak RSS MB", "{:.1f}")]


def cql(statement):
    subprocess.run([sys.executable, "-c", f"""
from cqlbridge.cluster import Cluster
c = Cluster({contact_points()!r})
s = c.connect()
s.execute({statement!r})
c.shutdown()
"""], check=True)


def contact_points():
    return os.environ.get("CQLB_CONTACT_POINTS", "127.0.0.1").split(",")


def run(driver, workload, concurrency, ops):
    if driver in PYTHON:
        cmd = [str(BENCH_PY), str(ROOT / "bench" / "python" / "bench.py")]
    else:
        cmd = [str(BENCH)]
    out = subprocess.run(cmd + [driver, workload, str(concurrency), str(ops)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def python_versions():
    code = ("import importlib.metadata as m, platform\n"
            "print(platform.python_version(), *[m.version(p) for p in "
            "('cqlbridge', 'cassandra-driver', 'acsylla', 'scyllapy')])")
    out = subprocess.run([str(BENCH_PY), "-c", code], capture_output=True, text=True).stdout.split()
    return dict(zip(["python", "cqlbridge", "cassandra-driver", "acsylla", "scyllapy"], out))


def versions():
    lock = (ROOT / "Cargo.lock").read_text()

    def crate(name):
        marker = f'name = "{name}"\nversion = "'
        i = lock.find(marker)
        return lock[i + len(marker):lock.find('"', i + len(marker))] if i >= 0 else "?"

    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return {"scylla": crate("scylla"), "tokio": crate("tokio"), "rustc": rustc,
            "python": python_versions(),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.platform()}",
            "cassandra": "5.0 (one local node, same machine)"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="fewer operations (a smoke run)")
    args = ap.parse_args()
    scale = 10 if args.quick else 1
    workloads = [("insert", 1, 2_000 // scale), ("insert", 32, 20_000 // scale),
                 ("insert", 256, 20_000 // scale), ("select", 32, 20_000 // scale)]
    cql("CREATE KEYSPACE IF NOT EXISTS cqlbridge_bench WITH replication = "
        "{'class': 'SimpleStrategy', 'replication_factor': 1}")
    cql("CREATE TABLE IF NOT EXISTS cqlbridge_bench.kv (k bigint PRIMARY KEY, a bigint, t text)")
    # The rows the selects read.
    run("core", "insert", 256, 100_000 // scale)
    samples = {}
    for rep in range(args.reps):
        for workload, concurrency, ops in workloads:
            for driver in DRIVERS:  # interleaved: A B A B
                r = run(driver, workload, concurrency, ops)
                samples.setdefault((workload, concurrency, driver), []).append(r)
                print(f"rep {rep + 1}: {driver:5} {workload} c={concurrency}: "
                      f"{r['ops_per_s']:,.0f} ops/s, {r['cpu_us_per_op']:.1f} µs CPU/op", flush=True)
    results = {"versions": versions(), "reps": args.reps, "samples": {
        f"{w}/{c}/{d}": v for (w, c, d), v in samples.items()}}
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=1))
    write_report(results, workloads)


def summary(values):
    med = statistics.median(values)
    spread = (max(values) - min(values)) / med * 100 if med else 0
    return med, spread


def write_report(results, workloads):
    v = results["versions"]
    lines = [
        "# Benchmarks",
        "",
        "Measured by `make bench` (bench/run.py), never asserted in tests. Each cell: the median",
        f"of {results['reps']} interleaved repetitions, ± the spread (max − min, % of the median).",
        "Client CPU is the benchmark process's user + system time over the timed part",
        "(getrusage), per operation; the node runs on the same 2 cores, so throughput is the",
        "pair's, CPU per op is the client's alone. The spreads are wide for the same reason:",
        "the node's own work (flushes, compaction, GC) lands on the client's cores.",
        "",
        f"Versions: scylla {v['scylla']}, tokio {v['tokio']}, {v['rustc']}; Cassandra {v['cassandra']}.",
        "Python " + ", ".join(f"{k} {x}" for k, x in v["python"].items()) + " (the Python drivers"
        " run one request window of `concurrency` in flight: execute_async with callbacks for"
        " cqlbridge and cassandra-driver, asyncio with a semaphore for acsylla and scyllapy).",
        f"Machine: {v['machine']}.",
        "",
    ]
    for workload, concurrency, ops in workloads:
        lines += [f"## {workload}, concurrency {concurrency} ({ops:,} operations)", "",
                  "| driver | " + " | ".join(m[1] for m in METRICS) + " | CPU/op vs |",
                  "|---|" + "---|" * (len(METRICS) + 1)]
        base_cpu = {b: summary([s["cpu_us_per_op"] for s in results["samples"][f"{workload}/{concurrency}/{b}"]])[0]
                    for b in set(BASELINE.values())}
        for driver in DRIVERS:
            ss = results["samples"][f"{workload}/{concurrency}/{driver}"]
            cells = []
            for key, _, fmt in METRICS:
                vals = [s[key] / (1024 if key == "peak_rss_kb" else 1) for s in ss]
                med, spread = summary(vals)
                cells.append(f"{fmt.format(med)} ±{spread:.0f}%")
            cpu = summary([s["cpu_us_per_op"] for s in ss])[0]
            base = BASELINE[driver]
            lines.append(f"| {NAMES[driver]} | " + " | ".join(cells) + f" | {cpu / base_cpu[base]:.2f}× {NAMES[base].split(' (')[0]} |")
        lines.append("")
    def cpu(workload, concurrency, driver):
        return summary([x["cpu_us_per_op"] for x in results["samples"][f"{workload}/{concurrency}/{driver}"]])[0]

    lines += ["## Targets (issue 9)", "", "| target | measured | |", "|---|---|---|"]
    for c in (32, 256):
        ratio = cpu("insert", c, "cqlbridge") / cpu("insert", c, "cassandra")
        lines.append(f"| Python concurrent insert (c={c}) CPU/op ≤ 0.2× cassandra-driver | {ratio:.2f}× | "
                     + ("met" if ratio <= 0.2 else "missed") + " |")
        best = min(cpu("insert", c, "acsylla"), cpu("insert", c, "scyllapy"))
        ratio = cpu("insert", c, "cqlbridge") / best
        lines.append(f"| Python concurrent insert (c={c}) no worse than acsylla/scyllapy | {ratio:.2f}× the better | "
                     + ("met" if ratio <= 1.0 else "missed") + " |")
    lines += [
        "",
        "Where cqlbridge's Python CPU goes (measured in issue 6, to be profiled here with py-spy",
        "and perf): the core's runtime threads spend about 60 µs per request; the rest is",
        "Python-side — building the request buffer, the uniffi call (~10 µs each), the drain",
        "thread decoding pages and settling futures, the GIL handed between the caller and that",
        "thread, and an Event per future. acsylla shows what a C-extension hot path reaches.",
        "",
        "## Not yet measured",
        "",
        "The C ABI, the Kotlin binding against the Java driver 4.x, paged scans, the mapper",
        "against cqlengine, the per-call micro-benchmarks and the plot: issue 9 goes on from here.",
        "",
    ]
    (ROOT / "bench" / "REPORT.md").write_text("\n".join(lines))
    print("wrote bench/REPORT.md")


if __name__ == "__main__":
    main()
