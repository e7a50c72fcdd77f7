// The Kotlin conformance runner: every scenario of tests/conformance/scenarios over the
// cqlbridge-kotlin jar, written canonically (tests/conformance/README.md).
// Usage: Run <scenarios dir> <output file>.

import cqlbridge.BatchStatement
import cqlbridge.BatchType
import cqlbridge.CqlCluster
import cqlbridge.CqlDuration
import cqlbridge.CqlSession
import cqlbridge.CqlTuple
import cqlbridge.CqlVector
import cqlbridge.DriverException
import cqlbridge.EmptyValue
import cqlbridge.PreparedStatement
import cqlbridge.ResultSet
import cqlbridge.SimpleStatement
import cqlbridge.StatementOptions
import cqlbridge.UdtValue
import cqlbridge.Unset
import cqlbridge.mapper.Change
import cqlbridge.mapper.ColumnSpec
import cqlbridge.mapper.CondOp
import cqlbridge.mapper.Condition
import cqlbridge.mapper.KeyKind
import cqlbridge.mapper.ModelBatch
import cqlbridge.mapper.ModelTable
import cqlbridge.mapper.Op
import cqlbridge.mapper.WriteOptions
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import org.json.JSONArray
import org.json.JSONObject
import java.io.File
import java.math.BigDecimal
import java.math.BigInteger
import java.net.InetAddress
import java.time.Duration
import java.time.Instant
import java.time.LocalDate
import java.time.LocalTime
import java.util.UUID

const val KEYSPACE = "conformance_kotlin"

/** A typed input value (`["int", "5"]`, `["list", [...]]`, null, `["unset"]`). */
fun value(v: Any?): Any? {
    if (v == null || v == JSONObject.NULL) return null
    val a = v as JSONArray
    val tag = a.getString(0)
    if (tag == "unset") return Unset
    val arg = a.get(1)
    val text = { arg as String }
    val all = { (arg as JSONArray).map { value(it) } }
    return when (tag) {
        "tinyint" -> text().toByte()
        "smallint" -> text().toShort()
        "int" -> text().toInt()
        "bigint", "counter" -> text().toLong()
        "varint" -> BigInteger(text())
        "float" -> text().toFloat()
        "double" -> text().toDouble()
        "decimal" -> BigDecimal(text())
        "text", "ascii" -> text()
        // Bad-input forms (README): a text of n 'x', n copies of a value, a UUID given as a
        // String, raw bytes as text: a String holding each byte that is not ASCII as a lone
        // surrogate (U+DC80..U+DCFF, as Python's surrogateescape), the JVM's closest analog.
        "long_text" -> "x".repeat(text().toInt())
        "repeat" -> (arg as JSONArray).let { r -> val v = value(r.get(1)); List(r.getString(0).toInt()) { v } }
        "uuid_text" -> text()
        "text_bytes" -> text().chunked(2).map { it.toInt(16) }.joinToString("") { b -> if (b < 0x80) b.toChar().toString() else (0xDC00 + b).toChar().toString() }
        "boolean" -> text() == "true"
        "blob" -> text().chunked(2).map { it.toInt(16).toByte() }.toByteArray()
        "uuid", "timeuuid" -> UUID.fromString(text())
        "inet" -> InetAddress.getByName(text())
        "date" -> LocalDate.ofEpochDay(text().toLong())
        "time" -> LocalTime.ofNanoOfDay(text().toLong())
        "timestamp" -> Instant.ofEpochMilli(text().toLong())
        "duration" -> text().split(',').map { it.toLong() }.let { CqlDuration(it[0].toInt(), it[1].toInt(), it[2]) }
        "list" -> all()
        "set" -> LinkedHashSet(all())
        "vector" -> CqlVector(all())
        "tuple" -> CqlTuple(all())
        "map" -> LinkedHashMap<Any?, Any?>().also { m -> (arg as JSONArray).forEach { kv -> kv as JSONArray; m[value(kv.get(0))] = value(kv.get(1)) } }
        "udt" -> (arg as JSONObject).let { o -> UdtValue("", "", o.keySet().associateWith { value(o.get(it)) }) }
        else -> error("unknown value type $tag")
    }
}

fun values(a: JSONArray?): List<Any?> = a?.map { value(it) } ?: emptyList()

fun floatText(x: Double, bits: String): Any = when {
    x.isNaN() -> "NaN"
    x.isInfinite() -> if (x > 0) "Infinity" else "-Infinity"
    else -> bits
}

/** The canonical text of a value (its JVM type says its CQL type). */
fun canonical(v: Any?): Any = when (v) {
    null, EmptyValue, Unset -> JSONObject.NULL
    is Byte, is Short, is Int, is Long, is BigInteger -> v.toString()
    is Float -> floatText(v.toDouble(), "0x%08x".format(java.lang.Float.floatToRawIntBits(v)))
    is Double -> floatText(v, "0x%016x".format(java.lang.Double.doubleToRawLongBits(v)))
    is BigDecimal -> "${v.unscaledValue()}e${-v.scale()}"
    is String -> v
    is Boolean -> if (v) "true" else "false"
    is ByteArray -> v.joinToString("") { "%02x".format(it) }
    is UUID -> v.toString()
    is InetAddress -> v.address.joinToString("") { "%02x".format(it) }
    is LocalDate -> v.toEpochDay().toString()
    is LocalTime -> v.toNanoOfDay().toString()
    is Instant -> v.toEpochMilli().toString()
    is CqlDuration -> "${v.months},${v.days},${v.nanoseconds}"
    is List<*> -> JSONArray(v.map { canonical(it) })
    is Set<*> -> JSONArray(v.map { canonical(it) })
    is CqlVector -> JSONArray(v.elements.map { canonical(it) })
    is CqlTuple -> JSONArray(v.elements.map { canonical(it) })
    is Map<*, *> -> JSONArray(v.entries.map { (k, x) -> JSONArray(listOf(canonical(k), canonical(x))) })
    is UdtValue -> JSONObject().also { o -> v.fields.forEach { (k, x) -> o.put(k, canonical(x)) } }
    else -> error("no canonical form for ${v.javaClass}")
}

fun rows(rs: ResultSet) = JSONArray(rs.rows.map { r -> JSONArray(r.toList().map { canonical(it) }) })

fun applied(rs: ResultSet): Any =
    if (rs.columns.definitions.firstOrNull()?.name == "[applied]") rs.rows[0][0] == true else JSONObject.NULL

fun kind(e: Throwable): String = (e as? DriverException)?.kind ?: e.javaClass.simpleName

fun modelOf(s: CqlSession, name: String, spec: JSONObject, all: JSONObject): ModelTable {
    val base = if (spec.has("extends")) all.getJSONObject(spec.getString("extends")) else null
    val root = base ?: spec
    fun objects(a: JSONArray) = (0 until a.length()).map { a.getJSONObject(it) }
    val specs = objects(root.getJSONArray("columns")) + (if (base != null) objects(spec.getJSONArray("columns")) else emptyList())
    val discriminator = root.optString("discriminator").ifEmpty { null }
    val cols = specs.map { c ->
        ColumnSpec(
            name = c.getString("name"),
            cqlType = c.getString("type"),
            key = when (c.optString("key")) {
                "partition" -> KeyKind.PARTITION
                "clustering" -> KeyKind.CLUSTERING
                "clustering_desc" -> KeyKind.CLUSTERING_DESC
                else -> KeyKind.NONE
            },
            dbField = c.optString("db_field").ifEmpty { null },
            required = c.optBoolean("required"),
            maxLength = if (c.has("max_length")) c.getInt("max_length") else null,
        )
    }
    val subtypes = root.optJSONObject("subtypes")?.let { o -> o.keySet().associate { it as Any? to o.getString(it) } } ?: emptyMap()
    return ModelTable(s, name, root.getString("table"), cols, keyspace = KEYSPACE, discriminator = discriminator,
        discriminatorValue = if (spec.has("discriminator_value")) value(spec.get("discriminator_value")) else null, subtypes = subtypes)
}

fun named(o: JSONObject?): Map<String, Any?> = o?.keySet()?.associateWith { value(o.get(it)) } ?: emptyMap()

/** A model row: its non-null (and non-empty-collection) attributes. */
fun modelRow(row: Map<String, Any?>): JSONObject = JSONObject().also { o ->
    for ((k, v) in row) {
        val c = canonical(v)
        if (c != JSONObject.NULL && !(c is JSONArray && c.isEmpty)) o.put(k, c)
    }
}

fun writeOptions(step: JSONObject) = WriteOptions(
    ttl = if (step.has("ttl")) step.getInt("ttl") else null,
    ifNotExists = step.optBoolean("if_not_exists"),
    ifExists = step.optBoolean("if_exists"),
    conditions = step.optJSONArray("conditions")?.map { c ->
        c as JSONArray
        Condition(c.getString(0), when (c.getString(1)) {
            "eq" -> CondOp.EQ
            "ne" -> CondOp.NE
            "gt" -> CondOp.GT
            "lt" -> CondOp.LT
            else -> error("unknown condition ${c.getString(1)}")
        }, value(c.get(2)))
    } ?: emptyList(),
)

fun changes(a: JSONArray): List<Change> = a.map { c ->
    c as JSONArray
    val attr = c.getString(0)
    val v = value(c.get(2))
    when (c.getString(1)) {
        "set" -> Change.set(attr, v)
        "add" -> Change.add(attr, v)
        "remove" -> Change.remove(attr, v)
        "prepend" -> Change.prepend(attr, v as List<*>)
        "put" -> Change.putAll(attr, v as Map<*, *>)
        "remove_keys" -> Change.removeKeys(attr, v as Set<*>)
        else -> error("unknown change ${c.getString(1)}")
    }
}

fun queryOf(m: ModelTable, q: JSONObject) = m.query().also { query ->
    q.optJSONArray("filters")?.forEach { f ->
        f as JSONArray
        query.where(f.getString(0), Op.valueOf(f.getString(1).uppercase()), value(f.get(2)))
    }
    q.optJSONArray("order_by")?.forEach { o -> o as JSONArray; query.orderBy(o.getString(0), o.getString(1) == "desc") }
    if (q.has("limit")) query.limit(q.getInt("limit"))
}

suspend fun runModelStep(step: JSONObject, models: Map<String, ModelTable>): JSONObject {
    val out = JSONObject().put("error", JSONObject.NULL)
    if (step.has("model_batch")) {
        val batch = ModelBatch()
        step.getJSONArray("model_batch").forEach { w ->
            w as JSONObject
            val m = models.getValue(w.getString("model"))
            when {
                w.has("create") -> batch.create(m, named(w.getJSONObject("create")), writeOptions(w))
                w.has("update") -> batch.update(m, named(w.getJSONObject("update").getJSONObject("key")),
                    changes(w.getJSONObject("update").getJSONArray("changes")), writeOptions(w))
                else -> batch.delete(m, named(w.getJSONObject("delete").getJSONObject("key")), writeOptions(w))
            }
        }
        batch.execute()
        return out
    }
    val m = models.getValue(step.getString("model"))
    when {
        step.has("create") -> out.put("row", modelRow(m.create(named(step.getJSONObject("create")), writeOptions(step))))
        step.has("get") -> out.put("row", modelRow(m.get(*named(step.getJSONObject("get")).toList().toTypedArray())))
        step.has("select") -> out.put("rows", JSONArray(queryOf(m, step.getJSONObject("select")).all().map { modelRow(it) }))
        step.has("count") -> out.put("count", queryOf(m, step.getJSONObject("count")).count().toString())
        step.has("update") -> m.update(named(step.getJSONObject("update").getJSONObject("key")),
            changes(step.getJSONObject("update").getJSONArray("changes")), writeOptions(step))
        step.has("delete") -> m.deleteByKey(named(step.getJSONObject("delete").getJSONObject("key")), options = writeOptions(step))
        else -> error("unknown model step $step")
    }
    return out
}

fun newCluster(): CqlCluster {
    val points = (System.getenv("CQLB_CONTACT_POINTS") ?: "127.0.0.1").split(',').filter { it.isNotBlank() }
    return CqlCluster.builder().addContactPoints(*points.toTypedArray()).withConnectTimeout(Duration.ofSeconds(20)).build()
}

/** A closed session and the objects that need one (the C ABI's freed handles), each used after it was closed. */
suspend fun runAfterClose(step: JSONObject) {
    val cluster = newCluster()
    val other = cluster.connect()
    val local = "SELECT release_version FROM system.local WHERE key = ?"
    if (step.has("closed_session")) {
        other.close()
        other.execute(step.getString("closed_session").replace("{ks}", KEYSPACE))
        return
    }
    try {
        when (val what = step.getString("freed_handle")) {
            "session" -> { cluster.close(); other.execute(local, "local") }
            "statement" -> { val ps = other.prepare(local); val bound = ps.bind("local"); ps.close(); other.execute(bound) }
            "prepared" -> { val ps = other.prepare(local); ps.close(); other.execute(ps.bind("local")) }
            "result" -> {
                val rs = other.execute(SimpleStatement("SELECT keyspace_name FROM system_schema.tables", emptyList(), StatementOptions(pageSize = 2)))
                other.close()
                rs.nextPage()
            }
            else -> error("unknown handle $what")
        }
    } finally {
        cluster.close()
    }
}

suspend fun runStep(s: CqlSession, step: JSONObject, prepared: MutableMap<String, PreparedStatement>, models: Map<String, ModelTable>): JSONObject {
    if (step.has("model") || step.has("model_batch")) return runModelStep(step, models)
    if (step.has("closed_session") || step.has("freed_handle")) {
        runAfterClose(step)
        return JSONObject().put("error", JSONObject.NULL)
    }
    if (step.has("use_keyspace")) {
        s.useKeyspace(step.getString("use_keyspace"))
        return JSONObject().put("error", JSONObject.NULL)
    }
    if (step.has("connect_keyspace")) {
        newCluster().use { it.connect(step.getString("connect_keyspace")) }
        return JSONObject().put("error", JSONObject.NULL)
    }
    if (step.has("sleep_ms")) {
        delay(step.getLong("sleep_ms"))
        return JSONObject().put("error", JSONObject.NULL)
    }
    fun cql(key: String) = step.getString(key).replace("{ks}", KEYSPACE)
    val options = StatementOptions(pageSize = if (step.has("page_size")) step.getInt("page_size") else null)
    val out = JSONObject().put("error", JSONObject.NULL)
    when {
        step.has("execute") -> {
            val text = cql("execute")
            val vs = values(step.optJSONArray("values"))
            val rs = if (step.optBoolean("prepared")) {
                s.execute(prepared.getOrPut(text) { s.prepare(text) }.bindList(vs).withOptions(options))
            } else {
                s.execute(SimpleStatement(text, vs, options))
            }
            out.put("rows", rows(rs)).put("applied", applied(rs))
        }
        step.has("pages") -> {
            val st = SimpleStatement(cql("pages"), values(step.optJSONArray("values")), options)
            val pages = JSONArray()
            val all = JSONArray()
            var rs: ResultSet? = s.execute(st)
            while (rs != null) {
                pages.put(rs.rows.size)
                rows(rs).forEach { all.put(it) }
                rs = rs.nextPage()
            }
            out.put("pages", pages).put("rows", all)
        }
        step.has("batch") -> {
            val batch = BatchStatement(BatchType.valueOf(step.getString("batch")))
            val statements = step.getJSONArray("statements")
            for (i in 0 until statements.length()) {
                val st = statements.getJSONObject(i)
                batch.add(SimpleStatement(st.getString("cql").replace("{ks}", KEYSPACE), values(st.optJSONArray("values"))))
            }
            out.put("applied", applied(s.execute(batch)))
        }
        step.has("concurrent") -> {
            val ps = s.prepare(cql("concurrent"))
            val rowsIn = step.getJSONArray("rows").map { values(it as JSONArray) }
            val outcomes = s.executeConcurrent(ps, rowsIn, concurrency = step.optInt("concurrency", 4))
            out.put("outcomes", JSONArray(outcomes.map { o -> o.exceptionOrNull()?.let { kind(it) } ?: "ok" }))
        }
        else -> error("unknown step $step")
    }
    return out
}

fun main(args: Array<String>) = runBlocking {
    val cluster = newCluster()
    cluster.use {
        val s = cluster.connect()
        s.execute("DROP KEYSPACE IF EXISTS $KEYSPACE")
        s.execute("CREATE KEYSPACE $KEYSPACE WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}")
        val results = JSONObject()
        for (file in File(args[0]).listFiles { f -> f.name.endsWith(".json") }!!.sortedBy { it.name }) {
            val doc = JSONObject(file.readText())
            doc.optJSONArray("schema")?.forEach { s.execute((it as String).replace("{ks}", KEYSPACE)) }
            val prepared = mutableMapOf<String, PreparedStatement>()
            val models = doc.optJSONObject("models")?.let { ms -> ms.keySet().associateWith { modelOf(s, it, ms.getJSONObject(it), ms) } } ?: emptyMap()
            models.values.forEach { it.syncTable() }
            val scenarios = doc.getJSONArray("scenarios")
            for (i in 0 until scenarios.length()) {
                val sc = scenarios.getJSONObject(i)
                val outcomes = JSONArray()
                val steps = sc.getJSONArray("steps")
                for (j in 0 until steps.length()) {
                    outcomes.put(try {
                        runStep(s, steps.getJSONObject(j), prepared, models)
                    } catch (e: Exception) {
                        JSONObject().put("error", kind(e))
                    })
                }
                results.put("${doc.getString("group")}/${sc.getString("name")}", outcomes)
            }
        }
        File(args[1]).also { it.parentFile.mkdirs() }.writeText(JSONObject().put("language", "kotlin").put("results", results).toString(1))
    }
}
