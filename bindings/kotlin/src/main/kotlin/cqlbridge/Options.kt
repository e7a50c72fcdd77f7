package cqlbridge

import java.time.Duration

/** Consistency levels, with their protocol codes. */
enum class ConsistencyLevel(val code: Int) {
    ANY(0), ONE(1), TWO(2), THREE(3), QUORUM(4), ALL(5), LOCAL_QUORUM(6), EACH_QUORUM(7),
    SERIAL(8), LOCAL_SERIAL(9), LOCAL_ONE(10),
}

/**
 * Options of one request; what is unset comes from the session's execution profile.
 * Immutable: the `with...` functions return a copy.
 */
data class StatementOptions(
    /** Consistency level. */
    val consistency: ConsistencyLevel? = null,
    /** Serial consistency of conditional writes (SERIAL or LOCAL_SERIAL). */
    val serialConsistency: ConsistencyLevel? = null,
    /** Rows per page. */
    val pageSize: Int? = null,
    /** Client-side timeout. */
    val timeout: Duration? = null,
    /** Safe to retry and to execute speculatively. */
    val idempotent: Boolean = false,
    /** Ask the server to trace the request. */
    val tracing: Boolean = false,
    /** The execution profile to run with. */
    val profile: String? = null,
    /** Send to this node only (`ip` or `ip:port`). */
    val host: String? = null,
) {
    fun withConsistency(c: ConsistencyLevel) = copy(consistency = c)
    fun withSerialConsistency(c: ConsistencyLevel) = copy(serialConsistency = c)
    fun withPageSize(n: Int) = copy(pageSize = n)
    fun withTimeout(d: Duration) = copy(timeout = d)
    fun withIdempotent(b: Boolean = true) = copy(idempotent = b)
    fun withTracing(b: Boolean = true) = copy(tracing = b)
    fun withProfile(name: String) = copy(profile = name)
    fun withHost(host: String) = copy(host = host)

    companion object {
        /** No options: everything from the profile. */
        @JvmField
        val DEFAULT = StatementOptions()
    }
}
