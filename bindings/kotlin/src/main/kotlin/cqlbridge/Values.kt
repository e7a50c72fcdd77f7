package cqlbridge

/**
 * CQL values without a JVM type of their own. Every other CQL type maps to a JVM type:
 * text/ascii [String], tinyint [Byte], smallint [Short], int [Int], bigint/counter [Long],
 * varint [java.math.BigInteger], float [Float], double [Double], decimal
 * [java.math.BigDecimal], blob [ByteArray], uuid/timeuuid [java.util.UUID], inet
 * [java.net.InetAddress], date [java.time.LocalDate], time [java.time.LocalTime], timestamp
 * [java.time.Instant], list [List], set [Set], map [Map].
 */

/** A CQL `duration`: months, days and nanoseconds, each signed, all of one sign. */
data class CqlDuration(val months: Int, val days: Int, val nanoseconds: Long)

/** A CQL `tuple` value; elements may be null. */
data class CqlTuple(val elements: List<Any?>) {
    constructor(vararg elements: Any?) : this(elements.toList())

    /** The element at [index]. */
    operator fun get(index: Int): Any? = elements[index]
}

/** A user-defined type's value: its fields by name (null for a missing field). */
data class UdtValue(val keyspace: String, val typeName: String, val fields: Map<String, Any?>) {
    /** The field named [name]. */
    operator fun get(name: String): Any? = fields[name]
}

/** A CQL `vector<T, n>` value. */
data class CqlVector(val elements: List<Any?>)

/** A bound marker left as it is: the column keeps its value (unlike null, which deletes it). */
object Unset {
    override fun toString() = "Unset"
}

/** A zero-length value of a non-string type (a legacy of Thrift-era tables). */
object EmptyValue {
    override fun toString() = "EmptyValue"
}

/** Time-based (version 1) UUIDs, for `timeuuid` columns: the JVM has no generator of its own. */
object TimeUuid {
    // 100-ns intervals between the UUID epoch (1582-10-15) and the Unix epoch.
    private const val EPOCH_OFFSET = 0x01B21DD213814000L
    private val random = java.security.SecureRandom()
    private val last = java.util.concurrent.atomic.AtomicLong()
    // A random node id with the multicast bit set (RFC 4122, 4.5), and a random clock sequence.
    private val lsb: Long = run {
        val node = random.nextLong() and 0xFFFFFFFFFFFFL or 0x010000000000L
        val clock = (random.nextInt() and 0x3FFF).toLong()
        (0x8000L or clock) shl 48 or node
    }

    /** A new time UUID, unique in this process (strictly increasing timestamps). */
    @JvmStatic
    fun now(): java.util.UUID {
        val wall = System.currentTimeMillis() * 10_000 + EPOCH_OFFSET
        val ticks = last.updateAndGet { prev -> if (wall > prev) wall else prev + 1 }
        return of(ticks, lsb)
    }

    /** The time UUID of `instant` with the given clock-and-node half. */
    @JvmStatic
    fun of(ticks: Long, lsb: Long): java.util.UUID {
        val msb = (ticks and 0xFFFFFFFFL shl 32) or (ticks ushr 32 and 0xFFFFL shl 16) or 0x1000L or (ticks ushr 48 and 0x0FFFL)
        return java.util.UUID(msb, lsb)
    }
}
