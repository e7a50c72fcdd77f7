import Foundation
import CqlbridgeUniffi

/// A failure, with core's error kind (`InvalidRequest`, `WriteTimeout`, `BindError`, ...) and
/// the server's details.
public struct CqlbridgeError: Error, CustomStringConvertible {
    /// Core's error kind name.
    public let kind: String
    /// The full message.
    public let message: String
    /// Everything core knows about the failure.
    public let info: ErrorInfo

    public var description: String { "\(kind): \(message)" }

    init(_ info: ErrorInfo) {
        self.kind = info.name
        self.message = info.message
        self.info = info
    }
}

/// Runs a native call, turning its error into a `CqlbridgeError`.
func native<T>(_ call: () async throws -> T) async throws -> T {
    do {
        return try await call()
    } catch CqlError.Failed(let info) {
        throw CqlbridgeError(info)
    }
}

func nativeSync<T>(_ call: () throws -> T) throws -> T {
    do {
        return try call()
    } catch CqlError.Failed(let info) {
        throw CqlbridgeError(info)
    }
}

/// Consistency levels, with their protocol codes.
public enum ConsistencyLevel: UInt16, Sendable {
    case any = 0, one, two, three, quorum, all, localQuorum, eachQuorum, serial, localSerial, localOne
}

/// Options of one request; unset ones come from the session's profile.
public struct StatementOptions: Sendable {
    public var consistency: ConsistencyLevel?
    public var serialConsistency: ConsistencyLevel?
    public var pageSize: Int32?
    /// Client-side timeout, in seconds.
    public var timeout: TimeInterval?
    public var idempotent: Bool
    public var tracing: Bool
    public var profile: String?

    public init(consistency: ConsistencyLevel? = nil, serialConsistency: ConsistencyLevel? = nil,
                pageSize: Int32? = nil, timeout: TimeInterval? = nil, idempotent: Bool = false,
                tracing: Bool = false, profile: String? = nil) {
        self.consistency = consistency
        self.serialConsistency = serialConsistency
        self.pageSize = pageSize
        self.timeout = timeout
        self.idempotent = idempotent
        self.tracing = tracing
        self.profile = profile
    }

    var native: RequestOptions {
        RequestOptions(
            consistency: consistency?.rawValue,
            serialConsistency: serialConsistency?.rawValue,
            pageSize: pageSize,
            timeoutMs: timeout.map { UInt64(($0 * 1000).rounded()) },
            idempotent: idempotent,
            timestamp: nil,
            tracing: tracing,
            profile: profile,
            host: nil
        )
    }
}

/// Where and how to connect.
public struct CqlCluster: Sendable {
    public var contactPoints: [String]
    public var port: UInt16 = 9042
    public var keyspace: String?
    public var username: String?
    public var password: String?
    /// PEM file of the certificate authorities to trust; TLS when set.
    public var caFile: String?
    public var connectTimeout: TimeInterval?
    public var requestTimeout: TimeInterval?
    public var localDatacenter: String?
    public var consistency: ConsistencyLevel?

    public init(contactPoints: [String]) {
        self.contactPoints = contactPoints
    }

    /// Connects, discovering the rest of the cluster from the contact points.
    public func connect(keyspace: String? = nil) async throws -> CqlSession {
        let profile = ProfileOptions(
            consistency: consistency?.rawValue,
            serialConsistency: nil,
            requestTimeoutMs: nil,
            loadBalancing: .dcAware(localDc: localDatacenter, permitRemoteDc: false, tokenAware: true),
            retry: nil,
            speculative: nil
        )
        let options = ConnectOptions(
            contactPoints: contactPoints,
            port: port,
            keyspace: keyspace ?? self.keyspace,
            username: username,
            password: password,
            tls: caFile.map { TlsOptions(caFile: $0, clientCertFile: nil, clientKeyFile: nil, verifyHostname: true) },
            connectTimeoutMs: connectTimeout.map { UInt64(($0 * 1000).rounded()) },
            requestTimeoutMs: requestTimeout.map { UInt64(($0 * 1000).rounded()) },
            pageSize: nil,
            defaultProfile: profile,
            profiles: [:],
            compression: .lz4,
            reconnection: nil,
            allowedHosts: [],
            heartbeatIntervalMs: nil
        )
        let connection = try await native { try await CqlbridgeUniffi.connect(options: options, queue: CompletionQueue()) }
        return CqlSession(connection)
    }
}

/// A statement prepared on the cluster: less server work, no injection, token-aware routing.
public final class Prepared: @unchecked Sendable {
    let native: PreparedStatement
    /// The CQL text.
    public let cql: String
    /// The bind markers' names, in order.
    public let paramNames: [String]

    init(_ native: PreparedStatement) {
        self.native = native
        self.cql = native.cql()
        self.paramNames = native.paramNames()
    }
}

/// A connected session, safe to share between tasks (the core does the synchronisation).
public final class CqlSession: @unchecked Sendable {
    let connection: Connection

    init(_ connection: Connection) {
        self.connection = connection
    }

    /// Runs `cql` with positional values; returns the first page (or the page at `pagingState`).
    public func execute(_ cql: String, _ values: [CqlConvertible] = [], options: StatementOptions = StatementOptions(),
                        pagingState: Data? = nil) async throws -> ResultPage {
        let page = try await native {
            try await connection.query(cql: cql, values: values.map { $0.cqlValue }, pagingState: pagingState, options: options.native)
        }
        return ResultPage(page)
    }

    /// Prepares `cql`.
    public func prepare(_ cql: String) async throws -> Prepared {
        Prepared(try await native { try await connection.prepare(cql: cql, options: nil) })
    }

    /// Executes a prepared statement with positional values.
    public func execute(_ prepared: Prepared, _ values: [CqlConvertible] = [], options: StatementOptions = StatementOptions(),
                        pagingState: Data? = nil) async throws -> ResultPage {
        let page = try await native {
            try await connection.executePrepared(prepared: prepared.native, values: values.map { $0.cqlValue },
                                                 pagingState: pagingState, options: options.native)
        }
        return ResultPage(page)
    }

    /// Every row of `cql`, page after page, fetched as the sequence is iterated.
    public func rows(_ cql: String, _ values: [CqlConvertible] = [], options: StatementOptions = StatementOptions()) -> AsyncThrowingStream<Row, Error> {
        let bound = values.map { $0.cqlValue }
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    var state: Data? = nil
                    repeat {
                        let page = try await self.execute(cql, bound, options: options, pagingState: state)
                        for row in page.rows { continuation.yield(row) }
                        state = page.pagingState
                    } while state != nil
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Runs `prepared` once per row of values, at most `concurrency` at a time; one outcome per row, in order.
    public func executeConcurrent(_ prepared: Prepared, _ rows: [[CqlConvertible]], concurrency: Int = 100) async -> [Result<ResultPage, Error>] {
        typealias Outcome = (Int, Result<ResultPage, Error>)
        return await withTaskGroup(of: Outcome.self) { group in
            var out = [Result<ResultPage, Error>?](repeating: nil, count: rows.count)
            var next = 0
            func add() {
                let i = next
                next += 1
                group.addTask {
                    do { return (i, .success(try await self.execute(prepared, rows[i]))) } catch { return (i, .failure(error)) }
                }
            }
            while next < min(concurrency, rows.count) { add() }
            for await (i, outcome) in group {
                out[i] = outcome
                if next < rows.count { add() }
            }
            return out.map { $0! }
        }
    }

    /// Switches every connection to `keyspace`.
    public func useKeyspace(_ keyspace: String) async throws {
        try await native { try await connection.useKeyspace(keyspace: keyspace) }
    }

    /// The keyspace in use.
    public var keyspace: String? { connection.keyspace() }
}

/// One page of a result.
public struct ResultPage: Sequence {
    /// The column names, in order.
    public let columns: [String]
    /// This page's rows.
    public let rows: [Row]
    /// Where the next page starts; nil on the last page.
    public let pagingState: Data?

    init(_ page: ValuePage) {
        let names = page.columns.map { $0.name }
        var index: [String: Int] = [:]
        for (i, n) in names.enumerated() { index[n] = i }
        self.columns = names
        self.rows = page.rows.map { Row(values: $0, index: index) }
        self.pagingState = page.pagingState
    }

    /// The first row, or nil.
    public func one() -> Row? { rows.first }

    /// For conditional writes: whether the write was applied.
    public var wasApplied: Bool {
        guard columns.first == "[applied]", let row = rows.first else { return true }
        return row.get(0, as: Bool.self) ?? false
    }

    public func makeIterator() -> IndexingIterator<[Row]> { rows.makeIterator() }
}

/// One row: values by position or column name, typed with `get(_:as:)`.
public struct Row {
    /// The raw values, in column order.
    public let values: [CqlValue]
    let index: [String: Int]

    /// The raw value of column `name` (nil when there is no such column).
    public subscript(name: String) -> CqlValue? { index[name].map { values[$0] } }

    /// The value at `position` as `T` (nil for null or another type).
    public func get<T: CqlConvertible>(_ position: Int, as: T.Type = T.self) -> T? { T.fromCql(values[position]) }

    /// The value of column `name` as `T` (nil for null, another type or no such column).
    public func get<T: CqlConvertible>(_ name: String, as: T.Type = T.self) -> T? {
        guard let i = index[name] else { return nil }
        return T.fromCql(values[i])
    }
}
