package cqlbridge.bench

import com.datastax.oss.driver.api.core.config.DefaultDriverOption
import com.datastax.oss.driver.api.core.config.DriverConfigLoader
import com.datastax.oss.driver.api.core.session.Session
import cqlbridge.ConsistencyLevel
import cqlbridge.CqlCluster
import cqlbridge.StatementOptions
import kotlinx.coroutines.runBlocking
import java.net.InetSocketAddress
import java.util.Properties
import java.util.concurrent.CompletionStage
import com.datastax.oss.driver.api.core.CqlSession as JavaSession

/**
 * The cqlbridge Kotlin binding, through its Java-facing API (`executeAsync` returning a
 * CompletableFuture, completed on the binding's completion thread) so that both drivers run
 * under the same request window; the scan uses the suspending `execute` / `nextPage`.
 * Frames are not compressed (the node is local; as in the other tiers), consistency LOCAL_ONE.
 */
class CqlbridgeDriver(host: String) : BenchDriver {
    private val cluster = CqlCluster.builder()
        .addContactPoints(host)
        .withLocalDatacenter("datacenter1")
        .withConsistency(ConsistencyLevel.LOCAL_ONE)
        .withCompression(null)
        .build()
    private val session = cluster.connectBlocking()
    private val insert = runBlocking { session.prepare(INSERT) }
    private val select = runBlocking { session.prepare(SELECT) }
    private val scan = runBlocking { session.prepare(SCAN) }

    override val versions = mapOf("cqlbridge-kotlin" to mavenVersion("cqlbridge", "cqlbridge-kotlin"))

    /** Starts one prepared insert. */
    override fun insert(i: Long): CompletionStage<*> = session.executeAsync(insert.bind(i, i * 7, "value $i"))

    /** Starts one prepared select and reads its row's columns on completion. */
    override fun select(k: Long): CompletionStage<*> = session.executeAsync(select.bind(k)).thenAccept { rs ->
        val row = rs.one() ?: throw IllegalStateException("no row for key $k")
        Sink.take(row.getLong(0)!!, row.getLong(1)!!, row.getString(2)!!)
    }

    /** Scans page by page with the suspending API, timing each page request. */
    override fun scan(pageSize: Int, maxPages: Int, latencies: MutableList<Long>): Long = runBlocking {
        val statement = scan.bind().withOptions(StatementOptions(pageSize = pageSize))
        var rows = 0L
        var pages = 0
        var started = System.nanoTime()
        var page = session.execute(statement)
        while (true) {
            latencies += System.nanoTime() - started
            for (row in page) {
                Sink.take(row.getLong(0)!!, row.getLong(1)!!, row.getString(2)!!)
                rows++
            }
            if (++pages >= maxPages || !page.hasMorePages) break
            started = System.nanoTime()
            page = page.nextPage()!!
        }
        rows
    }

    /** Closes the session and the cluster. */
    override fun close() = cluster.close()
}

/**
 * The Apache Cassandra Java driver 4.x with its async API (`executeAsync` returning a
 * CompletionStage, completed on its Netty I/O threads). Configured like the binding: no frame
 * compression, LOCAL_ONE, the local datacenter; no shutdown quiet period, so the process ends
 * promptly after the run.
 */
class JavaDriver(host: String) : BenchDriver {
    private val session: JavaSession = JavaSession.builder()
        .addContactPoint(InetSocketAddress(host, 9042))
        .withLocalDatacenter("datacenter1")
        .withConfigLoader(
            DriverConfigLoader.programmaticBuilder()
                .withString(DefaultDriverOption.REQUEST_CONSISTENCY, "LOCAL_ONE")
                .withInt(DefaultDriverOption.NETTY_IO_SHUTDOWN_QUIET_PERIOD, 0)
                .withInt(DefaultDriverOption.NETTY_ADMIN_SHUTDOWN_QUIET_PERIOD, 0)
                .build()
        )
        .build()
    private val insert = session.prepare(INSERT)
    private val select = session.prepare(SELECT)
    private val scan = session.prepare(SCAN)

    override val versions = mapOf("java-driver" to Session.OSS_DRIVER_COORDINATES.version.toString())

    /** Starts one prepared insert, bound with typed setters on a statement builder. */
    override fun insert(i: Long): CompletionStage<*> = session.executeAsync(
        insert.boundStatementBuilder().setLong(0, i).setLong(1, i * 7).setString(2, "value $i").build()
    )

    /** Starts one prepared select and reads (decodes) its row's columns on completion. */
    override fun select(k: Long): CompletionStage<*> =
        session.executeAsync(select.boundStatementBuilder().setLong(0, k).build()).thenAccept { rs ->
            val row = rs.one() ?: throw IllegalStateException("no row for key $k")
            Sink.take(row.getLong(0), row.getLong(1), row.getString(2)!!)
        }

    /** Scans page by page with the async API (waiting on this thread), timing each page request. */
    override fun scan(pageSize: Int, maxPages: Int, latencies: MutableList<Long>): Long {
        val statement = scan.bind().setPageSize(pageSize)
        var rows = 0L
        var pages = 0
        var started = System.nanoTime()
        var page = session.executeAsync(statement).toCompletableFuture().get()
        while (true) {
            latencies += System.nanoTime() - started
            for (row in page.currentPage()) {
                Sink.take(row.getLong(0), row.getLong(1), row.getString(2)!!)
                rows++
            }
            if (++pages >= maxPages || !page.hasMorePages()) break
            started = System.nanoTime()
            page = page.fetchNextPage().toCompletableFuture().get()
        }
        return rows
    }

    /** Closes the session. */
    override fun close() = session.close()
}

/** The version of a Maven artifact on the class path, from its jar's pom.properties. */
fun mavenVersion(group: String, artifact: String): String =
    BenchDriver::class.java.getResourceAsStream("/META-INF/maven/$group/$artifact/pom.properties")
        ?.use { Properties().apply { load(it) }.getProperty("version") } ?: "?"
