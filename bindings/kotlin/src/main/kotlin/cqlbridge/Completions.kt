package cqlbridge

import cqlbridge.uniffi.CompletionQueue
import cqlbridge.uniffi.ErrorInfo
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicLong
import java.util.logging.Level
import java.util.logging.Logger

/** Receives the outcomes of one request; returns true once the request is complete. */
internal fun interface Waiter {
    fun complete(index: Int, page: ByteArray?, error: ErrorInfo?): Boolean
}

/**
 * The process's completion queue and the one daemon thread ("cqlbridge-completions") that
 * drains it in batches: requests complete into the queue on the core's runtime threads, and
 * this thread hands each outcome to the waiter registered under the request's id (resuming a
 * coroutine, completing a CompletableFuture). ARCHITECTURE.md, "Measured costs": one JNA
 * crossing per batch of completions instead of one per request.
 */
internal object Completions {
    private val log = Logger.getLogger("cqlbridge")
    private val ids = AtomicLong()
    private val waiters = ConcurrentHashMap<Long, Waiter>()

    /** The queue every connection of this process completes into. */
    val queue: CompletionQueue = CompletionQueue()

    init {
        Thread(::drainForever, "cqlbridge-completions").apply { isDaemon = true; start() }
    }

    /** A fresh request id. */
    fun nextId(): Long = ids.incrementAndGet()

    /** Registers [waiter] for request [id] (before the request is submitted). */
    fun register(id: Long, waiter: Waiter) {
        waiters[id] = waiter
    }

    /** Forgets request [id]: whatever still completes for it is dropped. */
    fun forget(id: Long) {
        waiters.remove(id)
    }

    /** How many requests wait for their outcome. */
    val pending: Int get() = waiters.size

    private fun drainForever() {
        while (true) {
            val drained = try {
                queue.drain(1000u)
            } catch (t: Throwable) {
                log.log(Level.SEVERE, "draining the completion queue failed", t)
                continue
            }
            if (drained.packed.size <= 4) continue
            for (c in decodeCompletions(drained.packed)) {
                val waiter = waiters[c.id] ?: continue
                val error = if (c.page == null) drained.errors[c.error] else null
                val done = try {
                    waiter.complete(c.index, c.page, error)
                } catch (t: Throwable) {
                    log.log(Level.WARNING, "a completion handler failed", t)
                    true
                }
                if (done) waiters.remove(c.id)
            }
        }
    }
}

/** Index of a concurrent request's outcome that stands for the whole request. */
internal const val WHOLE_REQUEST = -1
