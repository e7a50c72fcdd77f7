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
DRIVERS = ["raw", "core"]
NAMES = {"raw": "raw scylla (Rust)", "core": "cqlbridge core (Rust)"}
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
    out = subprocess.run([str(BENCH), driver, workload, str(concurrency), str(ops)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def versions():
    lock = (ROOT / "Cargo.lock").read_text()

    def crate(name):
        marker = f'name = "{name}"\nversion = "'
        i = lock.find(marker)
        return lock[i + len(marker):lock.find('"', i + len(marker))] if i >= 0 else "?"

    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return {"scylla": crate("scylla"), "tokio": crate("tokio"), "rustc": rustc,
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.platform()}",
            "cassandra": "5.0 (one local node, same machine)"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="fewer operations (a smoke run)")
    args = ap.parse_args()
    scale = 10 if args.quick else 1
    workloads = [("insert", 1, 5_000 // scale), ("insert", 32, 50_000 // scale),
                 ("insert", 256, 50_000 // scale), ("select", 32, 50_000 // scale)]
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
        f"Machine: {v['machine']}.",
        "",
    ]
    for workload, concurrency, ops in workloads:
        lines += [f"## {workload}, concurrency {concurrency} ({ops:,} operations)", "",
                  "| driver | " + " | ".join(m[1] for m in METRICS) + " | CPU/op vs raw |",
                  "|---|" + "---|" * (len(METRICS) + 1)]
        raw_cpu = summary([s["cpu_us_per_op"] for s in results["samples"][f"{workload}/{concurrency}/raw"]])[0]
        for driver in DRIVERS:
            ss = results["samples"][f"{workload}/{concurrency}/{driver}"]
            cells = []
            for key, _, fmt in METRICS:
                vals = [s[key] / (1024 if key == "peak_rss_kb" else 1) for s in ss]
                med, spread = summary(vals)
                cells.append(f"{fmt.format(med)} ±{spread:.0f}%")
            cpu = summary([s["cpu_us_per_op"] for s in ss])[0]
            lines.append(f"| {NAMES[driver]} | " + " | ".join(cells) + f" | {cpu / raw_cpu:.2f}× |")
        lines.append("")
    lines += [
        "## Not yet measured",
        "",
        "The C ABI, the Python binding against cassandra-driver, acsylla and scyllapy, the Kotlin",
        "binding against the Java driver 4.x, paged scans, the mapper against cqlengine, the",
        "per-call micro-benchmarks and the plot: issue 9 goes on from this Rust tier.",
        "",
    ]
    (ROOT / "bench" / "REPORT.md").write_text("\n".join(lines))
    print("wrote bench/REPORT.md")


if __name__ == "__main__":
    main()
