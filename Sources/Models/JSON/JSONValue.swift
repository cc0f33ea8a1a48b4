/// A JSON document that keeps what a round trip needs: object key order and each number's
/// literal text (so `1e-06` or `1000000.0` are written back exactly as read). Used for
/// safetensors headers, shard indexes and `config.json` (whose unknown keys must survive a save).
public enum JSONValue: Equatable {
    case null
    case bool(Bool)
    /// A number, stored as its JSON literal.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// A number value from an integer.
    public static func int(_ v: Int) -> JSONValue { .number(String(v)) }
    /// A number value from a double (shortest round-tripping text, always with a `.` or exponent).
    public static func double(_ v: Double) -> JSONValue {
        var s = "\(v)"
        if !s.contains(".") && !s.contains("e") && !s.contains("n") && !s.contains("i") { s += ".0" }
        return .number(s)
    }

    /// The integer value of a number written without fraction or exponent; nil otherwise.
    public var intValue: Int? {
        guard case let .number(text) = self else { return nil }
        return Int(text)
    }

    /// The value of any number as a `Double`; nil for other values.
    public var doubleValue: Double? {
        guard case let .number(text) = self else { return nil }
        return Double(text)
    }

    public var stringValue: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case let .bool(b) = self { return b }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case let .array(a) = self { return a }
        return nil
    }

    public var objectValue: JSONObject? {
        if case let .object(o) = self { return o }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// A short name of the value's JSON type, for error messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// A JSON object with its keys in document order. Lookup is linear, which is fine for the small
/// objects this module handles; safetensors headers are indexed once into a dictionary.
public struct JSONObject: Equatable {
    public var entries: [(key: String, value: JSONValue)]

    public init(_ entries: [(key: String, value: JSONValue)] = []) { self.entries = entries }

    public var keys: [String] { entries.map(\.key) }

    /// The value for `key` (the last one if the document repeats it, as Python's `json` does).
    /// Setting replaces the value in place, appends a new key, or removes the key when set to nil.
    public subscript(key: String) -> JSONValue? {
        get { entries.last(where: { $0.key == key })?.value }
        set {
            if let i = entries.lastIndex(where: { $0.key == key }) {
                if let v = newValue { entries[i].value = v } else { entries.removeAll { $0.key == key } }
            } else if let v = newValue {
                entries.append((key, v))
            }
        }
    }

    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        a.entries.count == b.entries.count
            && zip(a.entries, b.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}
