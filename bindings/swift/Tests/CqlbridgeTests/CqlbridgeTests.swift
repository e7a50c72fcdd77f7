import Foundation
import XCTest
@testable import Cqlbridge

/// Against the real node of the project's harness: `tests/cluster/cluster up`, then
/// `CQLB_CONTACT_POINTS=127.0.0.1 swift test` (see README.md).
final class CqlbridgeTests: XCTestCase {
    static var contactPoints: [String] {
        (ProcessInfo.processInfo.environment["CQLB_CONTACT_POINTS"] ?? "127.0.0.1")
            .split(separator: ",").map { String($0).replacingOccurrences(of: ":9042", with: "") }
    }

    func connect() async throws -> CqlSession {
        var cluster = CqlCluster(contactPoints: Self.contactPoints)
        cluster.connectTimeout = 20
        return try await cluster.connect()
    }

    func keyspace(_ session: CqlSession) async throws -> String {
        let name = "swift_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(10).lowercased()
        _ = try await session.execute("CREATE KEYSPACE \(name) WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}")
        return name
    }

    func testExecutePrepareAndTypes() async throws {
        let session = try await connect()
        let ks = try await keyspace(session)
        _ = try await session.execute("CREATE TABLE \(ks).t (k int PRIMARY KEY, s text, b bigint, u uuid, ts timestamp, l list<int>, m map<text, int>)")
        let insert = try await session.prepare("INSERT INTO \(ks).t (k, s, b, u, ts, l, m) VALUES (?, ?, ?, ?, ?, ?, ?)")
        XCTAssertEqual(insert.paramNames, ["k", "s", "b", "u", "ts", "l", "m"])
        let id = UUID()
        let now = Date(timeIntervalSince1970: 1_700_000_000.123)
        _ = try await session.execute(insert, [Int32(1), "žluťoučký", Int64.min, id, now, [Int32(1), Int32(2)], ["a": Int32(1)]])
        let row = try await session.execute("SELECT s, b, u, ts, l, m FROM \(ks).t WHERE k = ?", [Int32(1)]).one()
        XCTAssertEqual(row?.get("s", as: String.self), "žluťoučký")
        XCTAssertEqual(row?.get("b", as: Int64.self), Int64.min)
        XCTAssertEqual(row?.get("u", as: UUID.self), id)
        XCTAssertEqual(row?.get("ts", as: Date.self), now)
        XCTAssertEqual(row?.get("l", as: [Int32].self), [1, 2])
        XCTAssertEqual(row?.get("m", as: [String: Int32].self), ["a": 1])
        _ = try await session.execute("DROP KEYSPACE \(ks)")
    }

    func testPagingAsAnAsyncSequenceAndConcurrency() async throws {
        let session = try await connect()
        let ks = try await keyspace(session)
        _ = try await session.execute("CREATE TABLE \(ks).r (p int, c int, PRIMARY KEY (p, c))")
        let insert = try await session.prepare("INSERT INTO \(ks).r (p, c) VALUES (?, ?)")
        let outcomes = await session.executeConcurrent(insert, (0..<120).map { [Int32(1), Int32($0)] }, concurrency: 16)
        XCTAssertEqual(outcomes.count, 120)
        var seen: [Int32] = []
        for try await row in session.rows("SELECT c FROM \(ks).r WHERE p = ?", [Int32(1)], options: StatementOptions(pageSize: 25)) {
            seen.append(row.get("c", as: Int32.self)!)
        }
        XCTAssertEqual(seen, (0..<120).map { Int32($0) })
        _ = try await session.execute("DROP KEYSPACE \(ks)")
    }

    func testErrorsAreTyped() async throws {
        let session = try await connect()
        do {
            _ = try await session.execute("SELEKT 1")
            XCTFail("a syntax error was accepted")
        } catch let e as CqlbridgeError {
            XCTAssertEqual(e.kind, "SyntaxError")
        }
        do {
            _ = try await session.execute("SELECT * FROM system.local WHERE key = ?", [Int32(1)])
            XCTFail("an int bound to text")
        } catch let e as CqlbridgeError {
            XCTAssertEqual(e.kind, "BindError")
        }
    }

    struct Message: CqlModel, Equatable {
        static let table = "message_swift"
        static let columns = [
            CqlColumn("id", "uuid", key: .partition),
            CqlColumn("subject", "text"),
            CqlColumn("tags", "set<text>"),
        ]
        var id: UUID
        var subject: String?
        var tags: Set<String>
    }

    func testCodableModels() async throws {
        let session = try await connect()
        let ks = try await keyspace(session)
        let messages = try CqlMapper<Message>(session: session, keyspace: ks)
        try await messages.syncTable()
        let m = Message(id: UUID(), subject: "hi", tags: ["a", "b"])
        let created = try await messages.create(m)
        XCTAssertEqual(created, m)
        let got = try await messages.get(["id": m.id])
        XCTAssertEqual(got, m)
        XCTAssertEqual(try await messages.all().count, 1)
        try await messages.delete(m)
        XCTAssertEqual(try await messages.all().count, 0)
        _ = try await session.execute("DROP KEYSPACE \(ks)")
    }
}
