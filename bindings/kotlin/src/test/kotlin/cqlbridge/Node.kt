package cqlbridge

import kotlinx.coroutines.runBlocking
import java.time.Duration
import java.util.UUID

/** The real node `make test` started (CQLB_CONTACT_POINTS), one session per test JVM. */
object Node {
    val contactPoints: List<String> =
        // (Maven passes an unset variable on as an empty one)
        (System.getenv("CQLB_CONTACT_POINTS")?.ifBlank { null } ?: "127.0.0.1").split(',').map { it.trim() }.filter { it.isNotEmpty() }

    fun cluster(): CqlCluster = CqlCluster.builder()
        .addContactPoints(*contactPoints.toTypedArray())
        .withConnectTimeout(Duration.ofSeconds(20))
        .build()

    val session: CqlSession by lazy { runBlocking { cluster().connect() } }

    /** A fresh keyspace, dropped by the caller. */
    fun keyspace(prefix: String): String = runBlocking {
        val name = prefix + "_" + UUID.randomUUID().toString().replace("-", "").take(10)
        session.execute("CREATE KEYSPACE $name WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}")
        name
    }
}
