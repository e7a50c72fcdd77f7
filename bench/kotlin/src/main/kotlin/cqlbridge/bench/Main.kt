/**
 * One JVM benchmark run: a workload through one driver against the local node, printed as one
 * JSON line on stdout (ops/s, process CPU µs per op over the timed part, p50/p99 latency,
 * peak RSS, versions), in the shape of bench/python/bench.py.
 * Usage: MainKt <kotlin|java-driver> <insert|select|scan> <concurrency (scan: page size)> <ops>,
 * or MainKt kotlin micro <calls> 0 for the per-call cost of a uniffi sync call from Kotlin.
 */
package cqlbridge.bench

import java.lang.management.ManagementFactory
import java.util.Locale
import java.util.concurrent.CompletionStage
import java.util.concurrent.CountDownLatch
import java.util.concurrent.atomic.AtomicInteger
import kotlin.system.exitProcess

const val KS = "cqlbridge_bench"
const val INSERT = "INSERT INTO $KS.kv (k, a, t) VALUES (?, ?, ?)"
const val SELECT = "SELECT k, a, t FROM $KS.kv WHERE k = ?"
const val SCAN = "SELECT k, a, t FROM $KS.kv"

/**
 * Warm-up before the timed part, so the JIT has compiled the hot paths of the driver and of
 * this harness: this many requests for insert and select (`-Dbench.warmup=N` to change),
 * this many pages for scan.
 */
val WARMUP_OPS: Int = Integer.getInteger("bench.warmup", 5_000)
const val WARMUP_PAGES = 3

/** What a driver does for the benchmark; every statement is prepared when it is made. */
interface BenchDriver : AutoCloseable {
    /** The driver's versions, for the JSON line. */
    val versions: Map<String, String>

    /** Starts the insert of row [i]: (i, i*7, "value i"). */
    fun insert(i: Long): CompletionStage<*>

    /** Starts the select of key [k]; the stage completes once the row's columns are read. */
    fun select(k: Long): CompletionStage<*>

    /**
     * Scans the table with [pageSize] rows per page (at most [maxPages] pages), reading every
     * column of every row; adds each page request's latency (ns) to [latencies] and returns
     * how many rows it read. Blocks the calling thread (never a driver thread).
     */
    fun scan(pageSize: Int, maxPages: Int, latencies: MutableList<Long>): Long
}

/** The node to connect to: the first of CQLB_CONTACT_POINTS, as in the other tiers. */
fun contactPoint(): String =
    (System.getenv("CQLB_CONTACT_POINTS") ?: "127.0.0.1").split(",")[0].substringBefore(":")

/**
 * A sink for values read from rows, so that reading them cannot be optimised away (updated
 * from several threads without a lock: a checksum printed on stderr, not an exact one).
 */
object Sink {
    @Volatile
    var value: Long = 0

    /** Folds the three columns of a row into the sink. */
    fun take(k: Long, a: Long, t: String) {
        value += k + a + t.length
    }
}

/**
 * Runs [ops] requests made by [start], keeping [concurrency] in flight: the first
 * [concurrency] start here, each further one from the completion callback of the one before
 * (so no thread waits between requests). Returns each request's latency in ns.
 */
fun window(ops: Int, concurrency: Int, start: (Int) -> CompletionStage<*>): LongArray {
    val latencies = LongArray(ops)
    val next = AtomicInteger()
    val finished = AtomicInteger()
    val done = CountDownLatch(1)

    fun startOne() {
        val i = next.getAndIncrement()
        if (i >= ops) return
        val started = System.nanoTime()
        start(i).whenComplete { _, error ->
            if (error != null) {
                System.err.println("request $i failed: $error")
                Runtime.getRuntime().halt(1)
            }
            latencies[i] = System.nanoTime() - started
            if (finished.incrementAndGet() == ops) done.countDown() else startOne()
        }
    }

    repeat(minOf(concurrency, ops)) { startOne() }
    done.await()
    return latencies
}

/**
 * The process's CPU time (user + system, every thread: driver, JIT, GC) in ns. On Linux the
 * JVM reads it with times(), so it moves in 10 ms clock ticks: time runs of a few seconds.
 */
fun cpuNanos(): Long =
    (ManagementFactory.getOperatingSystemMXBean() as com.sun.management.OperatingSystemMXBean).processCpuTime

/** The peak resident set size (VmHWM) in kB, from /proc/self/status. */
fun peakRssKb(): Long =
    java.io.File("/proc/self/status").readLines()
        .first { it.startsWith("VmHWM:") }
        .split(Regex("\\s+"))[1].toLong()

/** The [p] quantile of sorted ns [latencies], in µs (the same index rule as bench.py). */
fun percentileUs(latencies: LongArray, p: Double): Double =
    latencies[((latencies.size - 1) * p).toInt()] / 1e3

/** A JSON object of numbers, strings and nested maps (all the JSON line needs). */
fun json(fields: Map<String, Any>): String = fields.entries.joinToString(", ", "{", "}") { (k, v) ->
    "\"$k\": " + when (v) {
        is String -> "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\""
        is Map<*, *> -> @Suppress("UNCHECKED_CAST") json(v as Map<String, Any>)
        is Double -> String.format(Locale.ROOT, "%.3f", v)
        else -> v.toString()
    }
}

/** ns per call of [fn] over [calls] calls, after as many untimed calls (for the JIT). */
fun perCallNs(calls: Int, fn: () -> Unit): Double {
    repeat(calls) { fn() }
    val t0 = System.nanoTime()
    repeat(calls) { fn() }
    return (System.nanoTime() - t0).toDouble() / calls
}

/**
 * The per-call cost of a uniffi sync call from Kotlin (JNA), as bench/python/micro.py measures
 * it from Python: a method on an object (`CompletionQueue.wake`: the handle is cloned, one
 * lock taken), a free function returning a string (`version`), an empty `drain(0)`.
 */
fun micro(calls: Int) {
    val queue = cqlbridge.uniffi.CompletionQueue()
    val fields = linkedMapOf<String, Any>(
        "driver" to "kotlin", "workload" to "micro", "calls" to calls,
        "wake_ns" to perCallNs(calls) { queue.wake() },
        "version_ns" to perCallNs(calls) { cqlbridge.uniffi.version() },
        "drain_ns" to perCallNs(calls) { queue.drain(0u) },
        "versions" to mapOf("jvm" to System.getProperty("java.version")),
    )
    println(json(fields))
    System.out.flush()
    exitProcess(0)
}

/** Parses the arguments, warms up, runs the timed part and prints the JSON line. */
fun main(args: Array<String>) {
    if (args.size != 4) {
        System.err.println("usage: MainKt <kotlin|java-driver> <insert|select|scan> <concurrency|page size> <ops>")
        exitProcess(2)
    }
    val (driverName, workload) = args
    val concurrency = args[2].toInt()
    val ops = args[3].toInt()
    if (workload == "micro") micro(concurrency)
    require(workload in setOf("insert", "select", "scan")) { "unknown workload $workload" }
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn")
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err")

    val driver: BenchDriver = when (driverName) {
        "kotlin" -> CqlbridgeDriver(contactPoint())
        "java-driver" -> JavaDriver(contactPoint())
        else -> throw IllegalArgumentException("unknown driver $driverName (kotlin or java-driver)")
    }

    // Warm-up, untimed: the JIT compiles the hot paths before the measurement starts.
    when (workload) {
        "insert" -> window(WARMUP_OPS, concurrency, { i -> driver.insert(i.toLong()) })
        "select" -> window(WARMUP_OPS, concurrency, { i -> driver.select(i.toLong() % 100_000) })
        else -> driver.scan(concurrency, WARMUP_PAGES, ArrayList())
    }

    val cpu0 = cpuNanos()
    val t0 = System.nanoTime()
    var rows = 0L
    val latencies: LongArray = when (workload) {
        "insert" -> window(ops, concurrency, { i -> driver.insert(i.toLong()) })
        "select" -> window(ops, concurrency, { i -> driver.select(i.toLong() % 100_000) })
        else -> ArrayList<Long>().also { rows = driver.scan(concurrency, Int.MAX_VALUE, it) }.toLongArray()
    }
    val elapsed = (System.nanoTime() - t0) / 1e9
    val cpu = cpuNanos() - cpu0
    latencies.sort()
    // A scan's operations are its rows; its latencies are its page requests'.
    val n = if (workload == "scan") rows else ops.toLong()

    val fields = linkedMapOf<String, Any>(
        "driver" to driverName, "workload" to workload, "concurrency" to concurrency, "ops" to n,
        "ops_per_s" to n / elapsed, "cpu_us_per_op" to cpu / 1e3 / n,
        "p50_us" to percentileUs(latencies, 0.5), "p99_us" to percentileUs(latencies, 0.99),
        "peak_rss_kb" to peakRssKb(),
    )
    if (workload == "scan") fields["rows"] = rows
    fields["versions"] = driver.versions + ("jvm" to System.getProperty("java.version"))
    System.err.println("checksum ${Sink.value}")
    println(json(fields))
    System.out.flush()
    driver.close()
    exitProcess(0)
}
