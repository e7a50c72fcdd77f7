package cqlbridge

import java.math.BigDecimal
import java.math.BigInteger
import java.net.InetAddress
import java.time.Instant
import java.time.LocalDate
import java.time.LocalTime
import java.util.UUID

/** The columns of a result, with their positions by name. */
class Columns internal constructor(val definitions: List<ColumnDefinition>) {
    private val byName: Map<String, Int> = definitions.withIndex().associate { it.value.name to it.index }

    /** The position of column [name]; throws when there is none. */
    fun indexOf(name: String): Int =
        byName[name] ?: throw IllegalArgumentException("no column named $name (columns: ${byName.keys.joinToString()})")

    /** The column names, in order. */
    val names: List<String> get() = definitions.map { it.name }

    /** How many columns. */
    val size: Int get() = definitions.size
}

/**
 * One row. Read values by position or by name, untyped ([get]) or typed (`getString`,
 * `getInt`, ...); a typed getter on a column of another type throws an
 * [IllegalStateException] that names both types.
 */
class Row internal constructor(val columns: Columns, private val values: Array<Any?>) {
    /** The value at [index] (null for CQL null). */
    operator fun get(index: Int): Any? = values[index]

    /** The value of column [name]. */
    operator fun get(name: String): Any? = values[columns.indexOf(name)]

    /** Whether the value at [index] is null. */
    fun isNull(index: Int): Boolean = values[index] == null

    /** Whether column [name] is null. */
    fun isNull(name: String): Boolean = get(name) == null

    /** The values in column order. */
    fun toList(): List<Any?> = values.toList()

    /** The values by column name. */
    fun toMap(): Map<String, Any?> = columns.names.zip(values).toMap()

    private inline fun <reified T> typed(index: Int, what: String): T? {
        val v = values[index] ?: return null
        return v as? T ?: throw IllegalStateException(
            "column ${columns.definitions[index].name} is ${columns.definitions[index].cqlType} " +
                "(${v.javaClass.simpleName}), not $what")
    }

    fun getString(i: Int): String? = typed(i, "text")
    fun getString(name: String): String? = getString(columns.indexOf(name))
    fun getBoolean(i: Int): Boolean? = typed(i, "boolean")
    fun getBoolean(name: String): Boolean? = getBoolean(columns.indexOf(name))
    fun getByte(i: Int): Byte? = typed(i, "tinyint")
    fun getByte(name: String): Byte? = getByte(columns.indexOf(name))
    fun getShort(i: Int): Short? = typed(i, "smallint")
    fun getShort(name: String): Short? = getShort(columns.indexOf(name))
    fun getInt(i: Int): Int? = typed(i, "int")
    fun getInt(name: String): Int? = getInt(columns.indexOf(name))
    fun getLong(i: Int): Long? = typed(i, "bigint or counter")
    fun getLong(name: String): Long? = getLong(columns.indexOf(name))
    fun getBigInteger(i: Int): BigInteger? = typed(i, "varint")
    fun getBigInteger(name: String): BigInteger? = getBigInteger(columns.indexOf(name))
    fun getFloat(i: Int): Float? = typed(i, "float")
    fun getFloat(name: String): Float? = getFloat(columns.indexOf(name))
    fun getDouble(i: Int): Double? = typed(i, "double")
    fun getDouble(name: String): Double? = getDouble(columns.indexOf(name))
    fun getBigDecimal(i: Int): BigDecimal? = typed(i, "decimal")
    fun getBigDecimal(name: String): BigDecimal? = getBigDecimal(columns.indexOf(name))
    fun getBytes(i: Int): ByteArray? = typed(i, "blob")
    fun getBytes(name: String): ByteArray? = getBytes(columns.indexOf(name))
    fun getUuid(i: Int): UUID? = typed(i, "uuid or timeuuid")
    fun getUuid(name: String): UUID? = getUuid(columns.indexOf(name))
    fun getInetAddress(i: Int): InetAddress? = typed(i, "inet")
    fun getInetAddress(name: String): InetAddress? = getInetAddress(columns.indexOf(name))
    fun getLocalDate(i: Int): LocalDate? = typed(i, "date")
    fun getLocalDate(name: String): LocalDate? = getLocalDate(columns.indexOf(name))
    fun getLocalTime(i: Int): LocalTime? = typed(i, "time")
    fun getLocalTime(name: String): LocalTime? = getLocalTime(columns.indexOf(name))
    fun getInstant(i: Int): Instant? = typed(i, "timestamp")
    fun getInstant(name: String): Instant? = getInstant(columns.indexOf(name))
    fun getDuration(i: Int): CqlDuration? = typed(i, "duration")
    fun getDuration(name: String): CqlDuration? = getDuration(columns.indexOf(name))
    fun getList(i: Int): List<Any?>? = typed(i, "list")
    fun getList(name: String): List<Any?>? = getList(columns.indexOf(name))
    fun getSet(i: Int): Set<Any?>? = typed(i, "set")
    fun getSet(name: String): Set<Any?>? = getSet(columns.indexOf(name))
    fun getMap(i: Int): Map<Any?, Any?>? = typed(i, "map")
    fun getMap(name: String): Map<Any?, Any?>? = getMap(columns.indexOf(name))
    fun getTuple(i: Int): CqlTuple? = typed(i, "tuple")
    fun getTuple(name: String): CqlTuple? = getTuple(columns.indexOf(name))
    fun getUdt(i: Int): UdtValue? = typed(i, "a user-defined type")
    fun getUdt(name: String): UdtValue? = getUdt(columns.indexOf(name))
    fun getVector(i: Int): CqlVector? = typed(i, "vector")
    fun getVector(name: String): CqlVector? = getVector(columns.indexOf(name))

    /** A typed list: its elements cast to [T]. */
    inline fun <reified T> getListOf(name: String): List<T>? = getList(name)?.map { it as T }

    /** A typed set. */
    inline fun <reified T> getSetOf(name: String): Set<T>? = getSet(name)?.map { it as T }?.toSet()

    /** A typed map. */
    inline fun <reified K, reified V> getMapOf(name: String): Map<K, V>? =
        getMap(name)?.entries?.associate { (k, v) -> k as K to v as V }

    override fun toString(): String = columns.names.zip(values).joinToString(", ", "Row(", ")") { (k, v) -> "$k=$v" }
}

/**
 * One page of a result. Iterating it gives this page's rows; [CqlSession.stream] (a Flow)
 * or [nextPage] go on to the following pages.
 */
class ResultSet internal constructor(
    page: DecodedPage,
    private val next: (suspend (ByteArray) -> ResultSet)?,
) : Iterable<Row> {
    /** The columns. */
    val columns: Columns = page.columns.columns

    /** This page's rows. */
    val rows: List<Row> = if (page.rows.isEmpty()) emptyList() else page.rows.map { Row(columns, it) }

    /** Where the next page starts; null on the last page. */
    val pagingState: ByteArray? = page.pagingState

    /** The server's warnings. */
    val warnings: List<String> = page.warnings

    /** The trace id, when tracing was asked for. */
    val tracingId: UUID? = page.tracingId

    /** The coordinator (`ip:port`), when known. */
    val coordinator: String? = page.coordinator

    /** Whether more pages follow. */
    val hasMorePages: Boolean get() = pagingState != null

    /** For conditional writes: whether the write was applied (true for other statements). */
    val wasApplied: Boolean
        get() = columns.definitions.firstOrNull()?.name != "[applied]" || rows.firstOrNull()?.get(0) == true

    /** The first row, or null. */
    fun one(): Row? = rows.firstOrNull()

    /** This page's rows. */
    fun all(): List<Row> = rows

    override fun iterator(): Iterator<Row> = rows.iterator()

    /** Fetches the next page; null on the last page. */
    suspend fun nextPage(): ResultSet? {
        val state = pagingState ?: return null
        return (next ?: return null)(state)
    }
}
