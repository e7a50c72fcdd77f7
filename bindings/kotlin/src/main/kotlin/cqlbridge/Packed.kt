package cqlbridge

import java.io.ByteArrayOutputStream
import java.math.BigDecimal
import java.math.BigInteger
import java.net.InetAddress
import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.time.Instant
import java.time.LocalDate
import java.time.LocalTime
import java.util.Date
import java.util.UUID

/**
 * The packed encoding of bindings/PACKED.md: values, requests, pages and completions cross
 * the FFI as one byte buffer each (a JNA call costs microseconds; decoding a buffer,
 * nanoseconds). Little-endian, a tag byte before each value.
 */
internal object Tag {
    const val NULL = 0x00
    const val UNSET = 0x01
    const val EMPTY = 0x02
    const val ASCII = 0x03
    const val TEXT = 0x04
    const val BOOLEAN = 0x05
    const val TINYINT = 0x06
    const val SMALLINT = 0x07
    const val INT = 0x08
    const val BIGINT = 0x09
    const val COUNTER = 0x0A
    const val VARINT = 0x0B
    const val FLOAT = 0x0C
    const val DOUBLE = 0x0D
    const val DECIMAL = 0x0E
    const val BLOB = 0x0F
    const val UUID = 0x10
    const val TIMEUUID = 0x11
    const val INET = 0x12
    const val DATE = 0x13
    const val TIME = 0x14
    const val TIMESTAMP = 0x15
    const val DURATION = 0x16
    const val LIST = 0x17
    const val SET = 0x18
    const val MAP = 0x19
    const val TUPLE = 0x1A
    const val UDT = 0x1B
    const val VECTOR = 0x1C
}

/** A value of a JVM type that has no CQL counterpart. */
class UnsupportedValueException(message: String) : IllegalArgumentException(message)

/**
 * [s] as UTF-8. A String with a lone surrogate (half of a UTF-16 pair) has no UTF-8 form: the
 * JVM's encoder would quietly write '?' for it, so binding it fails instead, before sending.
 */
internal fun utf8(s: String): ByteArray {
    for (c in s) {
        if (Character.isSurrogate(c)) {
            checkPairs(s)
            break
        }
    }
    return s.toByteArray(Charsets.UTF_8)
}

private fun checkPairs(s: String) {
    var i = 0
    while (i < s.length) {
        val c = s[i]
        if (Character.isHighSurrogate(c) && i + 1 < s.length && Character.isLowSurrogate(s[i + 1])) {
            i += 2
            continue
        }
        if (Character.isSurrogate(c)) {
            throw BindException("text is not valid Unicode (a lone surrogate U+%04X at index %d); nothing was sent".format(c.code, i),
                "BindError", 300, null)
        }
        i++
    }
}

/** Appends packed values to a growing buffer. */
internal class PackedWriter(initial: Int = 256) {
    private var buf = ByteBuffer.allocate(initial).order(ByteOrder.LITTLE_ENDIAN)

    private fun room(n: Int) {
        if (buf.remaining() < n) {
            val bigger = ByteBuffer.allocate(maxOf(buf.capacity() * 2, buf.position() + n))
                .order(ByteOrder.LITTLE_ENDIAN)
            buf.flip()
            bigger.put(buf)
            buf = bigger
        }
    }

    fun u8(v: Int) { room(1); buf.put(v.toByte()) }
    fun u16(v: Int) { room(2); buf.putShort(v.toShort()) }
    fun i32(v: Int) { room(4); buf.putInt(v) }
    fun u32(v: Int) = i32(v)
    fun i64(v: Long) { room(8); buf.putLong(v) }
    fun raw(b: ByteArray) { room(b.size); buf.put(b) }
    fun bytes(b: ByteArray) { u32(b.size); raw(b) }
    fun str(s: String) = bytes(utf8(s))
    fun optBytes(b: ByteArray?) { if (b == null) i32(-1) else bytes(b) }

    fun toByteArray(): ByteArray = buf.array().copyOf(buf.position())

    /** Writes a row: a count, then the values. */
    fun row(values: List<Any?>) {
        u32(values.size)
        for (v in values) value(v)
    }

    /** Writes one tagged value, by its JVM type. */
    fun value(v: Any?) {
        when (v) {
            null -> u8(Tag.NULL)
            Unset -> u8(Tag.UNSET)
            EmptyValue -> u8(Tag.EMPTY)
            is String -> { u8(Tag.TEXT); str(v) }
            is Boolean -> { u8(Tag.BOOLEAN); u8(if (v) 1 else 0) }
            is Byte -> { u8(Tag.TINYINT); u8(v.toInt()) }
            is Short -> { u8(Tag.SMALLINT); u16(v.toInt()) }
            is Int -> { u8(Tag.INT); i32(v) }
            is Long -> { u8(Tag.BIGINT); i64(v) }
            is BigInteger -> { u8(Tag.VARINT); bytes(v.toByteArray()) }
            is Float -> { u8(Tag.FLOAT); i32(java.lang.Float.floatToRawIntBits(v)) }
            is Double -> { u8(Tag.DOUBLE); i64(java.lang.Double.doubleToRawLongBits(v)) }
            is BigDecimal -> { u8(Tag.DECIMAL); i32(v.scale()); bytes(v.unscaledValue().toByteArray()) }
            is ByteArray -> { u8(Tag.BLOB); bytes(v) }
            is ByteBuffer -> { u8(Tag.BLOB); val d = v.duplicate(); val b = ByteArray(d.remaining()); d.get(b); bytes(b) }
            is UUID -> { u8(Tag.UUID); uuid(v) }
            is InetAddress -> { u8(Tag.INET); val a = v.address; u8(a.size); raw(a) }
            is LocalDate -> { u8(Tag.DATE); i32(Math.toIntExact(v.toEpochDay())) }
            is LocalTime -> { u8(Tag.TIME); i64(v.toNanoOfDay()) }
            is Instant -> { u8(Tag.TIMESTAMP); i64(v.toEpochMilli()) }
            is Date -> { u8(Tag.TIMESTAMP); i64(v.time) }
            is CqlDuration -> { u8(Tag.DURATION); i32(v.months); i32(v.days); i64(v.nanoseconds) }
            is List<*> -> { u8(Tag.LIST); u32(v.size); v.forEach { value(it) } }
            is Set<*> -> { u8(Tag.SET); u32(v.size); v.forEach { value(it) } }
            is Map<*, *> -> {
                u8(Tag.MAP); u32(v.size)
                for ((k, x) in v) { value(k); value(x) }
            }
            is CqlTuple -> { u8(Tag.TUPLE); u32(v.elements.size); v.elements.forEach { value(it) } }
            is UdtValue -> {
                u8(Tag.UDT); str(v.keyspace); str(v.typeName); u32(v.fields.size)
                for ((k, x) in v.fields) { str(k); value(x) }
            }
            is CqlVector -> { u8(Tag.VECTOR); u32(v.elements.size); v.elements.forEach { value(it) } }
            is FloatArray -> { u8(Tag.VECTOR); u32(v.size); v.forEach { value(it) } }
            is Array<*> -> { u8(Tag.LIST); u32(v.size); v.forEach { value(it) } }
            else -> throw UnsupportedValueException(
                "a ${v.javaClass.name} has no CQL type (use String, Int, Long, UUID, Instant, List, ...)")
        }
    }

    private fun uuid(u: UUID) {
        room(16)
        buf.order(ByteOrder.BIG_ENDIAN)
        buf.putLong(u.mostSignificantBits)
        buf.putLong(u.leastSignificantBits)
        buf.order(ByteOrder.LITTLE_ENDIAN)
    }
}

/** Reads packed values; every read is bounds-checked (a malformed buffer throws). */
internal class PackedReader(bytes: ByteArray) {
    private val buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN)

    val atEnd: Boolean get() = !buf.hasRemaining()

    fun u8(): Int = buf.get().toInt() and 0xFF
    fun i32(): Int = buf.getInt()
    fun u32(): Int {
        val n = buf.getInt()
        if (n < 0) throw IllegalStateException("malformed packed buffer: a count of ${n.toUInt()}")
        return n
    }
    fun i64(): Long = buf.getLong()
    fun raw(n: Int): ByteArray {
        if (n > buf.remaining()) throw IllegalStateException("malformed packed buffer: $n bytes expected, ${buf.remaining()} left")
        val b = ByteArray(n); buf.get(b); return b
    }
    fun bytes(): ByteArray = raw(u32())
    fun skip(n: Int) {
        if (n > buf.remaining()) throw IllegalStateException("malformed packed buffer: $n bytes expected, ${buf.remaining()} left")
        buf.position(buf.position() + n)
    }
    fun str(): String {
        val n = u32()
        if (n > buf.remaining()) throw IllegalStateException("malformed packed buffer: $n bytes expected, ${buf.remaining()} left")
        val s = String(buf.array(), buf.arrayOffset() + buf.position(), n, Charsets.UTF_8)
        buf.position(buf.position() + n)
        return s
    }
    fun optBytes(): ByteArray? {
        val n = buf.getInt()
        return if (n == -1) null else raw(n)
    }

    private fun uuid(): UUID {
        buf.order(ByteOrder.BIG_ENDIAN)
        val u = UUID(buf.getLong(), buf.getLong())
        buf.order(ByteOrder.LITTLE_ENDIAN)
        return u
    }

    /** A page's columns: [last] if their packed bytes are the same (nothing decoded then). */
    fun columns(last: PackedColumns?): PackedColumns {
        val start = buf.position()
        val n = u32()
        if (n == 0) return PackedColumns.NONE
        repeat(n * 4) { skip(u32()) }
        val end = buf.position()
        val bytes = buf.array()
        if (last != null && java.util.Arrays.equals(bytes, start, end, last.packed, 0, last.packed.size)) return last
        buf.position(start + 4)
        val columns = Columns(List(n) { ColumnDefinition(str(), str(), str(), str()) })
        return PackedColumns(bytes.copyOfRange(start, end), columns)
    }

    /** Reads one tagged value into its JVM type. */
    fun value(): Any? = when (val tag = u8()) {
        Tag.NULL -> null
        Tag.UNSET -> Unset
        Tag.EMPTY -> EmptyValue
        Tag.ASCII, Tag.TEXT -> str()
        Tag.BOOLEAN -> u8() != 0
        Tag.TINYINT -> buf.get()
        Tag.SMALLINT -> buf.getShort()
        Tag.INT -> i32()
        Tag.BIGINT, Tag.COUNTER -> i64()
        Tag.VARINT -> BigInteger(bytes().let { if (it.isEmpty()) byteArrayOf(0) else it })
        Tag.FLOAT -> java.lang.Float.intBitsToFloat(i32())
        Tag.DOUBLE -> java.lang.Double.longBitsToDouble(i64())
        Tag.DECIMAL -> { val scale = i32(); BigDecimal(BigInteger(bytes().let { if (it.isEmpty()) byteArrayOf(0) else it }), scale) }
        Tag.BLOB -> bytes()
        Tag.UUID, Tag.TIMEUUID -> uuid()
        Tag.INET -> InetAddress.getByAddress(raw(u8()))
        Tag.DATE -> LocalDate.ofEpochDay(i32().toLong())
        Tag.TIME -> LocalTime.ofNanoOfDay(i64())
        Tag.TIMESTAMP -> Instant.ofEpochMilli(i64())
        Tag.DURATION -> CqlDuration(i32(), i32(), i64())
        Tag.LIST -> List(u32()) { value() }
        Tag.SET -> LinkedHashSet<Any?>().also { s -> repeat(u32()) { s.add(value()) } }
        Tag.MAP -> LinkedHashMap<Any?, Any?>().also { m -> repeat(u32()) { m[value()] = value() } }
        Tag.TUPLE -> CqlTuple(List(u32()) { value() })
        Tag.UDT -> {
            val ks = str(); val name = str()
            val fields = LinkedHashMap<String, Any?>()
            repeat(u32()) { fields[str()] = value() }
            UdtValue(ks, name, fields)
        }
        Tag.VECTOR -> CqlVector(List(u32()) { value() })
        else -> throw IllegalStateException("malformed packed buffer: unknown value tag $tag")
    }
}

/** A result column: where it comes from, its name and CQL type (`map<text, int>`). */
data class ColumnDefinition(val keyspace: String, val table: String, val name: String, val cqlType: String)

/**
 * A page's columns and their packed bytes. Every page of a prepared statement carries the
 * same ones: a page whose bytes match the last page's shares its columns (no decoding).
 */
internal class PackedColumns(val packed: ByteArray, val columns: Columns) {
    companion object {
        /** No columns (a write's result). */
        val NONE = PackedColumns(ByteArray(4), Columns(emptyList()))
    }
}

/** One page as the core packed it. */
internal class DecodedPage(
    val columns: PackedColumns,
    val rows: List<Array<Any?>>,
    val pagingState: ByteArray?,
    val warnings: List<String>,
    val tracingId: UUID?,
    val coordinator: String?,
)

/** Decodes a page; [last] are the columns of the statement's last page, if known. */
internal fun decodePage(bytes: ByteArray, last: PackedColumns? = null): DecodedPage {
    val r = PackedReader(bytes)
    val columns = r.columns(last)
    val n = columns.columns.size
    val rowCount = r.u32()
    val rows = if (rowCount == 0) emptyList() else List(rowCount) { Array(n) { r.value() } }
    val paging = r.optBytes()
    val warnings = List(r.u32()) { r.str() }
    val trace = r.optBytes()?.let { ByteBuffer.wrap(it).let { b -> UUID(b.getLong(), b.getLong()) } }
    val coordinator = r.str().ifEmpty { null }
    return DecodedPage(columns, rows, paging, warnings, trace, coordinator)
}

/** What a request names: CQL text or a prepared statement's id. */
internal sealed class StatementRef {
    data class Cql(val cql: String) : StatementRef()
    data class Prepared(val id: Long) : StatementRef()

    fun write(w: PackedWriter) {
        when (this) {
            is Cql -> { w.u8(0); w.str(cql) }
            is Prepared -> { w.u8(1); w.i64(id) }
        }
    }
}

internal fun writeOptions(w: PackedWriter, o: StatementOptions) {
    var flags = 0
    if (o.consistency != null) flags = flags or 0x01
    if (o.serialConsistency != null) flags = flags or 0x02
    if (o.pageSize != null) flags = flags or 0x04
    if (o.timeout != null) flags = flags or 0x08
    if (o.idempotent) flags = flags or 0x10
    if (o.tracing) flags = flags or 0x20
    if (o.profile != null) flags = flags or 0x40
    if (o.host != null) flags = flags or 0x80
    w.u8(flags)
    o.consistency?.let { w.u16(it.code) }
    o.serialConsistency?.let { w.u16(it.code) }
    o.pageSize?.let { w.i32(it) }
    // Whole milliseconds cross; a positive timeout under 1 ms is 1 ms, not none.
    o.timeout?.let { w.i64(if (it.isZero || it.isNegative) 0 else maxOf(1, it.toMillis())) }
    o.profile?.let { w.str(it) }
    o.host?.let { w.str(it) }
}
