package cqlbridge

import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.count
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeoutOrNull
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import java.math.BigDecimal
import java.math.BigInteger
import java.net.InetAddress
import java.time.Instant
import java.time.LocalDate
import java.time.LocalTime
import java.util.UUID
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger

/** The driver from Kotlin against the real node. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionTest {
    private lateinit var ks: String
    private val s get() = Node.session

    @BeforeAll
    fun setUp(): Unit = runBlocking {
        ks = Node.keyspace("kt")
        s.execute("CREATE TABLE $ks.kv (k int PRIMARY KEY, v text)")
        s.execute("CREATE TABLE $ks.rows (p int, c int, v text, PRIMARY KEY (p, c))")
        s.execute("CREATE TABLE $ks.counters (k int PRIMARY KEY, n counter)")
    }

    @AfterAll
    fun tearDown(): Unit = runBlocking { s.execute("DROP KEYSPACE IF EXISTS $ks"); Unit }

    @Test
    fun `execute and prepare`(): Unit = runBlocking {
        s.execute("INSERT INTO $ks.kv (k, v) VALUES (?, ?)", 1, "one")
        val rs = s.execute("SELECT k, v FROM $ks.kv WHERE k = ?", 1)
        assertEquals(listOf("k", "v"), rs.columns.names)
        assertEquals("one", rs.one()!!.getString("v"))
        val select = s.prepare("SELECT v FROM $ks.kv WHERE k = ?")
        assertEquals(listOf("k"), select.paramNames)
        assertEquals(listOf("int"), select.paramTypes)
        assertEquals("one", s.execute(select.bind(1)).one()!!.getString(0))
        assertNull(s.execute(select.bind(2)).one())
        val local = s.execute("SELECT release_version FROM system.local").one()!!
        assertTrue(local.getString("release_version")!!.startsWith("5."))
    }

    @Test
    fun `every CQL type round-trips with its JVM type`(): Unit = runBlocking {
        s.execute("CREATE TYPE IF NOT EXISTS $ks.addr (street text, zip int)")
        s.execute("""CREATE TABLE IF NOT EXISTS $ks.types (k int PRIMARY KEY, a ascii, t text, b boolean, ti tinyint,
            si smallint, i int, bi bigint, vi varint, f float, d double, de decimal, bl blob, u uuid, tu timeuuid,
            ip inet, da date, tm time, ts timestamp, du duration, l list<int>, s set<text>, m map<text, int>,
            tup tuple<int, text>, ad frozen<addr>, ve vector<float, 2>)""")
        val tu = TimeUuid.now()
        val later = TimeUuid.now()
        assertEquals(1, tu.version())
        assertTrue(later.timestamp() > tu.timestamp(), "time UUIDs of one process strictly increase")
        val values = listOf<Any?>(1, "ascii", "ž✓", true, 7.toByte(), 300.toShort(), 70000, Long.MIN_VALUE,
            BigInteger("-123456789012345678901234567890"), 1.5f, -0.25, BigDecimal("-3.1415926535897932384626"),
            byteArrayOf(0, -1), UUID.randomUUID(), tu, InetAddress.getByName("::1"), LocalDate.of(1969, 12, 31),
            LocalTime.of(23, 59, 59, 999_999_999), Instant.ofEpochMilli(1_700_000_000_123), CqlDuration(1, 2, 3),
            listOf(1, 2), setOf("a", "b"), mapOf("x" to 1), CqlTuple(1, null), UdtValue(ks, "addr", mapOf("street" to "main", "zip" to null)),
            CqlVector(listOf(1.0f, 2.0f)))
        val names = "k, a, t, b, ti, si, i, bi, vi, f, d, de, bl, u, tu, ip, da, tm, ts, du, l, s, m, tup, ad, ve"
        s.execute(SimpleStatement("INSERT INTO $ks.types ($names) VALUES (${values.joinToString { "?" }})", values))
        val row = s.execute("SELECT $names FROM $ks.types WHERE k = 1").one()!!
        for ((i, expected) in values.withIndex()) {
            val got = row[i]
            if (expected is ByteArray) assertTrue(expected.contentEquals(got as ByteArray)) else assertEquals(expected, got, "column $i")
        }
        assertEquals(tu, row.getUuid("tu"))
        assertEquals(CqlDuration(1, 2, 3), row.getDuration("du"))
        assertEquals(listOf(1, 2), row.getListOf<Int>("l"))
        assertEquals("main", row.getUdt("ad")!!["street"])
        val wrong = assertThrows<IllegalStateException> { row.getInt("t") }
        assertTrue(wrong.message!!.contains("text"), wrong.message)
    }

    @Test
    fun `paging as a Flow and page by page`(): Unit = runBlocking {
        val insert = s.prepare("INSERT INTO $ks.rows (p, c, v) VALUES (?, ?, ?)")
        s.executeConcurrent(insert, (0 until 250).map { listOf(1, it, "v$it") })
        val st = SimpleStatement("SELECT c FROM $ks.rows WHERE p = ?", listOf(1), StatementOptions(pageSize = 40))
        val first = s.execute(st)
        assertEquals(40, first.rows.size)
        assertTrue(first.hasMorePages)
        val second = first.nextPage()!!
        assertEquals(40, second.one()!!.getInt("c"))
        val all = s.stream(st).toList()
        assertEquals((0 until 250).toList(), all.map { it.getInt("c") })
    }

    @Test
    fun `executeConcurrent returns one outcome per row in order`(): Unit = runBlocking {
        val insert = s.prepare("INSERT INTO $ks.kv (k, v) VALUES (?, ?)")
        val outcomes = s.executeConcurrent(insert, listOf(listOf(10, "a"), listOf("not an int", "b"), listOf(12, "c")), concurrency = 2)
        assertEquals(3, outcomes.size)
        assertTrue(outcomes[0].isSuccess && outcomes[2].isSuccess)
        assertTrue(outcomes[1].exceptionOrNull() is BindException, outcomes[1].toString())
        assertThrows<BindException> {
            runBlocking { s.executeConcurrent(insert, listOf(listOf("x", "y")), raiseOnFirstError = true) }
        }
        val select = s.prepare("SELECT v FROM $ks.kv WHERE k = ?")
        val got = s.executeConcurrent(select, listOf(listOf(10), listOf(12))).map { it.getOrThrow().one()!!.getString("v") }
        assertEquals(listOf("a", "c"), got)
        assertEquals(emptyList<Result<ResultSet>>(), s.executeConcurrent(select, emptyList()))
    }

    @Test
    fun `batches and lightweight transactions`(): Unit = runBlocking {
        val batch = BatchStatement(BatchType.LOGGED)
            .add("INSERT INTO $ks.kv (k, v) VALUES (?, ?)", 20, "x")
            .add(s.prepare("INSERT INTO $ks.kv (k, v) VALUES (?, ?)").bind(21, "y"))
        s.execute(batch)
        assertEquals(2, s.executeConcurrent("SELECT v FROM $ks.kv WHERE k = ?", listOf(listOf(20), listOf(21))).count { it.getOrThrow().one() != null })
        s.execute(BatchStatement(BatchType.COUNTER).add("UPDATE $ks.counters SET n = n + ? WHERE k = 1", 5L))
        assertEquals(5L, s.execute("SELECT n FROM $ks.counters WHERE k = 1").one()!!.getLong("n"))

        assertTrue(s.execute("INSERT INTO $ks.kv (k, v) VALUES (30, 'first') IF NOT EXISTS").wasApplied)
        val again = s.execute("INSERT INTO $ks.kv (k, v) VALUES (30, 'second') IF NOT EXISTS")
        assertFalse(again.wasApplied)
        assertEquals("first", again.one()!!.getString("v"))
        assertTrue(s.execute("UPDATE $ks.kv SET v = 'third' WHERE k = 30 IF v = ?", "first").wasApplied)
    }

    @Test
    fun `executeAsync completes futures with callbacks for Java callers`() {
        val latch = CountDownLatch(10)
        val ok = AtomicInteger()
        repeat(10) { i ->
            Node.session.executeAsync("INSERT INTO $ks.kv (k, v) VALUES (?, ?)", 100 + i, "async")
                .whenComplete { rs, e -> if (e == null && rs.wasApplied) ok.incrementAndGet(); latch.countDown() }
        }
        assertTrue(latch.await(20, TimeUnit.SECONDS))
        assertEquals(10, ok.get())
        val failed = Node.session.executeAsync("SELECT nope FROM $ks.kv")
        val e = assertThrows<java.util.concurrent.ExecutionException> { failed.get(20, TimeUnit.SECONDS) }
        assertTrue(e.cause is InvalidQueryException, e.cause.toString())
    }

    @Test
    fun `requests chained from completion callbacks start together and each completes`() {
        // 10 chains of 20 requests, each started from the previous one's callback (on the
        // completion thread, where they are held and start with one submitMany per batch);
        // one request fails with a server error and its chain goes on.
        val chains = 10
        val steps = 20
        val insert = runBlocking { s.prepare("INSERT INTO $ks.kv (k, v) VALUES (?, ?)") }
        val outcomes = Array(chains) { arrayOfNulls<Any>(steps) }
        val threads = java.util.concurrent.ConcurrentHashMap.newKeySet<String>()
        val done = CountDownLatch(chains)
        fun step(chain: Int, i: Int) {
            val k = 1000 + chain * steps + i
            val started = if (chain == 3 && i == 7) {
                s.executeAsync("INSERT INTO $ks.kv (k, nope) VALUES (?, ?)", k, "x")
            } else {
                s.executeAsync(insert.bind(k, "c$chain-$i"))
            }
            started.whenComplete { rs, e ->
                outcomes[chain][i] = e ?: rs
                // (from the third on: a callback runs on the caller's thread if its request
                // completed before it was attached)
                if (i >= 2) threads += Thread.currentThread().name
                if (i + 1 < steps) step(chain, i + 1) else done.countDown()
            }
        }
        repeat(chains) { step(it, 0) }
        assertTrue(done.await(30, TimeUnit.SECONDS), "the chains finished")
        assertEquals(setOf("cqlbridge-completions"), threads)
        for (chain in 0 until chains) for (i in 0 until steps) {
            val outcome = outcomes[chain][i]
            if (chain == 3 && i == 7) {
                assertTrue(outcome is InvalidQueryException, "chain $chain step $i: $outcome")
            } else {
                assertTrue(outcome is ResultSet, "chain $chain step $i: $outcome")
            }
        }
        val select = runBlocking { s.prepare("SELECT v FROM $ks.kv WHERE k = ?") }
        val keys = (0 until chains * steps).map { listOf(1000 + it) }
        val values = runBlocking { s.executeConcurrent(select, keys) }.map { it.getOrThrow().one()?.getString(0) }
        for (chain in 0 until chains) for (i in 0 until steps) {
            val expected = if (chain == 3 && i == 7) null else "c$chain-$i"
            assertEquals(expected, values[chain * steps + i], "row of chain $chain step $i")
        }
        assertEquals(0, Completions.pending)
    }

    @Test
    fun `a request held on the completion thread fails when its batch cannot start`() {
        // A callback starts a request on another session (held until the batch is handed out),
        // then closes that session: submitMany fails, and so does the held request's future.
        // (A callback runs on the caller's thread if the first request completes before it is
        // attached: then nothing is held, and the test tries again.)
        repeat(10) {
            val other = Node.cluster().connectBlocking()
            val outcome = java.util.concurrent.CompletableFuture<Throwable?>()
            s.executeAsync("SELECT * FROM system_schema.columns").whenComplete { _, _ ->
                val onCompletionThread = Thread.currentThread().name == "cqlbridge-completions"
                val held = other.executeAsync("SELECT release_version FROM system.local")
                other.close()
                held.whenComplete { _, e -> if (onCompletionThread) outcome.complete(e) else outcome.cancel(false) }
            }
            val e = try {
                outcome.get(20, TimeUnit.SECONDS)
            } catch (_: java.util.concurrent.CancellationException) {
                return@repeat
            }
            assertTrue(e is InvalidHandleException, e.toString())
            assertEquals(0, Completions.pending)
            return
        }
        throw AssertionError("no callback ran on the completion thread")
    }

    @Test
    fun `1000 concurrent suspends complete while the caller's loop stays free`(): Unit = runBlocking {
        val select = s.prepare("SELECT v FROM $ks.kv WHERE k = ?")
        var ticks = 0
        val ticker = launch { while (true) { ticks++; delay(1) } }
        val results = coroutineScope { (0 until 1000).map { async { s.execute(select.bind(it % 50)) } }.awaitAll() }
        ticker.cancel()
        assertEquals(1000, results.size)
        assertTrue(ticks > 1, "the event loop ticked $ticks times")
        assertEquals(0, Completions.pending)
    }

    @Test
    fun `cancelling a coroutine cancels its request`(): Unit = runBlocking {
        s.execute("CREATE TABLE IF NOT EXISTS $ks.cancelled (k int PRIMARY KEY)")
        val insert = s.prepare("INSERT INTO $ks.cancelled (k) VALUES (?)")
        val rows = (0 until 20000).map { listOf(it) }
        val outcome = withTimeoutOrNull(300) { s.executeConcurrent(insert, rows, concurrency = 1) }
        assertNull(outcome, "20000 sequential inserts finished within 300 ms?")
        assertEquals(0, Completions.pending)
        delay(500)
        val n1 = s.execute("SELECT count(*) FROM $ks.cancelled").one()!!.getLong(0)!!
        delay(500)
        val n2 = s.execute("SELECT count(*) FROM $ks.cancelled").one()!!.getLong(0)!!
        assertTrue(n1 < 20000, "every insert ran: $n1")
        assertEquals(n1, n2, "inserts went on after the coroutine was cancelled")
    }

    @Test
    fun `bad input gets typed errors`(): Unit = runBlocking {
        assertThrows<SyntaxErrorException> { runBlocking { s.execute("SELEKT 1") } }
        val unknown = assertThrows<InvalidQueryException> { runBlocking { s.execute("SELECT * FROM nokeyspace_xyz.t") } }
        assertTrue(unknown.message!!.contains("nokeyspace_xyz"), unknown.message)
        assertThrows<BindException> { runBlocking { s.execute("INSERT INTO $ks.kv (k, v) VALUES (?, ?)", "one", "x") } }
        assertThrows<BindException> { runBlocking { s.execute("INSERT INTO $ks.kv (k, v) VALUES (?, ?)", 1) } }
        assertThrows<UnsupportedValueException> { runBlocking { s.execute("INSERT INTO $ks.kv (k, v) VALUES (?, ?)", 1, Any()) } }
        // 1 ms is shorter than a scan of the schema usually takes: of 20 tries, some time out.
        val hurried = SimpleStatement("SELECT * FROM system_schema.columns", emptyList(), StatementOptions(timeout = java.time.Duration.ofNanos(1)))
        val outcomes = (1..20).map { runCatching { s.execute(hurried) }.exceptionOrNull() }
        assertTrue(outcomes.any { it is OperationTimedOutException }, outcomes.toString())
        assertTrue(outcomes.all { it == null || it is OperationTimedOutException }, outcomes.toString())
        val noNode = CqlCluster.builder().addContactPoints("127.0.0.1:1").withConnectTimeout(java.time.Duration.ofSeconds(2)).build()
        assertThrows<DriverException> { runBlocking { noNode.connect() } }
        val closed = Node.cluster().connectBlocking()
        closed.close()
        assertThrows<InvalidHandleException> { runBlocking { closed.execute("SELECT 1 FROM system.local") } }
        assertNotNull(s.execute("SELECT release_version FROM system.local").one(), "the shared session still works")
    }

    @Test
    fun `bad input is typed and nothing is lost`(): Unit = runBlocking {
        val insert = s.prepare("INSERT INTO $ks.kv (k, v) VALUES (?, ?)")
        // A lone surrogate has no UTF-8 form: the JVM's encoder would send '?' for it.
        for (bad in listOf("a\uDCFFb", "\uD800", "x\uDC00")) {
            assertThrows<BindException> { runBlocking { s.execute(insert.bind(70, bad)) } }
            assertThrows<BindException> { runBlocking { s.execute("INSERT INTO $ks.kv (k, v) VALUES (?, ?)", 70, bad) } }
        }
        assertThrows<BindException> { runBlocking { s.execute(insert.bind(70, byteArrayOf(0x61, -1))) } } // a blob
        s.execute(insert.bind(70, "ok \uD83D\uDE00")) // a proper pair is fine
        assertEquals("ok \uD83D\uDE00", s.execute("SELECT v FROM $ks.kv WHERE k = 70").one()!!.getString("v"))
        // A closed prepared statement, and a result whose session was closed: closed handles.
        val select = s.prepare("SELECT v FROM $ks.kv WHERE k = ?")
        val bound = select.bind(70)
        select.close()
        assertEquals("InvalidHandle", assertThrows<InvalidHandleException> { runBlocking { s.execute(bound) } }.kind)
        val other = Node.cluster().connectBlocking()
        val rs = other.execute(SimpleStatement("SELECT keyspace_name FROM system_schema.tables", emptyList(), StatementOptions(pageSize = 2)))
        other.close()
        assertThrows<InvalidHandleException> { runBlocking { rs.nextPage() } }
        assertEquals("ok \uD83D\uDE00", s.execute("SELECT v FROM $ks.kv WHERE k = 70").one()!!.getString("v"))
    }

    @Test
    fun `metadata and keyspace switching`(): Unit = runBlocking {
        assertTrue(s.metadata.hosts.isNotEmpty())
        assertTrue(ks in s.metadata.keyspaceNames)
        val session = Node.cluster().connect(ks)
        session.use {
            assertEquals(ks, it.keyspace)
            it.execute("INSERT INTO kv (k, v) VALUES (40, 'here')")
            it.useKeyspace("system")
            assertEquals("system", it.keyspace)
            assertTrue(it.execute("SELECT count(*) FROM $ks.kv").one()!!.getLong(0)!! > 0)
        }
        assertTrue(s.metadata.tables(ks).any { it.name == "kv" && it.partitionKey == listOf("k") })
        assertTrue(s.metadata.metrics.requests > 0uL)
    }
}
