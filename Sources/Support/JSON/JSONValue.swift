/// The package's one JSON value. It keeps what a round trip needs: object key order and each
/// number's literal text (so `1e-06` or `1000000.0` are written back exactly as read, and integers
/// of any size survive). Read with ``JSONParser``, write with ``JSONWriter``; it is also `Codable`
/// for the places that embed open-ended JSON in a `Codable` record.
///
/// Equality compares number literals as text (`1.0 != 1`); ``sameValue(as:)`` compares by value.
public enum JSONValue: Equatable, Sendable {
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

    /// The member `key` of an object value; nil for a missing key or a non-object.
    public subscript(key: String) -> JSONValue? { objectValue?[key] }

    /// Equality that treats numbers by value (`1.0` matches `1`, `1e3` matches `1000`), recursively;
    /// object members are matched by key, ignoring order.
    public func sameValue(as other: JSONValue) -> Bool {
        switch (self, other) {
        case let (.number(a), .number(b)): return a == b || (Double(a).map { $0 == Double(b) } ?? false)
        case let (.array(a), .array(b)): return a.count == b.count && zip(a, b).allSatisfy { $0.sameValue(as: $1) }
        case let (.object(a), .object(b)):
            return a.count == b.count && a.entries.allSatisfy { e in b[e.key].map { e.value.sameValue(as: $0) } ?? false }
        default: return self == other
        }
    }

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
/// objects the package handles; large ones (safetensors headers, a tokenizer's vocabulary) are
/// iterated once through ``entries`` or indexed into a dictionary by their reader.
public struct JSONObject: Equatable, Sendable, ExpressibleByDictionaryLiteral {
    public var entries: [(key: String, value: JSONValue)]

    public init(_ entries: [(key: String, value: JSONValue)] = []) { self.entries = entries }

    /// An object from a dictionary, keys sorted (a Swift dictionary has no order to keep).
    public init(_ dictionary: [String: JSONValue]) {
        entries = dictionary.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) { entries = elements.map { ($0.0, $0.1) } }

    public var keys: [String] { entries.map(\.key) }
    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    /// The members as a dictionary (the last value wins for a repeated key).
    public var dictionary: [String: JSONValue] {
        Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

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

/// Literals, so documents can be written inline: `let v: JSONValue = ["model": "m", "n": 2, "ok": true]`.
extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements.map { ($0.0, $0.1) })) }
}
