package cqlbridge

import cqlbridge.uniffi.CompletionQueue
import cqlbridge.uniffi.Connection
import cqlbridge.uniffi.CqlException
import cqlbridge.uniffi.Drained
import cqlbridge.uniffi.ErrorInfo
import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.util.IdentityHashMap
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicLong
import java.util.logging.Level
import java.util.logging.Logger

/** Receives the outcomes of one request. */
internal interface Waiter {
    /** One outcome (a page, or core's error); returns true once the request is complete. */
    fun outcome(index: Int, page: ByteArray?, error: ErrorInfo?): Boolean

    /** The request could not start: nothing else comes for it. */
    fun failed(error: Throwable)
}

/**
 * The process's completion queue and the one daemon thread ("cqlbridge-completions") that
 * drains it in batches: requests complete into the queue on the core's runtime threads, and
 * this thread hands each outcome to the waiter registered under the request's id (resuming a
 * coroutine, completing a CompletableFuture). ARCHITECTURE.md, "Measured costs": one JNA
 * crossing per batch of completions instead of one per request.
 *
 * Requests started on this thread (by the callbacks it runs: a request window, a chain of
 * callbacks) are held until the drained batch has been handed out, then start together: one
 * `submitMany` per connection, so a chain pays the crossing once per batch too.
 */
internal object Completions {
    private val log = Logger.getLogger("cqlbridge")
    private val ids = AtomicLong()
    private val waiters = ConcurrentHashMap<Long, Waiter>()

    /** Requests held while a batch is handed out, by connection (this thread's alone). */
    private var held = IdentityHashMap<Connection, MutableList<ByteArray>>()

    /** The queue every connection of this process completes into. */
    val queue: CompletionQueue = CompletionQueue()

    /** The queue's handle for draining: it lives as long as the process, never freed. */
    private val queueHandle = queue.uniffiCloneHandle()

    private val thread = Thread(::drainForever, "cqlbridge-completions").apply { isDaemon = true }

    init {
        thread.start()
    }

    /** A fresh request id. */
    fun nextId(): Long = ids.incrementAndGet()

    /**
     * Starts the packed [request] (under [id], with [waiter]) on [connection]: at once, or,
     * on the completion thread and when [batchable], with the rest of its batch. A request
     * that cannot start fails [waiter].
     */
    fun start(connection: Connection, id: Long, request: ByteArray, waiter: Waiter, batchable: Boolean = true) {
        waiters[id] = waiter
        if (batchable && Thread.currentThread() === thread) {
            held.getOrPut(connection) { ArrayList() }.add(request)
            return
        }
        try {
            HotCalls.submit(connection, request)
        } catch (t: Throwable) {
            waiters.remove(id)
            waiter.failed(nativeFailure(t))
        }
    }

    /** Forgets request [id]: whatever still completes for it is dropped. */
    fun forget(id: Long) {
        waiters.remove(id)
    }

    /** How many requests wait for their outcome. */
    val pending: Int get() = waiters.size

    private fun drainForever() {
        while (true) {
            try {
                handOut(HotCalls.drain(queueHandle, 1000))
            } catch (t: Throwable) {
                log.log(Level.SEVERE, "draining the completion queue failed", t)
            }
            // Requests that callbacks started (even those of a batch that failed to decode).
            while (held.isNotEmpty()) startHeld()
        }
    }

    /** Hands each drained outcome to its waiter (bindings/PACKED.md, "Completions"). */
    private fun handOut(drained: Drained) {
        val r = PackedReader(drained.packed)
        if (r.atEnd) return
        repeat(r.u32()) {
            val id = r.i64()
            val index = r.i32()
            val page = if (r.u8() == 1) r.bytes() else null
            val error = if (page == null) drained.errors[r.u32()] else null
            val waiter = waiters[id] ?: return@repeat
            val done = try {
                waiter.outcome(index, page, error)
            } catch (t: Throwable) {
                log.log(Level.WARNING, "a completion handler failed", t)
                true
            }
            if (done) waiters.remove(id)
        }
    }

    /**
     * Starts the held requests, one `submitMany` per connection; if that fails, every request
     * of it fails with the error. Cancelled meanwhile: not sent, or cancelled once started.
     * Callbacks of failed requests may hold new ones: the caller loops until none are left.
     */
    private fun startHeld() {
        val batch = held
        held = IdentityHashMap()
        for ((connection, requests) in batch) {
            requests.retainAll { waiters.containsKey(requestId(it)) }
            if (requests.isEmpty()) continue
            try {
                HotCalls.submitMany(connection, frame(requests))
            } catch (t: Throwable) {
                for (request in requests) {
                    val waiter = waiters.remove(requestId(request)) ?: continue
                    try {
                        waiter.failed(nativeFailure(t))
                    } catch (t2: Throwable) {
                        log.log(Level.WARNING, "a completion handler failed", t2)
                    }
                }
                continue
            }
            for (request in requests) {
                val id = requestId(request)
                if (!waiters.containsKey(id)) runCatching { connection.cancel(id.toULong()) }
            }
        }
    }
}

/** The id a packed request starts with (a little-endian u64). */
private fun requestId(request: ByteArray): Long {
    var id = 0L
    for (i in 7 downTo 0) id = id shl 8 or (request[i].toLong() and 0xFF)
    return id
}

/** Several packed requests in one buffer, for `submitMany`: a count, then each with its length. */
private fun frame(requests: List<ByteArray>): ByteArray {
    val buf = ByteBuffer.allocate(4 + requests.sumOf { 4 + it.size }).order(ByteOrder.LITTLE_ENDIAN)
    buf.putInt(requests.size)
    for (r in requests) buf.putInt(r.size).put(r)
    return buf.array()
}

/** What a failed native call throws to callers: core's error as the exception of its kind. */
internal fun nativeFailure(t: Throwable): Throwable = when (t) {
    is CqlException.Failed -> exceptionOf(t.info)
    is IllegalStateException -> closedOr(t)
    else -> t
}

/** Index of a concurrent request's outcome that stands for the whole request. */
internal const val WHOLE_REQUEST = -1
