import Foundation
import CqlbridgeUniffi

/// A Swift value that has a CQL counterpart: it binds to a marker and reads back from a
/// column. Text `String`; tinyint `Int8`; smallint `Int16`; int `Int32`; bigint and counter
/// `Int64` (an `Int` binds to any integer column that holds it); varint and decimal
/// `Decimal`; float `Float`; double `Double`; boolean `Bool`; blob `Data`; uuid and timeuuid
/// `UUID`; timestamp `Date`; collections as arrays, sets and dictionaries; null as `nil`.
public protocol CqlConvertible {
    /// This value as a CQL value.
    var cqlValue: CqlValue { get }
    /// The value of a column, or nil when it is of another type.
    static func fromCql(_ value: CqlValue) -> Self?
}

extension String: CqlConvertible {
    public var cqlValue: CqlValue { .text(value: self) }
    public static func fromCql(_ value: CqlValue) -> String? {
        switch value {
        case .text(let v), .ascii(let v), .inet(let v): return v
        default: return nil
        }
    }
}

extension Bool: CqlConvertible {
    public var cqlValue: CqlValue { .boolean(value: self) }
    public static func fromCql(_ value: CqlValue) -> Bool? {
        if case .boolean(let v) = value { return v }
        return nil
    }
}

extension Int8: CqlConvertible {
    public var cqlValue: CqlValue { .tinyInt(value: self) }
    public static func fromCql(_ value: CqlValue) -> Int8? {
        if case .tinyInt(let v) = value { return v }
        return nil
    }
}

extension Int16: CqlConvertible {
    public var cqlValue: CqlValue { .smallInt(value: self) }
    public static func fromCql(_ value: CqlValue) -> Int16? {
        if case .smallInt(let v) = value { return v }
        return nil
    }
}

extension Int32: CqlConvertible {
    public var cqlValue: CqlValue { .int(value: self) }
    public static func fromCql(_ value: CqlValue) -> Int32? {
        if case .int(let v) = value { return v }
        return nil
    }
}

extension Int64: CqlConvertible {
    public var cqlValue: CqlValue { .bigInt(value: self) }
    public static func fromCql(_ value: CqlValue) -> Int64? {
        switch value {
        case .bigInt(let v), .counter(let v): return v
        case .int(let v): return Int64(v)
        case .smallInt(let v): return Int64(v)
        case .tinyInt(let v): return Int64(v)
        default: return nil
        }
    }
}

extension Int: CqlConvertible {
    public var cqlValue: CqlValue { .bigInt(value: Int64(self)) }
    public static func fromCql(_ value: CqlValue) -> Int? {
        Int64.fromCql(value).map { Int($0) }
    }
}

extension Double: CqlConvertible {
    public var cqlValue: CqlValue { .double(value: self) }
    public static func fromCql(_ value: CqlValue) -> Double? {
        switch value {
        case .double(let v): return v
        case .float(let v): return Double(v)
        default: return nil
        }
    }
}

extension Float: CqlConvertible {
    public var cqlValue: CqlValue { .float(value: self) }
    public static func fromCql(_ value: CqlValue) -> Float? {
        if case .float(let v) = value { return v }
        return nil
    }
}

extension Decimal: CqlConvertible {
    public var cqlValue: CqlValue { .decimal(value: "\(self)") }
    public static func fromCql(_ value: CqlValue) -> Decimal? {
        switch value {
        case .decimal(let v), .varint(let v): return Decimal(string: v, locale: Locale(identifier: "en_US_POSIX"))
        default: return nil
        }
    }
}

extension Data: CqlConvertible {
    public var cqlValue: CqlValue { .blob(value: self) }
    public static func fromCql(_ value: CqlValue) -> Data? {
        if case .blob(let v) = value { return v }
        return nil
    }
}

extension UUID: CqlConvertible {
    public var cqlValue: CqlValue { .uuid(value: self) }
    public static func fromCql(_ value: CqlValue) -> UUID? {
        switch value {
        case .uuid(let v), .timeuuid(let v): return v
        default: return nil
        }
    }
}

extension Date: CqlConvertible {
    public var cqlValue: CqlValue { .timestamp(millis: Int64((timeIntervalSince1970 * 1000).rounded())) }
    public static func fromCql(_ value: CqlValue) -> Date? {
        if case .timestamp(let ms) = value { return Date(timeIntervalSince1970: Double(ms) / 1000) }
        return nil
    }
}

extension Array: CqlConvertible where Element: CqlConvertible {
    public var cqlValue: CqlValue { .list(elements: map { $0.cqlValue }) }
    public static func fromCql(_ value: CqlValue) -> [Element]? {
        switch value {
        case .list(let es), .set(let es), .vector(let es):
            let out = es.compactMap { Element.fromCql($0) }
            return out.count == es.count ? out : nil
        default: return nil
        }
    }
}

extension Set: CqlConvertible where Element: CqlConvertible {
    public var cqlValue: CqlValue { .set(elements: map { $0.cqlValue }) }
    public static func fromCql(_ value: CqlValue) -> Set<Element>? {
        [Element].fromCql(value).map { Set($0) }
    }
}

extension Dictionary: CqlConvertible where Key: CqlConvertible, Value: CqlConvertible {
    public var cqlValue: CqlValue {
        .map(entries: map { MapEntry(key: $0.key.cqlValue, value: $0.value.cqlValue) })
    }
    public static func fromCql(_ value: CqlValue) -> [Key: Value]? {
        guard case .map(let entries) = value else { return nil }
        var out: [Key: Value] = [:]
        for e in entries {
            guard let k = Key.fromCql(e.key), let v = Value.fromCql(e.value) else { return nil }
            out[k] = v
        }
        return out
    }
}

extension Optional: CqlConvertible where Wrapped: CqlConvertible {
    public var cqlValue: CqlValue {
        switch self {
        case .some(let v): return v.cqlValue
        case .none: return .null
        }
    }
    public static func fromCql(_ value: CqlValue) -> Wrapped?? {
        if case .null = value { return .some(nil) }
        return Wrapped.fromCql(value).map { .some($0) }
    }
}

extension CqlValue: CqlConvertible {
    public var cqlValue: CqlValue { self }
    public static func fromCql(_ value: CqlValue) -> CqlValue? { value }
}
