package cqlbridge

import cqlbridge.uniffi.Connection
import cqlbridge.uniffi.ErrorInfo
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.GlobalScope
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.future.future
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.suspendCancellableCoroutine
import java.util.concurrent.CompletableFuture
import kotlin.coroutines.resume
import kotlin.coroutines.resumeWithException

/**
 * A connected session: share it between coroutines and threads. Suspending functions for
 * Kotlin (`execute`, `prepare`, `executeConcurrent`, `stream`), `CompletableFuture`s for Java
 * (`executeAsync`, `prepareAsync`). Cancelling a coroutine cancels its request.
 */
class CqlSession internal constructor(internal val connection: Connection) : AutoCloseable {
    @Volatile
    private var closed = false

    private fun check() {
        if (closed) throw InvalidHandleException("this session is closed")
    }

    /** Runs [cql] with positional [values]. */
    suspend fun execute(cql: String, vararg values: Any?): ResultSet = execute(SimpleStatement(cql, values.toList()))

    /** Runs [statement]: the page at [pagingState], or the first. */
    suspend fun execute(statement: Statement, pagingState: ByteArray? = null): ResultSet {
        val bytes = await { id -> singleRequest(id, statement, pagingState) }
        return page(statement, bytes)
    }

    /** Runs [statement]; for Java callers. Cancelling the future cancels the request. */
    fun executeAsync(statement: Statement): CompletableFuture<ResultSet> {
        val future = RequestFuture(Completions.nextId(), statement)
        start(future.id, future) { singleRequest(future.id, statement, null) }
        return future
    }

    /** Runs [cql] with positional [values]; for Java callers. */
    fun executeAsync(cql: String, vararg values: Any?): CompletableFuture<ResultSet> =
        executeAsync(SimpleStatement(cql, values.toList()))

    /** Runs [statement] and blocks until it completes; for Java callers off any event loop. */
    fun executeBlocking(statement: Statement): ResultSet = runBlocking { execute(statement) }

    /** Prepares [cql]; [options] apply to each of its executions. */
    suspend fun prepare(cql: String, options: StatementOptions? = null): PreparedStatement {
        check()
        val native = native { connection.prepare(cql, options?.toNative()) }
        return PreparedStatement(native)
    }

    /** Prepares [cql]; for Java callers. */
    fun prepareAsync(cql: String): CompletableFuture<PreparedStatement> =
        GlobalScope.future(Dispatchers.Unconfined) { prepare(cql) }

    /**
     * Runs [statement] once per row of [rows], at most [concurrency] at a time, in one
     * crossing into the core. Returns one outcome per row, in order; with
     * [raiseOnFirstError], the first failure is thrown instead.
     */
    suspend fun executeConcurrent(
        statement: PreparedStatement,
        rows: List<List<Any?>>,
        concurrency: Int = 100,
        raiseOnFirstError: Boolean = false,
        options: StatementOptions = StatementOptions.DEFAULT,
    ): List<Result<ResultSet>> = concurrent(statement.ref, rows, concurrency, raiseOnFirstError, options)

    /** [executeConcurrent] for a CQL string (prepared once by the core). */
    suspend fun executeConcurrent(
        cql: String,
        rows: List<List<Any?>>,
        concurrency: Int = 100,
        raiseOnFirstError: Boolean = false,
        options: StatementOptions = StatementOptions.DEFAULT,
    ): List<Result<ResultSet>> = concurrent(StatementRef.Cql(cql), rows, concurrency, raiseOnFirstError, options)

    private suspend fun concurrent(
        ref: StatementRef,
        rows: List<List<Any?>>,
        concurrency: Int,
        raiseOnFirstError: Boolean,
        options: StatementOptions,
    ): List<Result<ResultSet>> {
        require(concurrency > 0) { "concurrency must be positive, not $concurrency" }
        if (rows.isEmpty()) return emptyList()
        val outcomes = arrayOfNulls<Any>(rows.size)
        var left = rows.size
        val statement = SimpleStatement("")
        val failure = suspendCancellableCoroutine<Throwable?> { cont ->
            val id = Completions.nextId()
            cont.invokeOnCancellation { cancel(id) }
            val waiter = object : Waiter {
                override fun outcome(index: Int, page: ByteArray?, error: ErrorInfo?): Boolean {
                    if (index == WHOLE_REQUEST) {
                        cont.resume(exceptionOf(error!!))
                        return true
                    }
                    outcomes[index] = page ?: exceptionOf(error!!)
                    left -= 1
                    if (left == 0) cont.resume(null)
                    return left == 0
                }

                override fun failed(error: Throwable) = cont.resumeWithException(error)
            }
            // Not held for a batch: a request that fails to start in one would complete as its
            // first item's outcome.
            start(id, waiter, batchable = false) { concurrentRequest(id, ref, rows, concurrency, raiseOnFirstError, options) }
        }
        if (failure != null) throw failure
        return outcomes.map {
            if (it is Throwable) Result.failure(it) else Result.success(page(statement, it as ByteArray))
        }
    }

    /** Every row of [statement], page after page, fetched as the flow is collected. */
    fun stream(statement: Statement): Flow<Row> = flow {
        var page: ResultSet? = execute(statement)
        while (page != null) {
            for (row in page) emit(row)
            page = page.nextPage()
        }
    }

    /** Every row of [cql] with [values], page after page. */
    fun stream(cql: String, vararg values: Any?): Flow<Row> = stream(SimpleStatement(cql, values.toList()))

    /** Switches every connection to [keyspace]. */
    suspend fun useKeyspace(keyspace: String) {
        check()
        native { connection.useKeyspace(keyspace) }
    }

    /** The keyspace in use. */
    val keyspace: String? get() = connection.keyspace()

    /** The cluster as the session sees it: nodes, keyspaces, tables. */
    val metadata: Metadata get() = Metadata(connection)

    /** Waits until every node agrees on the schema. */
    suspend fun waitForSchemaAgreement() = native { connection.waitForSchemaAgreement() }

    /** Closes the session: its requests fail from now on, its connections close. */
    override fun close() {
        closed = true
        connection.close()
    }

    // -- plumbing

    private fun page(statement: Statement, bytes: ByteArray): ResultSet {
        val prepared = (statement as? BoundStatement)?.prepared
        val decoded = decodePage(bytes, prepared?.lastColumns)
        if (prepared != null) prepared.lastColumns = decoded.columns
        return ResultSet(decoded, if (decoded.pagingState == null) null else { state -> execute(statement, state) })
    }

    private fun cancel(id: Long) {
        Completions.forget(id)
        runCatching { connection.cancel(id.toULong()) }
    }

    /** Encodes the request and starts it ([Completions.start]); what cannot start fails [waiter]. */
    private inline fun start(id: Long, waiter: Waiter, batchable: Boolean = true, encode: () -> ByteArray) {
        val request = try {
            check()
            encode()
        } catch (t: Throwable) {
            waiter.failed(t)
            return
        }
        Completions.start(connection, id, request, waiter, batchable)
    }

    /** Submits one request and suspends until its page arrives; cancellation cancels it. */
    private suspend fun await(encode: (Long) -> ByteArray): ByteArray = suspendCancellableCoroutine { cont ->
        val id = Completions.nextId()
        cont.invokeOnCancellation { cancel(id) }
        start(id, object : Waiter {
            override fun outcome(index: Int, page: ByteArray?, error: ErrorInfo?): Boolean {
                if (error != null) cont.resumeWithException(exceptionOf(error)) else cont.resume(page!!)
                return true
            }

            override fun failed(error: Throwable) = cont.resumeWithException(error)
        }) { encode(id) }
    }

    /**
     * The future of one request, and its waiter: the page is decoded on the completion thread
     * (no intermediate future); cancelling the future cancels the request.
     */
    private inner class RequestFuture(val id: Long, private val statement: Statement) :
        CompletableFuture<ResultSet>(), Waiter {
        override fun outcome(index: Int, page: ByteArray?, error: ErrorInfo?): Boolean {
            val result = try {
                if (error != null) throw exceptionOf(error)
                this@CqlSession.page(statement, page!!)
            } catch (t: Throwable) {
                completeExceptionally(t)
                return true
            }
            complete(result)
            return true
        }

        override fun failed(error: Throwable) {
            completeExceptionally(error)
        }

        override fun cancel(mayInterruptIfRunning: Boolean): Boolean =
            super.cancel(mayInterruptIfRunning).also { if (it) this@CqlSession.cancel(id) }
    }
}

internal fun StatementOptions.toNative() = cqlbridge.uniffi.RequestOptions(
    consistency = consistency?.code?.toUShort(),
    serialConsistency = serialConsistency?.code?.toUShort(),
    pageSize = pageSize,
    timeoutMs = timeout?.toMillis()?.toULong(),
    idempotent = idempotent,
    timestamp = null,
    tracing = tracing,
    profile = profile,
    host = host,
)
