package cqlbridge.mapper

import cqlbridge.ConsistencyLevel
import cqlbridge.CqlDuration
import cqlbridge.CqlSession
import cqlbridge.PackedReader
import cqlbridge.PackedWriter
import cqlbridge.native
import cqlbridge.uniffi.Model
import cqlbridge.uniffi.ModelColumn
import cqlbridge.uniffi.ModelDef
import cqlbridge.uniffi.ModelDefault
import cqlbridge.uniffi.ModelQueryDef
import cqlbridge.uniffi.ModelWrite
import cqlbridge.uniffi.ModelWriteOptions
import cqlbridge.uniffi.OrderBy
import cqlbridge.uniffi.SyncInfo
import cqlbridge.uniffi.TableOption
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow
import java.lang.reflect.Field
import java.lang.reflect.Modifier
import java.lang.reflect.ParameterizedType
import java.lang.reflect.Type
import java.math.BigDecimal
import java.math.BigInteger
import java.net.InetAddress
import java.time.Duration
import java.time.Instant
import java.time.LocalDate
import java.time.LocalTime
import java.util.UUID

/** Filter operators of model queries. */
enum class Op(internal val code: Int) {
    EQ(0), IN(1), GT(2), GTE(3), LT(4), LTE(5), CONTAINS(6), CONTAINS_KEY(7),
    TOKEN_GT(8), TOKEN_GTE(9), TOKEN_LT(10), TOKEN_LTE(11),
}

/** Operators of lightweight-transaction conditions (`IF col op value`). */
enum class CondOp(internal val code: Int) { EQ(0), NE(1), GT(2), GTE(3), LT(4), LTE(5), IN(6) }

/** One `IF` condition of a conditional update or delete. */
data class Condition(val property: String, val op: CondOp, val value: Any?)

/** One change of a blind update. */
class Change private constructor(internal val property: String, internal val kind: Int, internal val value: Any?) {
    companion object {
        /** `col = value` (null deletes the column). */
        @JvmStatic fun set(property: String, value: Any?) = Change(property, 0, value)
        /** Adds to a set, appends to a list, or adds [value] to a counter. */
        @JvmStatic fun add(property: String, value: Any?) = Change(property, 1, value)
        /** Removes from a set or list, or subtracts from a counter. */
        @JvmStatic fun remove(property: String, value: Any?) = Change(property, 2, value)
        /** Prepends to a list. */
        @JvmStatic fun prepend(property: String, value: List<*>) = Change(property, 3, value)
        /** Puts entries into a map. */
        @JvmStatic fun putAll(property: String, entries: Map<*, *>) = Change(property, 4, entries)
        /** Removes keys from a map. */
        @JvmStatic fun removeKeys(property: String, keys: Set<*>) = Change(property, 5, keys)
        /** Adds [delta] (negative: subtracts) to a counter. */
        @JvmStatic fun increment(property: String, delta: Long) =
            if (delta >= 0) Change(property, 1, delta) else Change(property, 2, -delta)
    }
}

/** Options of a model write. */
data class WriteOptions(
    /** Time to live, seconds. */
    val ttl: Int? = null,
    /** Write timestamp, µs since the epoch. */
    val timestamp: Long? = null,
    val consistency: ConsistencyLevel? = null,
    val timeout: Duration? = null,
    /** `IF NOT EXISTS` (create). */
    val ifNotExists: Boolean = false,
    /** `IF EXISTS` (update, delete). */
    val ifExists: Boolean = false,
    /** `IF col op value AND ...` (update, delete). */
    val conditions: List<Condition> = emptyList(),
) {
    internal fun toNative() = ModelWriteOptions(
        ttl = ttl,
        timestamp = timestamp,
        consistency = consistency?.code?.toUShort(),
        timeoutMs = timeout?.toMillis()?.toULong(),
        ifNotExists = ifNotExists,
        ifExists = ifExists,
        conditions = if (conditions.isEmpty()) ByteArray(0) else packTriples(conditions.map { Triple(it.property, it.op.code, it.value) }),
    )

    companion object {
        @JvmField val DEFAULT = WriteOptions()
    }
}

/** A model property: its field and column. */
internal class Property(val field: Field, val column: ModelColumn)

/**
 * What every mapper does over core's model, whatever describes it ([CqlMapper]: an annotated
 * class; [ModelTable]: data): sync, write, read. [T] is what a row becomes.
 */
abstract class BaseMapper<T : Any> internal constructor(internal val session: CqlSession) {
    internal abstract val model: Model

    /** The model's name, for messages. */
    protected abstract val modelName: String

    /** The attribute names. */
    internal abstract val attributes: Set<String>

    /** Attribute → value of [entity]. */
    internal abstract fun valuesOf(entity: T): List<Pair<String, Any?>>

    /** Attribute → value of [entity]'s primary key. */
    internal abstract fun keyOf(entity: T): List<Pair<String, Any?>>

    /** A row from its named values. */
    internal abstract fun fromValues(values: List<Pair<String, Any?>>): T

    /** The table's name. */
    val table: String get() = model.table()

    /** The `CREATE TABLE` statement of the model. */
    val createTableCql: String get() = model.createTableCql()

    /** Creates the table, or adds what is missing (columns, indexes, options); never drops. */
    suspend fun syncTable(): SyncInfo = native { session.connection.syncTable(model) }

    /** Drops the table. */
    suspend fun dropTable() = native { session.connection.dropTable(model) }

    /** Validates [entity], fills the core's defaults and inserts it; returns the row as stored. */
    suspend fun create(entity: T, options: WriteOptions = WriteOptions.DEFAULT): T =
        fromModelRow(native { session.connection.modelCreate(model, packNamed(valuesOf(entity)), options.toNative()) })

    /**
     * Writes what differs between [original] (as read) and [current]: changed columns, and
     * collections as element operations. Without [original], every column of [current].
     */
    suspend fun save(current: T, original: T? = null, options: WriteOptions = WriteOptions.DEFAULT): T {
        val before = original?.let { packNamed(valuesOf(it)) } ?: packNamed(keyOf(current))
        return fromModelRow(native { session.connection.modelSave(model, before, packNamed(valuesOf(current)), options.toNative()) })
    }

    /** A blind update of the row(s) of [key] (attribute → value). */
    suspend fun update(key: Map<String, Any?>, changes: List<Change>, options: WriteOptions = WriteOptions.DEFAULT) {
        check(key.keys)
        check(changes.map { it.property })
        native {
            session.connection.modelUpdate(model, packNamed(key.toList()), packTriples(changes.map { Triple(it.property, it.kind, it.value) }), options.toNative())
        }
    }

    /** Deletes [entity]'s row (or only [properties] of it). */
    suspend fun delete(entity: T, properties: List<String> = emptyList(), options: WriteOptions = WriteOptions.DEFAULT) =
        deleteByKey(keyOf(entity).toMap(), properties, options)

    /** Deletes the row(s) of [key] (the whole partition key at least). */
    suspend fun deleteByKey(key: Map<String, Any?>, properties: List<String> = emptyList(), options: WriteOptions = WriteOptions.DEFAULT) {
        check(key.keys)
        check(properties)
        native { session.connection.modelDelete(model, packNamed(key.toList()), properties, options.toNative()) }
    }

    /** Exactly one row matching [filters] (attribute = value): [cqlbridge.DoesNotExistException] when none. */
    suspend fun get(vararg filters: Pair<String, Any?>): T = query().apply { filters.forEach { where(it.first, it.second) } }.get()

    /** A query over the model's rows. */
    fun query(): ModelQuery<T> = ModelQuery(this)

    internal fun createWrite(entity: T, options: WriteOptions) =
        ModelWrite(0u, model, packNamed(valuesOf(entity)), ByteArray(0), ByteArray(0), ByteArray(0), emptyList(), options.toNative())

    internal fun saveWrite(current: T, original: T?, options: WriteOptions) =
        ModelWrite(1u, model, packNamed(valuesOf(current)),
            original?.let { packNamed(valuesOf(it)) } ?: packNamed(keyOf(current)), ByteArray(0), ByteArray(0), emptyList(), options.toNative())

    internal fun deleteWrite(entity: T, options: WriteOptions) =
        ModelWrite(3u, model, ByteArray(0), ByteArray(0), packNamed(keyOf(entity)), ByteArray(0), emptyList(), options.toNative())

    internal fun updateWrite(key: Map<String, Any?>, changes: List<Change>, options: WriteOptions) =
        ModelWrite(2u, model, ByteArray(0), ByteArray(0), packNamed(key.toList()),
            packTriples(changes.map { Triple(it.property, it.kind, it.value) }), emptyList(), options.toNative())

    internal val connection get() = session.connection

    internal fun check(names: Collection<String>) {
        for (n in names) require(n in attributes) { "$modelName has no property $n" }
    }

    internal fun fromReader(r: PackedReader): T = fromValues(List(r.u32()) { r.str() to r.value() })

    /** A packed model row: the model's name, then named values. */
    internal fun fromModelRow(bytes: ByteArray): T {
        val r = PackedReader(bytes)
        r.str()
        return fromReader(r)
    }
}

/**
 * The mapper of one model class [T]: the class describes the table (see [Table],
 * [PartitionKey], [ClusteringColumn], [Column]); the core renders and runs the CQL (quoted
 * identifiers, bound values, prepared statements, validation before sending).
 */
class CqlMapper<T : Any>(session: CqlSession, private val klass: Class<T>, keyspace: String? = null) : BaseMapper<T>(session) {
    private val properties: List<Property> = propertiesOf(klass)
    private val byName = properties.associateBy { it.field.name }
    override val model: Model
    override val modelName: String get() = klass.simpleName
    override val attributes: Set<String> get() = byName.keys

    init {
        val table = klass.getAnnotation(Table::class.java)
        require(properties.any { it.column.key == 1.toUByte() }) { "${klass.simpleName} has no @PartitionKey property" }
        model = native {
            Model(ModelDef(
                name = klass.simpleName,
                keyspace = keyspace ?: table?.keyspace?.ifEmpty { null },
                table = table?.name?.ifEmpty { null } ?: snake(klass.simpleName),
                columns = properties.map { it.column },
                options = table?.options?.associate { parseOption(it) } ?: emptyMap(),
                defaultTtl = table?.defaultTtl?.takeIf { it > 0 },
                discriminatorColumn = null,
                discriminatorValue = null,
                subtypes = emptyList(),
            ))
        }
    }

    override fun valuesOf(entity: T): List<Pair<String, Any?>> = properties.map { it.field.name to it.field.get(entity) }

    override fun keyOf(entity: T): List<Pair<String, Any?>> =
        properties.filter { it.column.key != 0.toUByte() }.map { it.field.name to it.field.get(entity) }

    override fun fromValues(values: List<Pair<String, Any?>>): T {
        val obj = klass.getDeclaredConstructor().newInstance()
        for ((name, value) in values) byName[name]?.let { assign(obj, it.field, value) }
        return obj
    }

    private fun assign(obj: T, field: Field, value: Any?) {
        val v = when {
            value == null && field.type.isPrimitive -> return
            value == null && Set::class.java.isAssignableFrom(field.type) -> emptySet<Any?>()
            value == null && List::class.java.isAssignableFrom(field.type) -> emptyList<Any?>()
            value == null && Map::class.java.isAssignableFrom(field.type) -> emptyMap<Any?, Any?>()
            else -> value
        }
        field.set(obj, v)
    }
}

/** A query over a model: chain filters and options, then [all], [flow], [get], [count], [first]. */
class ModelQuery<T : Any> internal constructor(private val mapper: BaseMapper<T>) {
    private val filters = mutableListOf<Triple<String, Int, Any?>>()
    private val orderBy = mutableListOf<OrderBy>()
    private var limit: Int? = null
    private var allowFiltering = false
    private var only = listOf<String>()
    private var consistency: ConsistencyLevel? = null
    private var pageSize: Int? = null

    /** `property = value`. */
    fun where(property: String, value: Any?) = where(property, Op.EQ, value)

    /** `property op value`; for token operators, [value] is a token (Long) or a list of the partition key's values. */
    fun where(property: String, op: Op, value: Any?) = apply {
        if (op.code >= Op.TOKEN_GT.code) {
            filters += Triple("", op.code, if (value is List<*>) cqlbridge.CqlTuple(value) else value)
        } else {
            mapper.check(listOf(property))
            filters += Triple(property, op.code, if (op == Op.IN && value is Collection<*>) value.toList() else value)
        }
    }

    fun limit(n: Int) = apply { require(n >= 0) { "a limit must not be negative" }; limit = n }
    fun orderBy(property: String, descending: Boolean = false) = apply { orderBy += OrderBy(property, descending) }
    fun allowFiltering() = apply { allowFiltering = true }
    /** Selects only these properties. */
    fun only(vararg properties: String) = apply { mapper.check(properties.toList()); only = properties.toList() }
    fun consistency(c: ConsistencyLevel) = apply { consistency = c }
    fun pageSize(n: Int) = apply { pageSize = n }

    private fun def(limitOverride: Int? = null) = ModelQueryDef(
        filters = if (filters.isEmpty()) ByteArray(0) else packTriples(filters),
        orderBy = orderBy.toList(),
        limit = limitOverride ?: limit,
        allowFiltering = allowFiltering,
        only = only,
        defer = emptyList(),
        distinct = false,
        consistency = consistency?.code?.toUShort(),
        timeoutMs = null,
        pageSize = pageSize,
    )

    /** The matching rows, page after page, as the flow is collected. */
    fun flow(): Flow<T> = flow {
        var state: ByteArray? = null
        val q = def()
        do {
            val page = native { mapper.connection.modelSelectPage(mapper.model, q, state) }
            val r = PackedReader(page.rows)
            val rows = List(r.u32()) { r.str(); mapper.fromReader(r) }
            for (row in rows) emit(row)
            state = page.pagingState
        } while (state != null)
    }

    /** Every matching row. */
    suspend fun all(): List<T> {
        val out = mutableListOf<T>()
        flow().collect { out += it }
        return out
    }

    /** Exactly one row: [cqlbridge.DoesNotExistException] when none, [cqlbridge.MultipleObjectsReturnedException] when several. */
    suspend fun get(): T = mapper.fromModelRow(native { mapper.connection.modelGet(mapper.model, def()) })

    /** The first row, or null. */
    suspend fun first(): T? {
        val page = native { mapper.connection.modelSelectPage(mapper.model, def(1), null) }
        val r = PackedReader(page.rows)
        return if (r.u32() == 0) null else { r.str(); mapper.fromReader(r) }
    }

    /** How many rows match. */
    suspend fun count(): Long = native { mapper.connection.modelCount(mapper.model, def()) }
}

/** Model writes sent as one batch by [execute]. */
class ModelBatch @JvmOverloads constructor(
    private val type: cqlbridge.BatchType = cqlbridge.BatchType.LOGGED,
    /** The batch's write timestamp, µs since the epoch. */
    private val timestamp: Long? = null,
) {
    private val writes = mutableListOf<ModelWrite>()
    private var session: CqlSession? = null

    private fun add(mapper: BaseMapper<*>, w: ModelWrite) = apply {
        writes += w
        session = session ?: mapper.session
    }

    fun <T : Any> create(mapper: BaseMapper<T>, entity: T, options: WriteOptions = WriteOptions.DEFAULT) = add(mapper, mapper.createWrite(entity, options))
    fun <T : Any> save(mapper: BaseMapper<T>, current: T, original: T? = null, options: WriteOptions = WriteOptions.DEFAULT) =
        add(mapper, mapper.saveWrite(current, original, options))
    fun <T : Any> update(mapper: BaseMapper<T>, key: Map<String, Any?>, changes: List<Change>, options: WriteOptions = WriteOptions.DEFAULT) =
        add(mapper, mapper.updateWrite(key, changes, options))
    fun <T : Any> delete(mapper: BaseMapper<T>, entity: T, options: WriteOptions = WriteOptions.DEFAULT) = add(mapper, mapper.deleteWrite(entity, options))

    /** How many writes. */
    val size: Int get() = writes.size

    /** Sends the writes as one batch. */
    suspend fun execute() {
        val s = session ?: return
        native { s.connection.modelBatch(type.code.toUByte(), timestamp, writes.toList()) }
    }
}

// -- model description

private fun snake(name: String): String =
    name.replace(Regex("([a-z0-9])([A-Z])"), "$1_$2").replace(Regex("([A-Z]+)([A-Z][a-z])"), "$1_$2").lowercase()

private fun propertiesOf(klass: Class<*>): List<Property> {
    val fields = generateSequence(klass) { it.superclass }.takeWhile { it != Any::class.java }
        .toList().reversed()
        .flatMap { c -> c.declaredFields.filter { !Modifier.isStatic(it.modifiers) && !it.isSynthetic && it.getAnnotation(Transient::class.java) == null } }
    try {
        klass.getDeclaredConstructor()
    } catch (e: NoSuchMethodException) {
        throw IllegalArgumentException("${klass.simpleName} needs a no-argument constructor: give every constructor parameter a default")
    }
    val partition = fields.filter { it.isAnnotationPresent(PartitionKey::class.java) }
        .sortedBy { it.getAnnotation(PartitionKey::class.java).position }
    val clustering = fields.filter { it.isAnnotationPresent(ClusteringColumn::class.java) }
        .sortedBy { it.getAnnotation(ClusteringColumn::class.java).position }
    val ordered = partition + clustering + fields.filter { it !in partition && it !in clustering }
    return ordered.map { f ->
        f.isAccessible = true
        val col = f.getAnnotation(Column::class.java)
        val cc = f.getAnnotation(ClusteringColumn::class.java)
        val key = when {
            f in partition -> 1
            cc != null -> if (cc.descending) 3 else 2
            else -> 0
        }
        val dbName = col?.name?.ifEmpty { null } ?: snake(f.name)
        Property(f, ModelColumn(
            name = f.name,
            dbField = dbName.takeIf { it != f.name },
            cqlType = col?.type?.ifEmpty { null } ?: cqlTypeOf(f.genericType, frozen = false, what = "${klass.simpleName}.${f.name}"),
            key = key.toUByte(),
            isStatic = col?.isStatic ?: false,
            index = col?.index ?: false,
            default = when (f.getAnnotation(Default::class.java)?.kind) {
                null -> null
                DefaultKind.UUID4 -> ModelDefault.Uuid4
                DefaultKind.TIMEUUID -> ModelDefault.TimeUuid
                DefaultKind.NOW -> ModelDefault.Now
            },
            required = col?.required ?: false,
            minLength = col?.minLength?.takeIf { it >= 0 }?.toUInt(),
            maxLength = col?.maxLength?.takeIf { it >= 0 }?.toUInt(),
            discriminator = false,
        ))
    }
}

private fun cqlTypeOf(t: Type, frozen: Boolean, what: String): String {
    fun inner(x: Type) = cqlTypeOf(x, frozen = true, what = what)
    if (t is ParameterizedType) {
        val raw = t.rawType as Class<*>
        val args = t.actualTypeArguments.map { if (it is java.lang.reflect.WildcardType) it.upperBounds[0] else it }
        val cql = when {
            List::class.java.isAssignableFrom(raw) -> "list<${inner(args[0])}>"
            Set::class.java.isAssignableFrom(raw) -> "set<${inner(args[0])}>"
            Map::class.java.isAssignableFrom(raw) -> "map<${inner(args[0])}, ${inner(args[1])}>"
            else -> throw IllegalArgumentException("$what: no CQL type for $t; say it with @Column(type = ...)")
        }
        return if (frozen) "frozen<$cql>" else cql
    }
    return when (t) {
        String::class.java -> "text"
        Int::class.javaPrimitiveType, Int::class.javaObjectType -> "int"
        Long::class.javaPrimitiveType, Long::class.javaObjectType -> "bigint"
        Short::class.javaPrimitiveType, Short::class.javaObjectType -> "smallint"
        Byte::class.javaPrimitiveType, Byte::class.javaObjectType -> "tinyint"
        Boolean::class.javaPrimitiveType, Boolean::class.javaObjectType -> "boolean"
        Float::class.javaPrimitiveType, Float::class.javaObjectType -> "float"
        Double::class.javaPrimitiveType, Double::class.javaObjectType -> "double"
        BigDecimal::class.java -> "decimal"
        BigInteger::class.java -> "varint"
        UUID::class.java -> "uuid"
        Instant::class.java -> "timestamp"
        LocalDate::class.java -> "date"
        LocalTime::class.java -> "time"
        InetAddress::class.java -> "inet"
        ByteArray::class.java -> "blob"
        CqlDuration::class.java -> "duration"
        else -> throw IllegalArgumentException("$what: no CQL type for ${t.typeName}; say it with @Column(type = ...)")
    }
}

private fun parseOption(spec: String): Pair<String, TableOption> {
    val eq = spec.indexOf('=')
    require(eq > 0) { "a table option is name=value, not $spec" }
    val name = spec.substring(0, eq).trim()
    val raw = spec.substring(eq + 1).trim()
    val value = when {
        raw.startsWith("{") -> TableOption.MapOption(
            raw.removePrefix("{").removeSuffix("}").split(',').filter { it.isNotBlank() }.associate {
                val (k, v) = it.split(':', limit = 2).map { s -> s.trim().removeSurrounding("'") }
                k to v
            })
        raw.startsWith("'") -> TableOption.Text(raw.removeSurrounding("'"))
        raw.toLongOrNull() != null -> TableOption.Int(raw.toLong())
        raw.toDoubleOrNull() != null -> TableOption.Float(raw.toDouble())
        else -> TableOption.Text(raw)
    }
    return name to value
}

// -- packing

internal fun packNamed(pairs: List<Pair<String, Any?>>): ByteArray {
    val w = PackedWriter()
    w.u32(pairs.size)
    for ((k, v) in pairs) { w.str(k); w.value(v) }
    return w.toByteArray()
}

internal fun packTriples(triples: List<Triple<String, Int, Any?>>): ByteArray {
    val w = PackedWriter()
    w.u32(triples.size)
    for ((k, code, v) in triples) { w.str(k); w.u8(code); w.value(v) }
    return w.toByteArray()
}
