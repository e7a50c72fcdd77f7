package cqlbridge.mapper

/**
 * A model class: one table. Declare it as a Kotlin class whose properties are its columns,
 * every constructor parameter with a default (so the JVM class has a no-argument
 * constructor). The table's name is [name], or the class name in snake_case.
 */
@Target(AnnotationTarget.CLASS)
@Retention(AnnotationRetention.RUNTIME)
annotation class Table(
    val name: String = "",
    /** The keyspace; the session's when empty. */
    val keyspace: String = "",
    /** TTL in seconds of writes that give none; 0: none. */
    val defaultTtl: Int = 0,
    /** Table options, `name=value` (`gc_grace_seconds=86400`, `comment='x'`), or
     *  `name={k: v, ...}` for map options (`compaction={'class': 'LeveledCompactionStrategy'}`). */
    val options: Array<String> = [],
)

/** A partition-key column; [position] orders a composite partition key. */
@Target(AnnotationTarget.FIELD)
@Retention(AnnotationRetention.RUNTIME)
annotation class PartitionKey(val position: Int = 0)

/** A clustering column; [position] orders several. */
@Target(AnnotationTarget.FIELD)
@Retention(AnnotationRetention.RUNTIME)
annotation class ClusteringColumn(val position: Int = 0, val descending: Boolean = false)

/** Column settings. */
@Target(AnnotationTarget.FIELD)
@Retention(AnnotationRetention.RUNTIME)
annotation class Column(
    /** The column's name in the table; the property name in snake_case when empty. */
    val name: String = "",
    /** The CQL type when the JVM type does not say it (`timeuuid`, `counter`, `ascii`, ...). */
    val type: String = "",
    /** Refuse null. */
    val required: Boolean = false,
    /** A static column. */
    val isStatic: Boolean = false,
    /** Give it a secondary index. */
    val index: Boolean = false,
    /** Text: at least this many characters (-1: no bound). */
    val minLength: Int = -1,
    /** Text: at most this many characters (-1: no bound). */
    val maxLength: Int = -1,
)

/** What the core fills in when the property is null at create time. */
enum class DefaultKind { UUID4, TIMEUUID, NOW }

/** A generated default, applied by the core when the value is null. */
@Target(AnnotationTarget.FIELD)
@Retention(AnnotationRetention.RUNTIME)
annotation class Default(val kind: DefaultKind)

/** Not a column. */
@Target(AnnotationTarget.FIELD)
@Retention(AnnotationRetention.RUNTIME)
annotation class Transient
