package cqlbridge

import cqlbridge.mapper.Change
import cqlbridge.mapper.ClusteringColumn
import cqlbridge.mapper.ColumnSpec
import cqlbridge.mapper.KeyKind
import cqlbridge.mapper.ModelTable
import cqlbridge.mapper.Column
import cqlbridge.mapper.CondOp
import cqlbridge.mapper.Condition
import cqlbridge.mapper.CqlMapper
import cqlbridge.mapper.Default
import cqlbridge.mapper.DefaultKind
import cqlbridge.mapper.ModelBatch
import cqlbridge.mapper.Op
import cqlbridge.mapper.PartitionKey
import cqlbridge.mapper.Table
import cqlbridge.mapper.WriteOptions
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import java.time.Instant
import java.util.UUID

@Table(name = "message")
data class Message(
    @PartitionKey @Default(DefaultKind.TIMEUUID) @Column(type = "timeuuid") val messageId: UUID? = null,
    val subject: String? = null,
    val body: String? = null,
    val addressedTo: Set<UUID> = emptySet(),
)

data class UsersInGroupByState(
    @PartitionKey(0) val groupId: UUID? = null,
    @PartitionKey(1) val state: String? = null,
    @ClusteringColumn(descending = true) val userId: UUID? = null,
    val isAdmin: Boolean = false,
)

@Table(options = ["gc_grace_seconds=3600", "comment='kotlin users'", "compaction={'class': 'LeveledCompactionStrategy'}"])
data class User(
    @PartitionKey val name: String = "",
    @Column(maxLength = 20) val twitter: String? = null,
    val email: String? = null,
    val tags: List<String> = emptyList(),
    val scores: Map<String, Int> = emptyMap(),
    val createdAt: Instant? = null,
)

data class TwitterToUser(@PartitionKey val twitter: String = "", val name: String? = null)

data class PageViews(@PartitionKey val page: String = "", @Column(type = "counter") val views: Long? = null)

/** The mapper from Kotlin against the real node. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MapperTest {
    private lateinit var ks: String
    private lateinit var messages: CqlMapper<Message>
    private lateinit var groups: CqlMapper<UsersInGroupByState>
    private lateinit var users: CqlMapper<User>
    private lateinit var byTwitter: CqlMapper<TwitterToUser>
    private lateinit var views: CqlMapper<PageViews>

    @BeforeAll
    fun setUp(): Unit = runBlocking {
        ks = Node.keyspace("ktmap")
        val s = Node.session
        messages = CqlMapper(s, Message::class.java, ks)
        groups = CqlMapper(s, UsersInGroupByState::class.java, ks)
        users = CqlMapper(s, User::class.java, ks)
        byTwitter = CqlMapper(s, TwitterToUser::class.java, ks)
        views = CqlMapper(s, PageViews::class.java, ks)
        for (m in listOf(messages, groups, users, byTwitter, views)) assertTrue(m.syncTable().created)
    }

    @AfterAll
    fun tearDown(): Unit = runBlocking { Node.session.execute("DROP KEYSPACE IF EXISTS $ks"); Unit }

    @Test
    fun `models become tables with keys, names and options`(): Unit = runBlocking {
        assertEquals("users_in_group_by_state", groups.table)
        val t = Node.session.metadata.tables(ks).first { it.name == "users_in_group_by_state" }
        assertEquals(listOf("group_id", "state"), t.partitionKey)
        assertEquals(listOf("user_id"), t.clusteringKey)
        val opts = Node.session.execute("SELECT gc_grace_seconds, comment FROM system_schema.tables WHERE keyspace_name = ? AND table_name = 'user'", ks).one()!!
        assertEquals(3600, opts.getInt("gc_grace_seconds"))
        assertEquals("kotlin users", opts.getString("comment"))
        assertEquals(false, users.syncTable().created)
    }

    @Test
    fun `create fills defaults, get reads back, DoesNotExist when missing`(): Unit = runBlocking {
        val to = setOf(UUID.randomUUID(), UUID.randomUUID())
        val m = messages.create(Message(subject = "hi", body = "there", addressedTo = to))
        assertEquals(1, m.messageId!!.version())
        val got = messages.get("messageId" to m.messageId)
        assertEquals(m, got)
        assertThrows<DoesNotExistException> { runBlocking { messages.get("messageId" to TimeUuid.now()) } }
    }

    @Test
    fun `validation refuses values before sending`(): Unit = runBlocking {
        assertThrows<ValidationException> { runBlocking { users.create(User(name = "long", twitter = "x".repeat(21))) } }
        assertThrows<IllegalArgumentException> { runBlocking { users.get("nope" to 1) } }
        assertNull(users.query().where("name", "long").first())
    }

    @Test
    fun `queries filter, order, limit, count and flow`(): Unit = runBlocking {
        val g = UUID.randomUUID()
        // Cassandra orders version-4 UUIDs by their unsigned bytes: their hex text sorts the same.
        val ids = (0 until 5).map { UUID.randomUUID() }.sortedBy { it.toString() }
        for (u in ids) groups.create(UsersInGroupByState(g, "CA", u, u == ids[0]))
        val q = groups.query().where("groupId", g).where("state", "CA")
        assertEquals(5L, q.count())
        assertEquals(ids.reversed(), q.all().map { it.userId })
        assertEquals(ids.takeLast(2).reversed(), groups.query().where("groupId", g).where("state", "CA").where("userId", Op.GT, ids[2]).all().map { it.userId })
        assertEquals(ids.take(2), groups.query().where("groupId", g).where("state", "CA").orderBy("userId").limit(2).all().map { it.userId })
        assertEquals(5, groups.query().where("groupId", g).where("state", "CA").pageSize(2).flow().toList().size)
        assertEquals(1L, groups.query().where("groupId", g).where("state", "CA").where("isAdmin", true).allowFiltering().count())
        assertThrows<MapperQueryException> { runBlocking { groups.query().where("state", "CA").all() } }
    }

    @Test
    fun `ttl, lightweight transactions and updates`(): Unit = runBlocking {
        users.create(User(name = "ttl"), WriteOptions(ttl = 2))
        assertNotNull(users.query().where("name", "ttl").first())
        delay(3500)
        assertNull(users.query().where("name", "ttl").first())

        users.create(User(name = "lwt", email = "a@x"), WriteOptions(ifNotExists = true))
        val dup = assertThrows<LwtException> { runBlocking { users.create(User(name = "lwt", email = "b@x"), WriteOptions(ifNotExists = true)) } }
        assertEquals("a@x", dup.existing["email"])
        val read = users.get("name" to "lwt")
        users.save(read.copy(email = "c@x"), read, WriteOptions(conditions = listOf(Condition("email", CondOp.EQ, "a@x"))))
        assertEquals("c@x", users.get("name" to "lwt").email)
        assertThrows<LwtException> {
            runBlocking { users.save(read.copy(email = "d@x"), read, WriteOptions(conditions = listOf(Condition("email", CondOp.EQ, "a@x")))) }
        }

        users.create(User(name = "coll", tags = listOf("a"), scores = mapOf("x" to 1)))
        users.update(mapOf("name" to "coll"), listOf(Change.add("tags", listOf("b")), Change.prepend("tags", listOf("z")), Change.putAll("scores", mapOf("y" to 2))))
        val c = users.get("name" to "coll")
        assertEquals(listOf("z", "a", "b"), c.tags)
        assertEquals(mapOf("x" to 1, "y" to 2), c.scores)
        views.update(mapOf("page" to "/"), listOf(Change.increment("views", 3)))
        views.update(mapOf("page" to "/"), listOf(Change.increment("views", -1)))
        assertEquals(2L, views.get("page" to "/").views)
        users.delete(c)
        assertNull(users.query().where("name", "coll").first())
    }

    @Test
    fun `a batch keeps two tables consistent`(): Unit = runBlocking {
        val u = User(name = "ann", twitter = "@ann", email = "ann@x")
        ModelBatch().create(users, u).create(byTwitter, TwitterToUser("@ann", "ann")).execute()
        assertEquals("ann", byTwitter.get("twitter" to "@ann").name)
        assertEquals("@ann", users.get("name" to "ann").twitter)
        ModelBatch().delete(users, u).delete(byTwitter, TwitterToUser("@ann", "ann")).execute()
        assertNull(byTwitter.query().where("twitter", "@ann").first())
    }

    @Test
    fun `a model described as data maps rows as maps`(): Unit = runBlocking {
        val scores = ModelTable(Node.session, "Score", "score_dyn", listOf(
            ColumnSpec("player", "text", KeyKind.PARTITION),
            ColumnSpec("game", "int", KeyKind.CLUSTERING_DESC),
            ColumnSpec("points", "bigint", required = true),
            ColumnSpec("tags", "set<text>", dbField = "labels"),
        ), keyspace = ks)
        assertTrue(scores.syncTable().created)
        assertTrue(scores.createTableCql.contains("\"labels\" set<text>"), scores.createTableCql)
        for (g in 1..3) scores.create(mapOf("player" to "ann", "game" to g, "points" to 10L * g))
        assertEquals(listOf(3, 2, 1), scores.query().where("player", "ann").all().map { it["game"] })
        scores.update(mapOf("player" to "ann", "game" to 2), listOf(Change.add("tags", setOf("best"))))
        assertEquals(setOf("best"), scores.get("player" to "ann", "game" to 2)["tags"])
        assertThrows<ValidationException> { runBlocking { scores.create(mapOf("player" to "bob", "game" to 1)) } }
        assertThrows<IllegalArgumentException> { runBlocking { scores.create(mapOf("player" to "bob", "nope" to 1)) } }
        scores.deleteByKey(mapOf("player" to "ann"))
        assertEquals(0L, scores.query().where("player", "ann").count())
    }
}
