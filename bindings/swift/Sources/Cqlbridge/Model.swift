import Foundation
import CqlbridgeUniffi

/// Where a model column sits in the primary key.
public enum KeyKind: UInt8, Sendable {
    case none = 0, partition = 1, clustering = 2, clusteringDescending = 3
}

/// A column of a model: its attribute (the Codable key), CQL type and key position.
public struct CqlColumn: Sendable {
    public var name: String
    public var cqlType: String
    public var key: KeyKind
    /// The column's name in the table, when it differs from the attribute.
    public var dbField: String?
    public var required: Bool
    public var index: Bool

    public init(_ name: String, _ cqlType: String, key: KeyKind = .none, dbField: String? = nil,
                required: Bool = false, index: Bool = false) {
        self.name = name
        self.cqlType = cqlType
        self.key = key
        self.dbField = dbField
        self.required = required
        self.index = index
    }
}

/// A model: a Codable type whose coding keys are its columns, described by `columns`
/// (Swift cannot see the types of nil properties, so the CQL types are declared).
public protocol CqlModel: Codable {
    /// The table.
    static var table: String { get }
    /// The columns, partition key first.
    static var columns: [CqlColumn] { get }
}

/// Filter operators of model queries.
public enum FilterOp: UInt8, Sendable {
    case eq = 0, `in`, gt, gte, lt, lte, contains, containsKey
}

/// The mapper of one model type: the core renders and runs the CQL (quoted identifiers,
/// bound values, prepared statements, validation before sending).
public final class CqlMapper<M: CqlModel>: @unchecked Sendable {
    let session: CqlSession
    let model: Model

    public init(session: CqlSession, keyspace: String? = nil) throws {
        self.session = session
        let def = ModelDef(
            name: String(describing: M.self),
            keyspace: keyspace,
            table: M.table,
            columns: M.columns.map {
                ModelColumn(name: $0.name, dbField: $0.dbField, cqlType: $0.cqlType, key: $0.key.rawValue,
                            isStatic: false, index: $0.index, default: nil, required: $0.required,
                            minLength: nil, maxLength: nil, discriminator: false)
            },
            options: [:],
            defaultTtl: nil,
            discriminatorColumn: nil,
            discriminatorValue: nil,
            subtypes: []
        )
        self.model = try nativeSync { try Model(def: def) }
    }

    /// Creates the table, or adds what is missing; never drops.
    @discardableResult
    public func syncTable() async throws -> SyncInfo {
        try await native { try await session.connection.syncTable(model: model) }
    }

    /// Validates and inserts `value`; returns the row as stored.
    public func create(_ value: M, ttl: Int32? = nil, ifNotExists: Bool = false) async throws -> M {
        let values = try nativeSync { try packNamedValues(values: CqlRowEncoder.encode(value)) }
        let options = ModelWriteOptions(ttl: ttl, timestamp: nil, consistency: nil, timeoutMs: nil,
                                        ifNotExists: ifNotExists, ifExists: false, conditions: Data())
        let row = try await native { try await session.connection.modelCreate(model: model, values: values, options: options) }
        return try decode(row)
    }

    /// Exactly one row whose attributes equal `key`.
    public func get(_ key: [String: CqlConvertible]) async throws -> M {
        let query = try queryDef(key.map { Term(name: $0.key, op: FilterOp.eq.rawValue, value: $0.value.cqlValue) })
        let row = try await native { try await session.connection.modelGet(model: model, query: query) }
        return try decode(row)
    }

    /// Every row matching `filters` (attribute, operator, value), page after page.
    public func all(_ filters: [(String, FilterOp, CqlConvertible)] = [], limit: Int32? = nil) async throws -> [M] {
        let query = try queryDef(filters.map { Term(name: $0.0, op: $0.1.rawValue, value: $0.2.cqlValue) }, limit: limit)
        var out: [M] = []
        var state: Data? = nil
        repeat {
            let page = try await native { try await session.connection.modelSelectPage(model: model, query: query, pagingState: state) }
            for row in try nativeSync({ try unpackModelRows(rows: page.rows) }) {
                out.append(try CqlRowDecoder.decode(M.self, from: row.values))
            }
            state = page.pagingState
        } while state != nil
        return out
    }

    /// Deletes the row of `value`'s primary key.
    public func delete(_ value: M) async throws {
        let keyNames = Set(M.columns.filter { $0.key != .none }.map { $0.name })
        let key = try CqlRowEncoder.encode(value).filter { keyNames.contains($0.name) }
        let packed = try nativeSync { try packNamedValues(values: key) }
        let options = ModelWriteOptions(ttl: nil, timestamp: nil, consistency: nil, timeoutMs: nil,
                                        ifNotExists: false, ifExists: false, conditions: Data())
        try await native { try await session.connection.modelDelete(model: model, key: packed, columns: [], options: options) }
    }

    private func queryDef(_ terms: [Term], limit: Int32? = nil) throws -> ModelQueryDef {
        ModelQueryDef(filters: terms.isEmpty ? Data() : try nativeSync { try packTerms(terms: terms) },
                      orderBy: [], limit: limit, allowFiltering: false, only: [], defer: [], distinct: false,
                      consistency: nil, timeoutMs: nil, pageSize: nil)
    }

    private func decode(_ row: Data) throws -> M {
        let typed = try nativeSync { try unpackModelRow(row: row) }
        return try CqlRowDecoder.decode(M.self, from: typed.values)
    }
}

// MARK: - Codable bridges

/// Encodes a model into named CQL values (one per coding key).
struct CqlRowEncoder: Encoder {
    final class Sink { var values: [NamedValue] = [] }
    let sink: Sink
    var codingPath: [CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    static func encode<T: Encodable>(_ value: T) throws -> [NamedValue] {
        let encoder = CqlRowEncoder(sink: Sink())
        try value.encode(to: encoder)
        return encoder.sink.values
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(Keyed<Key>(sink: sink))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        fatalError("a model encodes as a keyed container (one key per column)")
    }

    func singleValueContainer() -> SingleValueEncodingContainer {
        fatalError("a model encodes as a keyed container (one key per column)")
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let sink: Sink
        var codingPath: [CodingKey] = []

        private func put(_ value: CqlValue, _ key: Key) { sink.values.append(NamedValue(name: key.stringValue, value: value)) }

        mutating func encodeNil(forKey key: Key) throws { put(.null, key) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { put(value.cqlValue, key) }
        mutating func encode(_ value: String, forKey key: Key) throws { put(value.cqlValue, key) }
        mutating func encode(_ value: Double, forKey key: Key) throws { put(value.cqlValue, key) }
        mutating func encode(_ value: Float, forKey key: Key) throws { put(value.cqlValue, key) }
        mutating func encode(_ value: Int, forKey key: Key) throws { put(value.cqlValue, key) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { put(value.cqlValue, key) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { put(value.cqlValue, key) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { put(value.cqlValue, key) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { put(value.cqlValue, key) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { put(.bigInt(value: Int64(value)), key) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { put(.smallInt(value: Int16(value)), key) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { put(.int(value: Int32(value)), key) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { put(.bigInt(value: Int64(value)), key) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { put(.varint(value: String(value)), key) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            guard let c = value as? CqlConvertible else {
                throw EncodingError.invalidValue(value, .init(codingPath: codingPath + [key],
                    debugDescription: "\(T.self) has no CQL type (use String, Int64, UUID, Date, arrays, sets, dictionaries, ...)"))
            }
            put(c.cqlValue, key)
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            fatalError("nested containers are not columns: give the property a CqlConvertible type")
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
            fatalError("nested containers are not columns: give the property a CqlConvertible type")
        }
        mutating func superEncoder() -> Encoder { CqlRowEncoder(sink: sink) }
        mutating func superEncoder(forKey key: Key) -> Encoder { CqlRowEncoder(sink: sink) }
    }
}

/// Decodes a model from named CQL values.
struct CqlRowDecoder: Decoder {
    let values: [String: CqlValue]
    var codingPath: [CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    static func decode<T: Decodable>(_ type: T.Type, from named: [NamedValue]) throws -> T {
        var values: [String: CqlValue] = [:]
        for n in named { values[n.name] = n.value }
        return try T(from: CqlRowDecoder(values: values))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Keyed<Key>(values: values))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath, debugDescription: "a model decodes from a keyed container"))
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer {
        throw DecodingError.typeMismatch(Any.self, .init(codingPath: codingPath, debugDescription: "a model decodes from a keyed container"))
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let values: [String: CqlValue]
        var codingPath: [CodingKey] = []
        var allKeys: [Key] { values.keys.compactMap { Key(stringValue: $0) } }

        func contains(_ key: Key) -> Bool { values[key.stringValue] != nil }

        func decodeNil(forKey key: Key) throws -> Bool {
            guard let v = values[key.stringValue] else { return true }
            if case .null = v { return true }
            return false
        }

        private func typed<T: CqlConvertible>(_ type: T.Type, _ key: Key) throws -> T {
            guard let raw = values[key.stringValue] else {
                throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no column \(key.stringValue)"))
            }
            guard let v = T.fromCql(raw) else {
                throw DecodingError.typeMismatch(T.self, .init(codingPath: codingPath + [key], debugDescription: "column \(key.stringValue) holds \(raw)"))
            }
            return v
        }

        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try typed(type, key) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try typed(type, key) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try typed(type, key) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try typed(type, key) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try typed(type, key) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try typed(type, key) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try typed(type, key) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try typed(type, key) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try typed(type, key) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { UInt(try typed(Int64.self, key)) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { UInt8(try typed(Int64.self, key)) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { UInt16(try typed(Int64.self, key)) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { UInt32(try typed(Int64.self, key)) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { UInt64(try typed(Int64.self, key)) }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            guard let convertible = T.self as? CqlConvertible.Type else {
                throw DecodingError.typeMismatch(T.self, .init(codingPath: codingPath + [key], debugDescription: "\(T.self) has no CQL type"))
            }
            guard let raw = values[key.stringValue], let v = convertible.fromCql(raw) as? T else {
                throw DecodingError.typeMismatch(T.self, .init(codingPath: codingPath + [key], debugDescription: "column \(key.stringValue) is not a \(T.self)"))
            }
            return v
        }
        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            throw DecodingError.typeMismatch(type, .init(codingPath: codingPath + [key], debugDescription: "nested containers are not columns"))
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
            throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath + [key], debugDescription: "nested containers are not columns"))
        }
        func superDecoder() throws -> Decoder { CqlRowDecoder(values: values) }
        func superDecoder(forKey key: Key) throws -> Decoder { CqlRowDecoder(values: values) }
    }
}
