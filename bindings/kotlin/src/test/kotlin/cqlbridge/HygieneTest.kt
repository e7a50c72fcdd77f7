package cqlbridge

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.io.File

/**
 * Resource hygiene from Kotlin (issue 10): a connect / execute / close loop leaves no driver
 * threads, file descriptors or memory behind. CQLB_HYGIENE_ITERATIONS sessions (default 20;
 * `make reliability`: 200); the figures are printed for tests/RELIABILITY.md.
 */
class HygieneTest {
    private data class Resources(val runtimeThreads: Int, val javaThreads: Int, val fds: Int, val rssKib: Long)

    private fun measure(): Resources {
        // Threads of the Rust runtime are named cqlbridge-rt; the JVM's own come and go (JIT).
        val tasks = File("/proc/self/task").listFiles().orEmpty()
        val runtime = tasks.count { runCatching { File(it, "comm").readText().trim().startsWith("cqlbridge-rt") }.getOrDefault(false) }
        val rss = File("/proc/self/status").readLines().first { it.startsWith("VmRSS:") }.split(Regex("\\s+"))[1].toLong()
        return Resources(runtime, Thread.getAllStackTraces().size, File("/proc/self/fd").list().orEmpty().size, rss)
    }

    private fun oneSession() = runBlocking {
        Node.cluster().use { cluster ->
            val session = cluster.connect()
            assertEquals(1, session.execute("SELECT release_version FROM system.local").all().size)
            val prepared = session.prepare("SELECT key FROM system.local WHERE key = ?")
            assertNotNull(session.execute(prepared.bind("local")).one())
        }
    }

    @Test
    fun `a connect execute close loop leaves nothing behind`() {
        val iterations = System.getenv("CQLB_HYGIENE_ITERATIONS")?.toIntOrNull() ?: 20
        repeat(5) { oneSession() }
        Thread.sleep(1000)
        System.gc()
        val base = measure()
        val started = System.nanoTime()
        repeat(iterations) { oneSession() }
        val took = (System.nanoTime() - started) / 1e9
        var end = measure()
        val deadline = System.nanoTime() + 15_000_000_000L
        while ((end.runtimeThreads > base.runtimeThreads || end.javaThreads > base.javaThreads || end.fds > base.fds) &&
            System.nanoTime() < deadline
        ) {
            Thread.sleep(100)
            System.gc()
            end = measure()
        }
        println(
            "hygiene (Kotlin): $iterations sessions in ${"%.1f".format(took)}s; runtime threads ${base.runtimeThreads} -> ${end.runtimeThreads}, " +
                "Java threads ${base.javaThreads} -> ${end.javaThreads}, fds ${base.fds} -> ${end.fds}, RSS ${base.rssKib} KiB -> ${end.rssKib} KiB",
        )
        assertTrue(end.runtimeThreads <= base.runtimeThreads, "runtime threads grew: $base -> $end")
        assertTrue(end.javaThreads <= base.javaThreads, "Java threads grew: $base -> $end")
        assertTrue(end.fds <= base.fds, "file descriptors leaked: $base -> $end")
        // The JVM's heap may still grow into its limit; a native leak per session would not stop.
        assertTrue(end.rssKib - base.rssKib < 64 * 1024, "RSS grew: $base -> $end")
    }
}
