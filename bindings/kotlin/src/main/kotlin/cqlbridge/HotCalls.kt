package cqlbridge

import cqlbridge.uniffi.CompletionQueue
import cqlbridge.uniffi.Connection
import cqlbridge.uniffi.CqlException
import cqlbridge.uniffi.Drained
import cqlbridge.uniffi.FfiConverterByteArray
import cqlbridge.uniffi.FfiConverterString
import cqlbridge.uniffi.FfiConverterTypeDrained
import cqlbridge.uniffi.InternalException
import cqlbridge.uniffi.RustBuffer
import cqlbridge.uniffi.UniffiLib
import cqlbridge.uniffi.UniffiRustCallStatus
import java.nio.ByteOrder

/**
 * The hot native calls (submit, submitMany, drain) through uniffi's C functions with one call
 * status per thread, reused. The generated methods make a new JNA Structure for each crossing
 * of a call (the handle's clone, the argument's buffer, the call), each with native memory
 * that JNA's one Cleaner thread frees once the GC has found it: ~10 µs a crossing, and under
 * load a backlog of Cleaner references that the heap carries. What stays generated: the
 * connection's handle (`callWithHandle`, which refuses a closed connection), the converters,
 * the errors.
 */
internal object HotCalls {
    private val statuses = ThreadLocal.withInitial { UniffiRustCallStatus() }

    /** [Connection.submit]. */
    fun submit(connection: Connection, request: ByteArray) {
        val status = statuses.get()
        connection.callWithHandle { handle ->
            UniffiLib.uniffi_cqlbridge_uniffi_fn_method_connection_submit(handle, lower(request, status), status)
        }
        check(status)
    }

    /** [Connection.submitMany]. */
    fun submitMany(connection: Connection, requests: ByteArray) {
        val status = statuses.get()
        connection.callWithHandle { handle ->
            UniffiLib.uniffi_cqlbridge_uniffi_fn_method_connection_submit_many(handle, lower(requests, status), status)
        }
        check(status)
    }

    /**
     * [CompletionQueue.drain] through [queue], a handle of the caller's own (from
     * [CompletionQueue.uniffiCloneHandle]) that it never frees: no guard needed.
     */
    fun drain(queue: Long, timeoutMs: Int): Drained {
        val status = statuses.get()
        val handle = UniffiLib.uniffi_cqlbridge_uniffi_fn_clone_completionqueue(queue, status)
        check(status)
        val buf = UniffiLib.uniffi_cqlbridge_uniffi_fn_method_completionqueue_drain(handle, timeoutMs, status)
        check(status)
        try {
            return FfiConverterTypeDrained.read(buf.asByteBuffer()!!)
        } finally {
            UniffiLib.ffi_cqlbridge_uniffi_rustbuffer_free(buf, status)
            check(status)
        }
    }

    /** [bytes] in a buffer the library allocated, written as the generated converter writes it. */
    private fun lower(bytes: ByteArray, status: UniffiRustCallStatus): RustBuffer.ByValue {
        val buf = UniffiLib.ffi_cqlbridge_uniffi_rustbuffer_alloc(FfiConverterByteArray.allocationSize(bytes).toLong(), status)
        check(status)
        val out = buf.data!!.getByteBuffer(0, buf.capacity).order(ByteOrder.BIG_ENDIAN)
        FfiConverterByteArray.write(bytes, out)
        buf.len = out.position().toLong()
        return buf
    }

    /** Throws what a failed call reported (core's error, or a panic), and resets [status]. */
    private fun check(status: UniffiRustCallStatus) {
        val code = status.code
        if (code == 0.toByte()) return
        status.code = 0
        if (code == 1.toByte()) throw CqlException.ErrorHandler.lift(status.error_buf)
        val buf = status.error_buf
        throw InternalException(if (buf.len > 0) FfiConverterString.lift(buf) else "Rust panic")
    }
}
