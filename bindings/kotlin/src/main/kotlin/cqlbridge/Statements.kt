package cqlbridge

import cqlbridge.uniffi.PreparedStatement as NativePrepared

/** Something to execute: a CQL string, a bound prepared statement, or a batch. */
sealed class Statement {
    /** This statement's options (unset ones come from the profile). */
    abstract val options: StatementOptions

    internal abstract fun ref(): StatementRef
    internal abstract val values: List<Any?>
}

/**
 * A CQL string with positional `?` values. Values are always bound, never interpolated: with
 * values, the core prepares the string (once, cached) before executing it.
 */
class SimpleStatement @JvmOverloads constructor(
    /** The CQL text. */
    val cql: String,
    override val values: List<Any?> = emptyList(),
    override val options: StatementOptions = StatementOptions.DEFAULT,
) : Statement() {
    constructor(cql: String, vararg values: Any?) : this(cql, values.toList())

    /** A copy with other options. */
    fun withOptions(options: StatementOptions) = SimpleStatement(cql, values, options)

    override fun ref() = StatementRef.Cql(cql)
}

/**
 * A statement prepared on the cluster: less server work, no injection, token-aware routing.
 * Bind it to values with [bind]. Closing it (or letting it be collected) releases it.
 */
class PreparedStatement internal constructor(internal val native: NativePrepared) : AutoCloseable {
    internal val id: Long = native.id().toLong()

    /** What its requests name (one object for every execution). */
    internal val ref = StatementRef.Prepared(id)

    /** The columns of its last page, shared with the next while they are the same. */
    @Volatile
    internal var lastColumns: PackedColumns? = null

    /** The CQL text. */
    val cql: String = native.cql()

    /** The bind markers' names, in order. */
    val paramNames: List<String> = native.paramNames()

    /** The bind markers' CQL types, in order. */
    val paramTypes: List<String> = native.paramTypes()

    /** The result columns' names. */
    val columnNames: List<String> = native.columnNames()

    /** This statement bound to [values], one per marker, in order. */
    fun bind(vararg values: Any?): BoundStatement = BoundStatement(this, values.toList())

    /** This statement bound to [values], one per marker, in order. */
    fun bindList(values: List<Any?>): BoundStatement = BoundStatement(this, values)

    override fun close() = native.close()

    override fun toString() = "PreparedStatement($cql)"
}

/** A prepared statement with its values. */
class BoundStatement @JvmOverloads constructor(
    /** The prepared statement. */
    val prepared: PreparedStatement,
    override val values: List<Any?>,
    override val options: StatementOptions = StatementOptions.DEFAULT,
) : Statement() {
    /** A copy with other options. */
    fun withOptions(options: StatementOptions) = BoundStatement(prepared, values, options)

    override fun ref() = prepared.ref
}

/** Batch kinds. */
enum class BatchType(internal val code: Int) { LOGGED(0), UNLOGGED(1), COUNTER(2) }

/**
 * Statements applied together. A LOGGED batch over several partitions keeps them consistent
 * (at a cost); it is not a way to speed up writes: concurrent single-partition writes are.
 */
class BatchStatement @JvmOverloads constructor(
    /** LOGGED, UNLOGGED or COUNTER. */
    val type: BatchType = BatchType.LOGGED,
    override val options: StatementOptions = StatementOptions.DEFAULT,
) : Statement() {
    internal val items = mutableListOf<Statement>()

    /** Adds a statement (a simple or a bound one); returns this batch. */
    fun add(statement: Statement): BatchStatement {
        require(statement !is BatchStatement) { "a batch cannot contain a batch" }
        items += statement
        return this
    }

    /** Adds a CQL string with its values. */
    fun add(cql: String, vararg values: Any?): BatchStatement = add(SimpleStatement(cql, values.toList()))

    /** How many statements. */
    val size: Int get() = items.size

    override val values: List<Any?> get() = emptyList()
    override fun ref() = throw UnsupportedOperationException("a batch is not one statement")
}

/** The packed request (bindings/PACKED.md, "Requests") of an execution. */
internal fun singleRequest(id: Long, statement: Statement, pagingState: ByteArray?): ByteArray {
    val w = PackedWriter(64) // most fit; a bigger one grows by doubling
    w.i64(id)
    if (statement is BatchStatement) {
        w.u8(1)
        w.u8(statement.type.code)
        writeOptions(w, statement.options)
        w.u32(statement.items.size)
        for (s in statement.items) {
            s.ref().write(w)
            w.row(s.values)
        }
    } else {
        w.u8(0)
        statement.ref().write(w)
        w.optBytes(pagingState)
        writeOptions(w, statement.options)
        w.row(statement.values)
    }
    return w.toByteArray()
}

/** The packed request of one statement run once per row of values. */
internal fun concurrentRequest(
    id: Long,
    ref: StatementRef,
    rows: List<List<Any?>>,
    concurrency: Int,
    raiseOnFirstError: Boolean,
    options: StatementOptions,
): ByteArray {
    val w = PackedWriter(64 + rows.size * 16)
    w.i64(id)
    w.u8(2)
    ref.write(w)
    w.u32(concurrency)
    w.u8(if (raiseOnFirstError) 1 else 0)
    writeOptions(w, options)
    w.u32(rows.size)
    for (r in rows) w.row(r)
    return w.toByteArray()
}
