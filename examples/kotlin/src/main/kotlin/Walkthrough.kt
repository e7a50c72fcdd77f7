// The seed walkthrough (shared/notes/walkthrough.md) in Kotlin: suspend functions, Flow,
// data classes as models. Runs against a real local node (CQLB_CONTACT_POINTS, default
// 127.0.0.1).

import cqlbridge.CqlCluster
import cqlbridge.CqlSession
import cqlbridge.ExecutionProfile
import cqlbridge.ConsistencyLevel
import cqlbridge.DoesNotExistException
import cqlbridge.LwtException
import cqlbridge.RetryPolicy
import cqlbridge.TimeUuid
import cqlbridge.ValidationException
import cqlbridge.mapper.ClusteringColumn
import cqlbridge.mapper.Column
import cqlbridge.mapper.CondOp
import cqlbridge.mapper.Condition
import cqlbridge.mapper.CqlMapper
import cqlbridge.mapper.Default
import cqlbridge.mapper.DefaultKind
import cqlbridge.mapper.ModelBatch
import cqlbridge.mapper.PartitionKey
import cqlbridge.mapper.Table
import cqlbridge.mapper.WriteOptions
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.flow.count
import kotlinx.coroutines.runBlocking
import java.time.Duration
import java.time.Instant
import java.util.UUID
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit

const val SENSORS = 10
const val READINGS_PER_SENSOR = 5

// 7. Models: each maps to one table; collections are Kotlin's Set, List and Map.
@Table(name = "message_kt")
data class Message(
    @PartitionKey @Default(DefaultKind.TIMEUUID) @Column(type = "timeuuid") val messageId: UUID? = null,
    val subject: String? = null,
    val body: String? = null,
    val addressedTo: Set<UUID> = emptySet(),
)

@Table(name = "photo_kt")
data class Photo(
    @PartitionKey @Default(DefaultKind.UUID4) val photoId: UUID? = null,
    @Column(maxLength = 100) val title: String? = null,
    val likes: Map<UUID, String> = emptyMap(),
)

// 8. Clustering keys: partition keys first, then clustering columns.
@Table(name = "users_in_group_kt")
data class UsersInGroup(@PartitionKey val groupId: UUID? = null, @ClusteringColumn val userId: UUID? = null, val isAdmin: Boolean? = null)

@Table(name = "users_in_group_by_state_kt")
data class UsersInGroupByState(
    @PartitionKey(0) val groupId: UUID? = null,
    @PartitionKey(1) val state: String? = null,
    @ClusteringColumn val userId: UUID? = null,
    val isAdmin: Boolean = false,
)

// 11. Two tables kept consistent by one batch.
@Table(name = "user_kt")
data class User(@PartitionKey val name: String = "", val twitter: String? = null, val email: String? = null)

@Table(name = "twitter_to_user_kt")
data class TwitterToUser(@PartitionKey val twitter: String = "", val name: String? = null)

// 13. Table properties.
@Table(
    name = "reading_kt",
    options = ["compaction={'class': 'LeveledCompactionStrategy'}", "gc_grace_seconds=86400", "read_repair='BLOCKING'",
        "caching={'keys': 'ALL', 'rows_per_partition': 'NONE'}", "comment='sensor readings'"],
)
data class Reading(
    @PartitionKey val sensorId: UUID? = null,
    @ClusteringColumn(descending = true) val takenAt: Instant? = null,
    val value: Double? = null,
)

// 14. Inheritance: the base's properties become columns of each table that extends it.
abstract class Timestamped {
    @Default(DefaultKind.NOW) var createdAt: Instant? = null
}

@Table(name = "comment_kt")
data class Comment(@PartitionKey @Default(DefaultKind.UUID4) val commentId: UUID? = null, val text: String? = null) : Timestamped()

fun main() = runBlocking {
    // 1. Connect: contact points and policies; the rest of the cluster is discovered.
    val contactPoints = (System.getenv("CQLB_CONTACT_POINTS") ?: "127.0.0.1").split(',')
    val cluster = CqlCluster.builder()
        .addContactPoints(*contactPoints.toTypedArray())
        .withDefaultProfile(ExecutionProfile(consistency = ConsistencyLevel.LOCAL_ONE, tokenAware = true, retry = RetryPolicy.DEFAULT))
        .withExponentialReconnection(Duration.ofMillis(50), Duration.ofSeconds(10))
        .build()
    cluster.use {
        val session = cluster.connect()
        val local = session.execute("SELECT cluster_name, release_version FROM system.local").one()!!
        println("1. connected to cluster ${local.getString("cluster_name")}, Cassandra ${local.getString("release_version")}, " +
            "${session.metadata.hosts.size} node(s)")

        // 2. Execute plain CQL strings (not token-aware).
        session.execute("CREATE KEYSPACE IF NOT EXISTS walkthrough WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}")
        session.useKeyspace("walkthrough")
        session.execute("CREATE TABLE IF NOT EXISTS sensor (sensor_id uuid PRIMARY KEY, name text, created_at timestamp)")
        session.execute("CREATE TABLE IF NOT EXISTS sensor_data (sensor_id uuid, created_at timestamp, reading double, " +
            "PRIMARY KEY (sensor_id, created_at)) WITH CLUSTERING ORDER BY (created_at DESC)")
        session.execute("TRUNCATE sensor")
        session.execute("TRUNCATE sensor_data")
        println("2. keyspace 'walkthrough' with tables sensor and sensor_data is ready")

        // 3. Prepare what runs more than once: less server work, no injection, token-aware.
        val insertSensor = session.prepare("INSERT INTO sensor (sensor_id, name, created_at) VALUES (?, ?, ?)")
        val insertReading = session.prepare("INSERT INTO sensor_data (sensor_id, created_at, reading) VALUES (?, ?, ?)")
        println("3. prepared '${insertSensor.cql}' with markers ${insertSensor.paramNames}")

        // 4. Async with callbacks: each callback gets the response and the sensor id.
        val sensorIds = List(SENSORS) { UUID.randomUUID() }
        val stored = java.util.concurrent.ConcurrentLinkedQueue<UUID>()
        val done = CountDownLatch(SENSORS)
        for ((n, id) in sensorIds.withIndex()) {
            session.executeAsync(insertSensor.bind(id, "sensor $n", Instant.now()))
                .whenComplete { _, error -> if (error == null) stored += id else println("   sensor $id failed: $error"); done.countDown() }
        }
        done.await(30, TimeUnit.SECONDS)
        println("4. ${stored.size} of $SENSORS sensors inserted asynchronously, each acknowledged with its id")
        val base = Instant.parse("2023-11-14T22:13:20Z")
        session.executeConcurrent(insertReading, sensorIds.withIndex().flatMap { (i, id) ->
            (0 until READINGS_PER_SENSOR).map { r -> listOf(id, base.plusSeconds(r.toLong()), 20.0 + i + r / 10.0) }
        }).forEach { it.getOrThrow() }

        // 5. Managed concurrency: the latest reading of every sensor.
        val latest = session.prepare("SELECT * FROM sensor_data WHERE sensor_id = ? ORDER BY created_at DESC LIMIT 1")
        var started = System.nanoTime()
        val readings = session.executeConcurrent(latest, sensorIds.map { listOf(it) }, concurrency = 4)
            .mapNotNull { it.getOrNull()?.one()?.getDouble("reading") }
        println("5. latest reading of ${readings.size} sensors in ${"%.3f".format((System.nanoTime() - started) / 1e9)}s: ${readings.joinToString()}")

        // 6. Shown, not told: one IN query gathers every partition on a single coordinator.
        started = System.nanoTime()
        val rows = session.stream("SELECT sensor_id, created_at, reading FROM sensor_data WHERE sensor_id IN ?", sensorIds).count()
        println("6. one IN query over $SENSORS partitions returned $rows rows in ${"%.3f".format((System.nanoTime() - started) / 1e9)}s, " +
            "all gathered by a single coordinator; the single-partition queries of step 5 are routed by their key and fail or retry one by one")

        models(session)

        // 15. Application integration: one session per application, shared by every coroutine
        //     and thread, closed with the cluster (`use`). A JVM does not fork: workers are threads.
        val counts = coroutineScope {
            List(4) { async { session.execute("SELECT count(*) FROM walkthrough.sensor").one()!!.getLong(0) } }.awaitAll()
        }
        println("15. four coroutines shared one session and each counted ${counts.distinct().single()} sensors")
    }
    println("done: steps 1-15 of the walkthrough ran against a real node")
}

suspend fun models(session: CqlSession) {
    // The other languages' walkthroughs map their own models; these tables end in _kt.
    val messages = CqlMapper(session, Message::class.java)
    val photos = CqlMapper(session, Photo::class.java)
    val groups = CqlMapper(session, UsersInGroup::class.java)
    val groupsByState = CqlMapper(session, UsersInGroupByState::class.java)
    val users = CqlMapper(session, User::class.java)
    val byTwitter = CqlMapper(session, TwitterToUser::class.java)
    val readings = CqlMapper(session, Reading::class.java)
    val comments = CqlMapper(session, Comment::class.java)
    for (m in listOf(messages, photos, groups, groupsByState, users, byTwitter, readings, comments)) m.syncTable()
    println("7. models Message and Photo synced to their tables (no hand-written DDL)")

    val group = UUID.randomUUID()
    groups.create(UsersInGroup(group, UUID.randomUUID(), true))
    groupsByState.create(UsersInGroupByState(group, "CA", UUID.randomUUID()))
    println("8. UsersInGroup clusters by user_id; UsersInGroupByState partitions by (group_id, state): " +
        "${groups.query().where("groupId", group).count()} + ${groupsByState.query().where("groupId", group).where("state", "CA").count()} rows")

    val message = messages.create(Message(subject = "hello", body = "world", addressedTo = setOf(UUID.randomUUID())), WriteOptions(ttl = 86400))
    val photo = photos.create(Photo(title = "sunset", likes = mapOf(UUID.randomUUID() to "nice")))
    val refused = try { photos.create(Photo(title = "x".repeat(101))); null } catch (e: ValidationException) { e.message }
    println("9. created message ${message.messageId} (TTL 1 day) and photo ${photo.photoId}; an invalid photo was refused: $refused")

    users.deleteByKey(mapOf("name" to "alice"))
    users.create(User("alice", "@alice"), WriteOptions(ifNotExists = true))
    val existing = try { users.create(User("alice", "@impostor"), WriteOptions(ifNotExists = true)); null } catch (e: LwtException) { e.existing }
    val alice = users.get("name" to "alice")
    users.save(alice.copy(email = "alice@example.com"), alice, WriteOptions(conditions = listOf(Condition("twitter", CondOp.EQ, "@alice"))))
    println("10. IF NOT EXISTS refused a second alice (existing: ${existing?.get("twitter")}); IF twitter = '@alice' let the email change")

    ModelBatch().create(users, User("bob", "@bob")).create(byTwitter, TwitterToUser("@bob", "bob")).execute()
    println("11. User and TwitterToUser written in one batch: ${byTwitter.get("twitter" to "@bob").name} is ${users.get("name" to "bob").twitter}")

    val missing = try { messages.get("messageId" to TimeUuid.now()); "nothing" } catch (e: DoesNotExistException) { "DoesNotExistException" }
    println("12. get: '${messages.get("messageId" to message.messageId).subject}'; a missing row throws $missing; " +
        "filter: ${groups.query().where("groupId", group).all().size} user(s) in the group")

    val opts = session.execute("SELECT compaction, gc_grace_seconds, read_repair, caching FROM system_schema.tables " +
        "WHERE keyspace_name = ? AND table_name = ?", "walkthrough", "reading_kt").one()!!
    println("13. the server has Reading's options: compaction ${opts.getMap("compaction")!!["class"].toString().substringAfterLast('.')}, " +
        "gc_grace_seconds ${opts.getInt("gc_grace_seconds")}, read_repair ${opts.getString("read_repair")}, caching ${opts.getMap("caching")}")

    val comment = comments.create(Comment(text = "first"))
    println("14. Comment inherits created_at from Timestamped (filled by the core: ${comment.createdAt}); " +
        "one table per model (table polymorphism is not in the Kotlin mapper yet)")
}
