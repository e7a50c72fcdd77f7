"""`make bench`: runs the workloads through each driver against the local node, interleaved
(A B A B ...) over several repetitions, and writes bench/results.json, bench/REPORT.md (the
median and the spread of each metric, ratios against raw scylla and against each tier's
peer, the targets of issue 9, versions and machine) and bench/plot.png. Timings are
reported, never asserted.
Usage: run.py [--reps N] [--quick] [--report-only]."""

import argparse
import json
import os
import pathlib
import platform
import re
import statistics
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
BENCH_PY = ROOT / ".venv-bench" / "bin" / "python"
JVM_JAR = ROOT / "bench" / "kotlin" / "target" / "cqlbridge-bench.jar"
JVM_WARMUP = 20_000  # requests before a JVM run's timed part (the JIT needs them)

# Each driver: its tier, the peer its ratios are taken against, and its name in the report.
DRIVERS = {
    "raw": ("rust", "raw", "raw scylla (Rust)"),
    "core": ("rust", "raw", "cqlbridge core (Rust)"),
    "c": ("rust", "raw", "cqlbridge C ABI"),
    "cqlbridge": ("python", "cassandra", "cqlbridge (Python)"),
    "cassandra": ("python", "cassandra", "cassandra-driver (Python)"),
    "acsylla": ("python", "cassandra", "acsylla (Python)"),
    "scyllapy": ("python", "cassandra", "scyllapy (Python)"),
    "kotlin": ("jvm", "java-driver", "cqlbridge (Kotlin)"),
    "java-driver": ("jvm", "java-driver", "Java driver 4.x (JVM)"),
}
MAPPER_NAMES = {"cqlbridge": "cqlbridge.cqlengine (Python)", "cassandra": "cqlengine (cassandra-driver)"}
# Drivers a workload cannot run, and why (written into the report).
CANNOT = {("scan", 100, "scyllapy"): "scyllapy cannot set a page size (it pages at 5000)"}
METRICS = [("ops_per_s", "ops/s", "{:,.0f}"), ("cpu_us_per_op", "CPU µs/op", "{:.2f}"),
           ("p50_us", "p50 µs", "{:.0f}"), ("p99_us", "p99 µs", "{:.0f}"),
           ("peak_rss_kb", "peak RSS MB", "{:.1f}")]


def contact_points():
    return os.environ.get("CQLB_CONTACT_POINTS", "127.0.0.1").split(",")


def cql(*statements):
    """Runs CQL statements through the Python binding (in the bench venv); returns the last
    statement's rows as lists."""
    out = subprocess.run([str(BENCH_PY), "-c", f"""
import json
from cqlbridge.cluster import Cluster
c = Cluster({contact_points()!r})
s = c.connect()
rows = []
for st in {list(statements)!r}:
    rows = [list(r) for r in s.execute(st)]
c.shutdown()
print(json.dumps(rows, default=str))
"""], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def command(driver, workload, concurrency, ops):
    tier = DRIVERS[driver][0]
    if driver in ("raw", "core"):
        return [str(ROOT / "target" / "release" / "bench"), driver, workload, str(concurrency), str(ops)]
    if driver == "c":
        return [str(ROOT / "target" / "bench-c" / "bench-c"), workload, str(concurrency), str(ops)]
    if tier == "python":
        return [str(BENCH_PY), str(ROOT / "bench" / "python" / "bench.py"), driver, workload,
                str(concurrency), str(ops)]
    return ["java", f"-Dbench.warmup={JVM_WARMUP}", "-jar", str(JVM_JAR), driver, workload,
            str(concurrency), str(ops)]


def run(cmd, env=None):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True,
                         env={**os.environ, **(env or {})}).stdout
    return json.loads(out.strip().splitlines()[-1])


# ------------------------------------------------------------------------------ versions


def python_versions():
    code = ("import importlib.metadata as m, platform\n"
            "print(platform.python_version(), *[m.version(p) for p in "
            "('cqlbridge', 'cassandra-driver', 'acsylla', 'scyllapy')])")
    out = subprocess.run([str(BENCH_PY), "-c", code], capture_output=True, text=True).stdout.split()
    return dict(zip(["python", "cqlbridge", "cassandra-driver", "acsylla", "scyllapy"], out))


def first_line(cmd):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True)
        return (r.stdout or r.stderr).strip().splitlines()[0]
    except (OSError, IndexError):
        return "?"


def versions(jvm):
    lock = (ROOT / "Cargo.lock").read_text()

    def crate(name):
        marker = f'name = "{name}"\nversion = "'
        i = lock.find(marker)
        return lock[i + len(marker):lock.find('"', i + len(marker))] if i >= 0 else "?"

    return {"scylla": crate("scylla"), "tokio": crate("tokio"), "uniffi": crate("uniffi"),
            "rustc": first_line(["rustc", "--version"]), "cc": first_line(["cc", "--version"]),
            "python": python_versions(), "jvm": jvm,
            "valgrind": first_line(["valgrind", "--version"]),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.platform()}",
            "cassandra": "5.0 (one local node, same machine)"}


# ------------------------------------------------------------------------------ running


def fill_tables(quick):
    cql("CREATE KEYSPACE IF NOT EXISTS cqlbridge_bench WITH replication = "
        "{'class': 'SimpleStrategy', 'replication_factor': 1}",
        "CREATE TABLE IF NOT EXISTS cqlbridge_bench.kv (k bigint PRIMARY KEY, a bigint, t text)",
        "CREATE TABLE IF NOT EXISTS cqlbridge_bench.kv1m (k bigint PRIMARY KEY, a bigint, t text)")
    # The rows the selects and scans read (the inserts rewrite the same keys).
    run(command("core", "insert", 256, 10_000 if quick else 100_000))
    big = 10_000 if quick else 1_000_000
    if not cql(f"SELECT k FROM cqlbridge_bench.kv1m WHERE k = {big - 1}"):
        print(f"filling kv1m with {big:,} rows", flush=True)
        run(command("core", "insert", 256, big), env={"CQLB_BENCH_TABLE": "kv1m"})


def workloads(quick):
    s = 10 if quick else 1
    return [("insert", 1, 2_000 // s), ("insert", 32, 20_000 // s), ("insert", 256, 20_000 // s),
            ("select", 32, 20_000 // s), ("scan", 100, 0), ("scan", 5000, 0)]


def run_all(reps, quick):
    samples = {}

    def sample(key, cmd, env=None):
        r = run(cmd, env)
        samples.setdefault(key, []).append(r)
        return r

    for rep in range(reps):
        for workload, concurrency, ops in workloads(quick):
            for driver in DRIVERS:  # interleaved: A B A B
                if (workload, concurrency, driver) in CANNOT:
                    continue
                r = sample(f"{workload}/{concurrency}/{driver}", command(driver, workload, concurrency, ops))
                print(f"rep {rep + 1}: {driver:11} {workload} {concurrency}: {r['ops_per_s']:,.0f} ops/s, "
                      f"{r['cpu_us_per_op']:.2f} µs CPU/op", flush=True)
        for workload in ("create", "get"):  # the mappers
            for driver in MAPPER_NAMES:
                r = sample(f"{workload}/1/{driver}", command(driver, workload, 1, 200 if quick else 2_000))
                print(f"rep {rep + 1}: {driver:11} mapper {workload}: {r['cpu_us_per_op']:.1f} µs CPU/op", flush=True)
        for driver in ("cqlbridge", "cassandra"):  # a 1M-row scan's memory
            r = sample(f"scan1m/5000/{driver}", command(driver, "scan1m", 5000, 0))
            print(f"rep {rep + 1}: {driver:11} scan1m: RSS +{r['rss_growth_kb'] / 1024:.1f} MB", flush=True)
    return samples


def callgrind_instructions(cmd, toggle=None):
    """Instructions (callgrind's Ir) a command executes, or within one function only."""
    out = ROOT / "target" / "callgrind.out"
    args = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"]
    if toggle:
        args.append(f"--toggle-collect={toggle}")
    subprocess.run(args + cmd, check=True, capture_output=True)
    m = re.search(r"^totals:\s+(\d+)", out.read_text(), re.M)
    out.unlink()
    return int(m.group(1))


def run_micro(quick):
    """Per-call overhead: ns (median of 3 runs) and callgrind instructions per call."""
    c_bench = str(ROOT / "target" / "bench-c" / "bench-c")
    micro_py = [str(BENCH_PY), str(ROOT / "bench" / "python" / "micro.py")]
    calls = {"c": 2_000_000 if quick else 10_000_000, "python": 20_000 if quick else 200_000,
             "kotlin": 20_000 if quick else 100_000}
    runs = {"c": [], "python": [], "kotlin": []}
    for _ in range(3):
        runs["c"].append(run([c_bench, "micro", str(calls["c"])]))
        runs["python"].append(run(micro_py + [str(calls["python"])]))
        runs["kotlin"].append(run(["java", "-jar", str(JVM_JAR), "kotlin", "micro", str(calls["kotlin"]), "0"]))
    ns = {lang: {k: statistics.median(r[k] for r in rs) for k in rs[0] if k.endswith("_ns")}
          for lang, rs in runs.items()}
    n = 10_000
    ir = {"c": {}, "python": {}}
    for name, fn in (("handle_call_ns", "cqlb_cluster_config_set_port"),
                     ("stale_handle_ns", "cqlb_cluster_config_set_port"), ("no_handle_ns", "cqlb_version")):
        which = {"handle_call_ns": "handle", "stale_handle_ns": "stale", "no_handle_ns": "version"}[name]
        ir["c"][name] = callgrind_instructions([c_bench, "micro", str(n), which], toggle=fn) / n
    for name in ("wake", "version", "drain"):  # the difference of two runs: n calls, and none
        m = 2_000
        with_calls = callgrind_instructions(micro_py + [str(m), name])
        without = callgrind_instructions(micro_py + ["0", name])
        ir["python"][f"{name}_ns"] = (with_calls - without) / m
    return {"ns": ns, "instructions": ir, "calls": calls}


# ------------------------------------------------------------------------------ report


def summary(values):
    med = statistics.median(values)
    spread = (max(values) - min(values)) / med * 100 if med else 0
    return med, spread


def cpu_of(results, key):
    ss = results["samples"].get(key)
    return summary([s["cpu_us_per_op"] for s in ss])[0] if ss else None


def table(results, workload, concurrency, drivers, names):
    lines = ["| driver | " + " | ".join(m[1] for m in METRICS) + " | CPU/op × raw scylla | CPU/op × peer |",
             "|---|" + "---|" * (len(METRICS) + 2)]
    raw = cpu_of(results, f"{workload}/{concurrency}/raw")
    for driver in drivers:
        ss = results["samples"].get(f"{workload}/{concurrency}/{driver}")
        if not ss:
            why = CANNOT.get((workload, concurrency, driver), "not run")
            lines.append(f"| {names[driver]} | " + " | ".join("—" for _ in METRICS) + f" | {why} | |")
            continue
        cells = []
        for key, _, fmt in METRICS:
            med, spread = summary([s[key] / (1024 if key == "peak_rss_kb" else 1) for s in ss])
            cells.append(f"{fmt.format(med)} ±{spread:.0f}%")
        cpu = cpu_of(results, f"{workload}/{concurrency}/{driver}")
        peer = DRIVERS[driver][1] if driver in DRIVERS else "cassandra"
        peer_cpu = cpu_of(results, f"{workload}/{concurrency}/{peer}")
        vs_raw = f"{cpu / raw:.2f}×" if raw else "—"
        vs_peer = f"{cpu / peer_cpu:.2f}× {names.get(peer, peer).split(' (')[0]}" if peer_cpu else "—"
        lines.append(f"| {names[driver]} | " + " | ".join(cells) + f" | {vs_raw} | {vs_peer} |")
    return lines


def targets(results):
    cpu = lambda key: cpu_of(results, key)
    rows = []

    def target(text, value, limit, unit="×"):
        if value is None:
            rows.append(f"| {text} | not measured | |")
        else:
            rows.append(f"| {text} | {value:.2f}{unit} | {'met' if value <= limit else 'missed'} |")

    for w, c in (("insert", 1), ("insert", 32), ("insert", 256), ("select", 32), ("scan", 5000)):
        raw = cpu(f"{w}/{c}/raw")
        target(f"C ABI {w} (c={c}) CPU/op ≤ 1.10× raw Rust", cpu(f"{w}/{c}/c") / raw if raw else None, 1.10)
    for c in (32, 256):
        base = cpu(f"insert/{c}/cassandra")
        ours = cpu(f"insert/{c}/cqlbridge")
        target(f"Python concurrent insert (c={c}) CPU/op ≤ 0.2× cassandra-driver", ours / base, 0.2)
        best = min(cpu(f"insert/{c}/acsylla"), cpu(f"insert/{c}/scyllapy"))
        target(f"Python concurrent insert (c={c}) no worse than acsylla/scyllapy (× the better)", ours / best, 1.0)
    target("Python mapper create CPU/op ≤ 0.1× cqlengine",
           cpu("create/1/cqlbridge") / cpu("create/1/cassandra"), 0.1)
    for w, c in (("insert", 32), ("insert", 256), ("select", 32), ("scan", 5000)):
        java = cpu(f"{w}/{c}/java-driver")
        target(f"Kotlin {w} (c={c}) CPU/op ≤ 1.0× Java driver", cpu(f"{w}/{c}/kotlin") / java if java else None, 1.0)
    growth = results["samples"].get("scan1m/5000/cqlbridge")
    if growth:
        target("Python 1M-row paged scan: peak RSS growth ≤ 50 MB",
               max(s["rss_growth_kb"] for s in growth) / 1024, 50, " MB")
    return ["| target | measured | |", "|---|---|---|"] + rows


def write_report(results):
    v = results["versions"]
    names = {d: n for d, (_, _, n) in DRIVERS.items()}
    lines = [
        "# Benchmarks",
        "",
        "Measured by `make bench` (bench/run.py), never asserted in tests. Each cell: the median",
        f"of {results['reps']} interleaved repetitions (A B A B), ± the spread (max − min, % of the median).",
        "Client CPU is the benchmark process's user + system time over the timed part (getrusage;",
        "on the JVM the process CPU time, which moves in 10 ms ticks), per operation. The node runs",
        "on the same 2 cores, so throughput is the pair's while CPU per op is the client's alone;",
        "the spreads are wide for the same reason (the node's flushes, compaction and GC land on",
        "the client's cores). Statements are prepared outside the timed part; LOCAL_ONE; no frame",
        "compression anywhere (the node is local). A scan's operations are rows (CPU/op is per",
        "row), its latencies pages. The JVM drivers warm up on "
        f"{JVM_WARMUP:,} requests first.",
        "",
        f"Versions: scylla {v['scylla']}, tokio {v['tokio']}, uniffi {v['uniffi']}, {v['rustc']}; "
        f"{v['cc']}; {v['valgrind']}; Cassandra {v['cassandra']}.",
        "Python " + ", ".join(f"{k} {x}" for k, x in v["python"].items()) + ".",
        "JVM " + ", ".join(f"{k} {x}" for k, x in v["jvm"].items()) + ".",
        f"Machine: {v['machine']}.",
        "",
        "How each tier keeps requests in flight: raw scylla and core, `concurrency` futures in a",
        "`buffer_unordered`; the C ABI, Python (cqlbridge, cassandra-driver) and the JVM drivers,",
        "a window in which each completion callback starts the next request; acsylla and",
        "scyllapy, asyncio tasks under a semaphore.",
        "",
        "![CPU per operation and throughput per driver](plot.png)",
        "",
    ]
    for workload, concurrency, ops in results["workloads"]:
        what = f"page size {concurrency}, {ops:,} rows" if workload == "scan" else \
            f"concurrency {concurrency}, {ops:,} operations"
        if workload == "scan":
            ss = results["samples"].get(f"scan/{concurrency}/raw")
            what = f"page size {concurrency}, {ss[0]['ops']:,} rows" if ss else f"page size {concurrency}"
        lines += [f"## {workload}, {what}", ""] + table(results, workload, concurrency, list(DRIVERS), names) + [""]
    for workload in ("create", "get"):
        lines += [f"## mapper {workload} (a 7-column model: uuid, text, timestamp, list<text>, "
                  "map<text, text>, int, double; one at a time)", ""]
        lines += table(results, workload, 1, list(MAPPER_NAMES), MAPPER_NAMES) + [""]
    lines += ["## 1M-row paged scan (page size 5000)", "",
              "| driver | rows/s | CPU µs/row | RSS growth MB (max of the repetitions) |", "|---|---|---|---|"]
    for driver in ("cqlbridge", "cassandra"):
        ss = results["samples"].get(f"scan1m/5000/{driver}", [])
        if ss:
            lines.append(f"| {names[driver]} | {summary([s['ops_per_s'] for s in ss])[0]:,.0f} | "
                         f"{summary([s['cpu_us_per_op'] for s in ss])[0]:.2f} | "
                         f"{max(s['rss_growth_kb'] for s in ss) / 1024:.1f} |")
    lines += [""]
    m = results.get("micro")
    if m:
        ns, ir = m["ns"], m["instructions"]
        lines += ["## Per-call overhead", "",
                  "ns per call: the median of 3 runs of many calls; instructions: callgrind's count per",
                  "call (for C, within the function; for Python, the difference between a run with 2,000",
                  "calls and one with none, so the interpreter's share is in it). The JVM is not run",
                  "under valgrind (its JIT-compiled code is not what callgrind would see), so Kotlin has",
                  "ns only.", "",
                  "| call | ns | instructions |", "|---|---|---|",
                  f"| C: a handle-resolving call (`cqlb_cluster_config_set_port`) | {ns['c']['handle_call_ns']:.0f} | {ir['c']['handle_call_ns']:.0f} |",
                  f"| C: the same on a freed handle (error path, sets the message) | {ns['c']['stale_handle_ns']:.0f} | {ir['c']['stale_handle_ns']:.0f} |",
                  f"| C: no handle (`cqlb_version`) | {ns['c']['no_handle_ns']:.1f} | {ir['c']['no_handle_ns']:.0f} |",
                  f"| Python → uniffi: `CompletionQueue.wake()` (object method) | {ns['python']['wake_ns']:,.0f} | {ir['python']['wake_ns']:,.0f} |",
                  f"| Python → uniffi: `version()` (returns a string) | {ns['python']['version_ns']:,.0f} | {ir['python']['version_ns']:,.0f} |",
                  f"| Python → uniffi: `CompletionQueue.drain(0)`, empty (returns a record) | {ns['python']['drain_ns']:,.0f} | {ir['python']['drain_ns']:,.0f} |",
                  f"| Kotlin → uniffi (JNA): `CompletionQueue.wake()` | {ns['kotlin']['wake_ns']:,.0f} | — |",
                  f"| Kotlin → uniffi (JNA): `version()` | {ns['kotlin']['version_ns']:,.0f} | — |",
                  f"| Kotlin → uniffi (JNA): `CompletionQueue.drain(0)`, empty | {ns['kotlin']['drain_ns']:,.0f} | — |",
                  ""]
    lines += ["## Targets (issue 9)", ""] + targets(results) + [""]
    lines += (ROOT / "bench" / "COSTS.md").read_text().splitlines()
    (ROOT / "bench" / "REPORT.md").write_text("\n".join(lines) + "\n")
    print("wrote bench/REPORT.md")


def plot(results):
    """bench/plot.png: CPU per operation (log scale) and throughput, per driver and workload."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [(w, c) for w, c, _ in results["workloads"]]
    drivers = list(DRIVERS)
    fig, axes = plt.subplots(2, 1, figsize=(14, 9))
    width = 0.8 / len(drivers)
    for ax, metric, label, log in ((axes[0], "cpu_us_per_op", "client CPU µs per op (log)", True),
                                   (axes[1], "ops_per_s", "ops/s (rows/s for scans)", False)):
        for j, driver in enumerate(drivers):
            xs, ys = [], []
            for i, (w, c) in enumerate(shown):
                ss = results["samples"].get(f"{w}/{c}/{driver}")
                if ss:
                    xs.append(i + (j - len(drivers) / 2 + 0.5) * width)
                    ys.append(statistics.median(s[metric] for s in ss))
            ax.bar(xs, ys, width, label=DRIVERS[driver][2])
        ax.set_xticks(range(len(shown)))
        ax.set_xticklabels([f"{w} {'page' if w == 'scan' else 'c='}{c}" for w, c in shown])
        ax.set_ylabel(label)
        if log:
            ax.set_yscale("log")
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(ncol=3, fontsize=8)
    axes[0].set_title("cqlbridge and its peers against one local Cassandra 5.0 node (medians)")
    fig.tight_layout()
    fig.savefig(ROOT / "bench" / "plot.png", dpi=90)
    print("wrote bench/plot.png")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="fewer operations (a smoke run)")
    ap.add_argument("--report-only", action="store_true", help="rewrite the report and plot from results.json")
    args = ap.parse_args()
    out = ROOT / "bench" / "results.json"
    if args.report_only:
        results = json.loads(out.read_text())
    else:
        fill_tables(args.quick)
        samples = run_all(args.reps, args.quick)
        micro = run_micro(args.quick)
        jvm = samples["insert/32/java-driver"][0]["versions"] | samples["insert/32/kotlin"][0]["versions"]
        results = {"versions": versions(jvm), "reps": args.reps, "workloads": workloads(args.quick),
                   "samples": samples, "micro": micro}
        out.write_text(json.dumps(results, indent=1))
    write_report(results)
    plot(results)


if __name__ == "__main__":
    main()
