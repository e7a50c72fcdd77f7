package cqlbridge.mapper

import cqlbridge.CqlSession
import cqlbridge.native
import cqlbridge.uniffi.Model
import cqlbridge.uniffi.ModelColumn
import cqlbridge.uniffi.ModelDef
import cqlbridge.uniffi.ModelDefault
import cqlbridge.uniffi.ModelSubtype

/** Where a column of a [ModelTable] sits in the primary key. */
enum class KeyKind(internal val code: Int) { NONE(0), PARTITION(1), CLUSTERING(2), CLUSTERING_DESC(3) }

/** A column of a [ModelTable]: its attribute, CQL type, key position and checks. */
data class ColumnSpec(
    val name: String,
    /** The CQL type, as CQL writes it (`map<text, frozen<list<int>>>`). */
    val cqlType: String,
    val key: KeyKind = KeyKind.NONE,
    /** The column's name in the table, when it differs from the attribute. */
    val dbField: String? = null,
    val required: Boolean = false,
    val index: Boolean = false,
    val isStatic: Boolean = false,
    val minLength: Int? = null,
    val maxLength: Int? = null,
    val default: DefaultKind? = null,
)

/**
 * A model described as data rather than as a class: rows are maps of attribute → value. The
 * same core mapper as [CqlMapper] (validation, defaults, LWT, collections, batches), for
 * schemas known only at run time.
 */
class ModelTable @JvmOverloads constructor(
    session: CqlSession,
    /** The model's name. */
    override val modelName: String,
    /** The table. */
    tableName: String,
    /** The columns, partition key first. */
    val columns: List<ColumnSpec>,
    keyspace: String? = null,
    /** TTL in seconds of writes that give none. */
    defaultTtl: Int? = null,
    /** Polymorphism: the discriminator column, when the table holds several models. */
    discriminator: String? = null,
    /** This model's discriminator value; null for the base model (which cannot be saved). */
    discriminatorValue: Any? = null,
    /** Every model of the table: discriminator value → model name. */
    subtypes: Map<Any?, String> = emptyMap(),
) : BaseMapper<Map<String, Any?>>(session) {
    override val attributes: Set<String> = columns.map { it.name }.toSet()
    private val keyNames = columns.filter { it.key != KeyKind.NONE }.map { it.name }

    override val model: Model = run {
        require(columns.any { it.key == KeyKind.PARTITION }) { "$modelName has no partition-key column" }
        native {
            Model(ModelDef(
                name = modelName,
                keyspace = keyspace,
                table = tableName,
                columns = columns.map {
                    ModelColumn(
                        name = it.name,
                        dbField = it.dbField,
                        cqlType = it.cqlType,
                        key = it.key.code.toUByte(),
                        isStatic = it.isStatic,
                        index = it.index,
                        default = when (it.default) {
                            null -> null
                            DefaultKind.UUID4 -> ModelDefault.Uuid4
                            DefaultKind.TIMEUUID -> ModelDefault.TimeUuid
                            DefaultKind.NOW -> ModelDefault.Now
                        },
                        required = it.required,
                        minLength = it.minLength?.toUInt(),
                        maxLength = it.maxLength?.toUInt(),
                        discriminator = it.name == discriminator,
                    )
                },
                options = emptyMap(),
                defaultTtl = defaultTtl,
                discriminatorColumn = discriminator,
                discriminatorValue = discriminatorValue?.let { packOne(it) },
                subtypes = subtypes.map { (v, name) -> ModelSubtype(packOne(v), name) },
            ))
        }
    }

    override fun valuesOf(entity: Map<String, Any?>): List<Pair<String, Any?>> {
        check(entity.keys)
        return entity.toList()
    }

    override fun keyOf(entity: Map<String, Any?>): List<Pair<String, Any?>> = keyNames.map { it to entity[it] }

    override fun fromValues(values: List<Pair<String, Any?>>): Map<String, Any?> = LinkedHashMap<String, Any?>().apply { putAll(values) }
}

private fun packOne(v: Any?): ByteArray = cqlbridge.PackedWriter().also { it.value(v) }.toByteArray()
