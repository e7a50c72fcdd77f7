package cqlbridge

import cqlbridge.uniffi.CqlException as NativeError
import cqlbridge.uniffi.ErrorInfo

/**
 * The base of every cqlbridge error. [kind] is core's error kind (`InvalidRequest`,
 * `WriteTimeout`, `NoHostAvailable`, ...); server errors carry their details.
 */
open class DriverException internal constructor(
    message: String,
    /** Core's error kind name. */
    val kind: String,
    /** Core's stable error kind code (100 SyntaxError, 101 InvalidRequest, ...). */
    val kindCode: Int,
    /** The server's details, when the server answered with an error. */
    val info: ErrorInfo?,
) : RuntimeException(message) {
    /** The consistency level of availability, timeout and failure errors. */
    val consistency: ConsistencyLevel? get() = info?.consistency?.let { c -> ConsistencyLevel.entries.first { it.code == c.toInt() } }
    /** Replicas required. */
    val required: Int? get() = info?.required
    /** Replicas that answered (alive, for Unavailable). */
    val received: Int? get() = info?.received
    /** The write type of write timeouts and failures (`SIMPLE`, `BATCH`, `CAS`, ...). */
    val writeType: String? get() = info?.writeType
}

/** The statement is not valid CQL. */
class SyntaxErrorException internal constructor(m: String, k: String, c: Int, i: ErrorInfo?) : DriverException(m, k, c, i)
/** The server refused the request (unknown table or column, wrong types, ...). */
open class InvalidQueryException internal constructor(m: String, k: String, c: Int, i: ErrorInfo?) : DriverException(m, k, c, i)
/** The keyspace or table already exists. */
class AlreadyExistsException internal constructor(m: String, k: String, c: Int, i: ErrorInfo?) : InvalidQueryException(m, k, c, i)
/** The user may not do this. */
class UnauthorizedException internal constructor(m: String, k: String, c: Int, i: ErrorInfo?) : DriverException(m, k, c, i)
/** Too few replicas are alive for the consistency level. */
class UnavailableException internal constructor(m: String, k: String, c: Int, i: ErrorInfo?) : DriverException(m, k, c, i)
/** Replicas did not answer in time (server side: read or write timeout). */
class QueryTimeoutException internal constructor(m: String, k: String, c: Int, i: ErrorInfo?) : DriverException(m, k, c, i)
/** Replicas failed the read or write. */
class QueryFailureException internal constructor(m: String, k: String, c: Int, i: ErrorInfo?) : DriverException(m, k, c, i)
/** Another server error (overloaded, bootstrapping, truncate, function failure, ...). */
class ServerException internal constructor(m: String, k: String, c: Int, i: ErrorInfo?) : DriverException(m, k, c, i)
/** Wrong credentials, or the server asks for some. */
class AuthenticationException internal constructor(m: String, k: String, c: Int, i: ErrorInfo?) : DriverException(m, k, c, i)
/** No node could be reached (or every node failed the request). */
class NoHostAvailableException internal constructor(m: String, k: String, c: Int, i: ErrorInfo?) : DriverException(m, k, c, i)
/** The client-side timeout passed. */
class OperationTimedOutException internal constructor(m: String, k: String, c: Int, i: ErrorInfo?) : DriverException(m, k, c, i)
/** A connection failed. */
class ConnectionException internal constructor(m: String, k: String, c: Int, i: ErrorInfo?) : DriverException(m, k, c, i)
/** A value does not fit its marker's type (nothing was sent). */
class BindException internal constructor(m: String, k: String, c: Int, i: ErrorInfo?) : DriverException(m, k, c, i)
/** An argument is wrong (nothing was sent). */
class InvalidArgumentException internal constructor(m: String, k: String, c: Int, i: ErrorInfo?) : DriverException(m, k, c, i)
/**
 * An object was used after it was closed: a request on a closed session (or through a
 * [ResultSet] or statement of one), a closed [PreparedStatement]. Nothing was sent; the C
 * ABI's `CQLB_INVALID_HANDLE`.
 */
class InvalidHandleException internal constructor(m: String, k: String, c: Int, i: ErrorInfo?) : DriverException(m, k, c, i) {
    internal constructor(m: String) : this(m, "InvalidHandle", 2, null)
}
/** The mapper refused a model value (nothing was sent). */
class ValidationException internal constructor(m: String, k: String, c: Int, i: ErrorInfo?) : DriverException(m, k, c, i)
/** The mapper refused a query Cassandra would refuse (nothing was sent). */
class MapperQueryException internal constructor(m: String, k: String, c: Int, i: ErrorInfo?) : DriverException(m, k, c, i)
/** No row matched a mapper `get`. */
class DoesNotExistException internal constructor(m: String, k: String, c: Int, i: ErrorInfo?) : DriverException(m, k, c, i)
/** Several rows matched a mapper `get`. */
class MultipleObjectsReturnedException internal constructor(m: String, k: String, c: Int, i: ErrorInfo?) : DriverException(m, k, c, i)
/** A conditional write was not applied; [existing] is the row as it is. */
class LwtException internal constructor(m: String, k: String, c: Int, i: ErrorInfo?, val existing: Map<String, Any?>) : DriverException(m, k, c, i)

/** Maps core's error record to the exception class of its kind. */
internal fun exceptionOf(info: ErrorInfo): DriverException {
    val m = info.message
    val k = info.name
    val c = info.kind.toInt()
    return when (k) {
        "SyntaxError" -> SyntaxErrorException(m, k, c, info)
        "InvalidRequest", "ConfigurationError" -> InvalidQueryException(m, k, c, info)
        "AlreadyExists" -> AlreadyExistsException(m, k, c, info)
        "Unauthorized" -> UnauthorizedException(m, k, c, info)
        "Unavailable" -> UnavailableException(m, k, c, info)
        "ReadTimeout", "WriteTimeout" -> QueryTimeoutException(m, k, c, info)
        "ReadFailure", "WriteFailure" -> QueryFailureException(m, k, c, info)
        "Overloaded", "IsBootstrapping", "TruncateError", "FunctionFailure", "ServerError" -> ServerException(m, k, c, info)
        "AuthenticationFailed" -> AuthenticationException(m, k, c, info)
        "NoHostAvailable" -> NoHostAvailableException(m, k, c, info)
        "OperationTimedOut" -> OperationTimedOutException(m, k, c, info)
        "ConnectionError" -> ConnectionException(m, k, c, info)
        "BindError" -> BindException(m, k, c, info)
        "InvalidArgument" -> InvalidArgumentException(m, k, c, info)
        "InvalidHandle" -> InvalidHandleException(m, k, c, info)
        "ValidationError" -> ValidationException(m, k, c, info)
        "QueryError", "SchemaMismatch" -> MapperQueryException(m, k, c, info)
        "DoesNotExist" -> DoesNotExistException(m, k, c, info)
        "MultipleObjectsReturned" -> MultipleObjectsReturnedException(m, k, c, info)
        "LwtFailed" -> LwtException(m, k, c, info, decodeNamed(info.existing))
        else -> DriverException(m, k, c, info)
    }
}

/** A count, then (name, value) pairs. */
internal fun decodeNamed(bytes: ByteArray): Map<String, Any?> {
    if (bytes.isEmpty()) return emptyMap()
    val r = PackedReader(bytes)
    val out = LinkedHashMap<String, Any?>()
    repeat(r.u32()) { out[r.str()] = r.value() }
    return out
}

/** Runs a native call, turning its error into the exception of its kind. */
internal inline fun <T> native(call: () -> T): T =
    try {
        call()
    } catch (e: NativeError.Failed) {
        throw exceptionOf(e.info)
    } catch (e: IllegalStateException) {
        throw closedOr(e)
    }

/**
 * The generated bindings refuse a call on a closed (destroyed) native object with an
 * IllegalStateException; that is a closed handle, typed as such.
 */
internal fun closedOr(e: IllegalStateException): RuntimeException =
    if (e.message?.endsWith("object has already been destroyed") == true) {
        InvalidHandleException("closed: ${e.message}").also { it.initCause(e) }
    } else {
        e
    }
