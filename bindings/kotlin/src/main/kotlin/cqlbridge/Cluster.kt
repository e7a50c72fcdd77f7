package cqlbridge

import cqlbridge.uniffi.CompressionKind
import cqlbridge.uniffi.ConnectOptions
import cqlbridge.uniffi.Connection
import cqlbridge.uniffi.HostInfo
import cqlbridge.uniffi.LoadBalancingOptions
import cqlbridge.uniffi.MetricsInfo
import cqlbridge.uniffi.ProfileOptions
import cqlbridge.uniffi.ReconnectionOptions
import cqlbridge.uniffi.RetryKind
import cqlbridge.uniffi.SpeculativeOptions
import cqlbridge.uniffi.TableInfo
import cqlbridge.uniffi.TlsOptions
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.GlobalScope
import kotlinx.coroutines.future.future
import kotlinx.coroutines.runBlocking
import java.time.Duration
import java.util.concurrent.CompletableFuture

/** Retry policies. */
enum class RetryPolicy { DEFAULT, FALLTHROUGH, DOWNGRADING_CONSISTENCY }

/** An execution profile: consistency, timeout and policies, by name. */
data class ExecutionProfile(
    val consistency: ConsistencyLevel? = null,
    val serialConsistency: ConsistencyLevel? = null,
    val requestTimeout: Duration? = null,
    /** The local datacenter for DC-aware load balancing (null: the contact point's). */
    val localDatacenter: String? = null,
    /** Prefer replicas of the partition key (prepared statements). */
    val tokenAware: Boolean = true,
    /** Every node in turn instead of the local datacenter first. */
    val roundRobin: Boolean = false,
    val retry: RetryPolicy? = null,
    /** Send idempotent requests again after this delay, at most [speculativeAttempts] times. */
    val speculativeDelay: Duration? = null,
    val speculativeAttempts: Int = 1,
) {
    internal fun toNative() = ProfileOptions(
        consistency = consistency?.code?.toUShort(),
        serialConsistency = serialConsistency?.code?.toUShort(),
        requestTimeoutMs = requestTimeout?.toMillis()?.toULong(),
        loadBalancing = if (roundRobin) LoadBalancingOptions.RoundRobin(tokenAware)
        else LoadBalancingOptions.DcAware(localDatacenter, false, tokenAware),
        retry = when (retry) {
            null -> null
            RetryPolicy.DEFAULT -> RetryKind.DEFAULT
            RetryPolicy.FALLTHROUGH -> RetryKind.FALLTHROUGH
            RetryPolicy.DOWNGRADING_CONSISTENCY -> RetryKind.DOWNGRADING_CONSISTENCY
        },
        speculative = speculativeDelay?.let { SpeculativeOptions(it.toMillis().toULong(), speculativeAttempts.toUInt()) },
    )
}

/**
 * A cluster to connect to: built with [builder], connected with [connect] (which discovers
 * every node from the contact points). Closing it closes the sessions it made.
 */
class CqlCluster private constructor(private val options: ConnectOptions) : AutoCloseable {
    private val sessions = java.util.concurrent.CopyOnWriteArrayList<CqlSession>()

    /** Connects (to [keyspace], if given). */
    suspend fun connect(keyspace: String? = null): CqlSession {
        val native: Connection = native { cqlbridge.uniffi.connect(options.copy(keyspace = keyspace ?: options.keyspace), Completions.queue) }
        return CqlSession(native).also { sessions += it }
    }

    /** Connects; for Java callers. */
    fun connectAsync(keyspace: String? = null): CompletableFuture<CqlSession> =
        GlobalScope.future(Dispatchers.Unconfined) { connect(keyspace) }

    /** Connects and blocks until connected; for Java callers off any event loop. */
    fun connectBlocking(keyspace: String? = null): CqlSession = runBlocking { connect(keyspace) }

    /** Closes every session this cluster made. */
    override fun close() {
        sessions.forEach { it.close() }
        sessions.clear()
    }

    /** Builds a [CqlCluster]. */
    class Builder internal constructor() {
        private val contactPoints = mutableListOf<String>()
        private var port = 9042
        private var keyspace: String? = null
        private var username: String? = null
        private var password: String? = null
        private var tls: TlsOptions? = null
        private var connectTimeout: Duration? = null
        private var requestTimeout: Duration? = null
        private var pageSize: Int? = null
        private var defaultProfile = ExecutionProfile()
        private val profiles = mutableMapOf<String, ExecutionProfile>()
        private var compression: CompressionKind? = CompressionKind.LZ4
        private var reconnection: ReconnectionOptions? = null
        private val allowedHosts = mutableListOf<String>()
        private var heartbeat: Duration? = null

        /** Hosts to reach first (`host` or `host:port`). */
        fun addContactPoints(vararg hosts: String) = apply { contactPoints += hosts }
        fun withPort(port: Int) = apply { this.port = port }
        fun withKeyspace(keyspace: String) = apply { this.keyspace = keyspace }
        /** PasswordAuthenticator credentials. */
        fun withCredentials(username: String, password: String) = apply { this.username = username; this.password = password }
        /**
         * TLS, trusting the CAs of [caFile] (PEM); a client certificate for mutual TLS; the
         * certificate checked against [serverName] instead of the address connected to.
         */
        @JvmOverloads
        fun withTls(
            caFile: String,
            clientCertFile: String? = null,
            clientKeyFile: String? = null,
            verifyHostname: Boolean = true,
            serverName: String? = null,
        ) = apply { tls = TlsOptions(caFile, clientCertFile, clientKeyFile, verifyHostname, serverName) }
        fun withConnectTimeout(d: Duration) = apply { connectTimeout = d }
        fun withRequestTimeout(d: Duration) = apply { requestTimeout = d }
        fun withPageSize(n: Int) = apply { pageSize = n }
        /** The default execution profile. */
        fun withDefaultProfile(p: ExecutionProfile) = apply { defaultProfile = p }
        /** A named execution profile (`StatementOptions.profile`). */
        fun withProfile(name: String, p: ExecutionProfile) = apply { profiles[name] = p }
        fun withConsistency(c: ConsistencyLevel) = apply { defaultProfile = defaultProfile.copy(consistency = c) }
        fun withLocalDatacenter(dc: String) = apply { defaultProfile = defaultProfile.copy(localDatacenter = dc) }
        fun withRetryPolicy(r: RetryPolicy) = apply { defaultProfile = defaultProfile.copy(retry = r) }
        /** Frame compression: "lz4" (the default), "snappy" or null. */
        fun withCompression(kind: String?) = apply {
            compression = when (kind?.lowercase()) {
                null -> null
                "lz4" -> CompressionKind.LZ4
                "snappy" -> CompressionKind.SNAPPY
                else -> throw IllegalArgumentException("unknown compression $kind (lz4, snappy or null)")
            }
        }
        /** Reconnect after [base], doubling up to [max]. */
        fun withExponentialReconnection(base: Duration, max: Duration) =
            apply { reconnection = ReconnectionOptions.Exponential(base.toMillis().toULong(), max.toMillis().toULong()) }
        /** Reconnect every [delay]. */
        fun withConstantReconnection(delay: Duration) =
            apply { reconnection = ReconnectionOptions.Constant(delay.toMillis().toULong()) }
        /** Connect only to these hosts. */
        fun withAllowedHosts(vararg hosts: String) = apply { allowedHosts += hosts }
        fun withHeartbeat(d: Duration) = apply { heartbeat = d }

        /** The cluster; nothing is connected until [CqlCluster.connect]. */
        fun build(): CqlCluster {
            require(contactPoints.isNotEmpty()) { "add at least one contact point" }
            require(port in 1..65535) { "a port is 1 to 65535, not $port" }
            return CqlCluster(ConnectOptions(
                contactPoints = contactPoints.toList(),
                port = port.toUShort(),
                keyspace = keyspace,
                username = username,
                password = password,
                tls = tls,
                connectTimeoutMs = connectTimeout?.toMillis()?.toULong(),
                requestTimeoutMs = requestTimeout?.toMillis()?.toULong(),
                pageSize = pageSize,
                defaultProfile = defaultProfile.toNative(),
                profiles = profiles.mapValues { it.value.toNative() },
                compression = compression,
                reconnection = reconnection,
                allowedHosts = allowedHosts.toList(),
                heartbeatIntervalMs = heartbeat?.toMillis()?.toULong(),
            ))
        }
    }

    companion object {
        /** A new builder. */
        @JvmStatic
        fun builder() = Builder()
    }
}

/** The cluster as a session sees it. */
class Metadata internal constructor(private val connection: Connection) {
    /** Every known node. */
    val hosts: List<HostInfo> get() = connection.hosts()

    /** Every keyspace's name. */
    val keyspaceNames: List<String> get() = connection.keyspaceNames()

    /** The tables of [keyspace]. */
    fun tables(keyspace: String): List<TableInfo> = connection.tables(keyspace)

    /** Re-reads the schema from the cluster. */
    suspend fun refresh() = native { connection.refreshMetadata() }

    /** What the session counted: requests, errors, retries, latencies. */
    val metrics: MetricsInfo get() = connection.metrics()
}
