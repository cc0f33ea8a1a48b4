import Foundation

/// Any JSON value, for the open-ended parts of the reference's files (`meta_info`, judge labels).
/// Integers stay integers on a round trip.
public enum EvalJSON: Codable, Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([EvalJSON])
    case object([String: EvalJSON])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([EvalJSON].self) { self = .array(a) }
        else { self = .object(try c.decode([String: EvalJSON].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case let .bool(b): try c.encode(b)
        case let .int(i): try c.encode(i)
        case let .double(d): try c.encode(d)
        case let .string(s): try c.encode(s)
        case let .array(a): try c.encode(a)
        case let .object(o): try c.encode(o)
        }
    }

    /// Equality that treats numbers by value, so `.double(1.0)` matches the `.int(1)` it reads
    /// back as after a JSON round trip (JSON has one number type).
    public func sameValue(as other: EvalJSON) -> Bool {
        switch (self, other) {
        case (.int, .double), (.double, .int), (.double, .double): return doubleValue == other.doubleValue
        case let (.array(a), .array(b)): return a.count == b.count && zip(a, b).allSatisfy { $0.sameValue(as: $1) }
        case let (.object(a), .object(b)):
            return a.count == b.count && a.allSatisfy { k, v in b[k].map { v.sameValue(as: $0) } ?? false }
        default: return self == other
        }
    }

    public var stringValue: String? { if case let .string(s) = self { return s }; return nil }
    public var intValue: Int? {
        switch self {
        case let .int(i): return i
        case let .double(d) where d.rounded() == d && abs(d) < 1e15: return Int(d)
        default: return nil
        }
    }
    public var doubleValue: Double? {
        switch self {
        case let .int(i): return Double(i)
        case let .double(d): return d
        default: return nil
        }
    }
    public var boolValue: Bool? { if case let .bool(b) = self { return b }; return nil }
    public var arrayValue: [EvalJSON]? { if case let .array(a) = self { return a }; return nil }
    public var objectValue: [String: EvalJSON]? { if case let .object(o) = self { return o }; return nil }
    public var isNull: Bool { self == .null }

    /// Strings of an array value (non-strings skipped); a lone string becomes a one-element list.
    public var stringList: [String] {
        switch self {
        case let .string(s): return [s]
        case let .array(a): return a.compactMap(\.stringValue)
        default: return []
        }
    }
}

/// Writes files atomically: the bytes go to a temporary file in the same folder, which is then
/// renamed over the target, so a reader never sees a half-written file.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try data.write(to: url, options: .atomic)
        } catch {
            throw SafetyEvalError.writeFailed(path: path, reason: error.localizedDescription)
        }
    }

    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    /// JSON encoder used for every file SafetyEval writes: pretty, sorted keys, unescaped slashes.
    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return e
    }
}
