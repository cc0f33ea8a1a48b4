/// `Codable` bridging, for open-ended JSON inside `Codable` records (an evaluation file's
/// `meta_info`, judge labels). Numbers decode as an integer when the decoder gives one, else as a
/// double; they encode as an integer when their literal is one, else as a double. Object key order
/// is whatever the coder provides (`JSONEncoder` with `.sortedKeys` sorts them).
extension JSONValue: Codable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: Key.self) {
            var obj = JSONObject()
            for k in keyed.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
                obj.entries.append((k.stringValue, try keyed.decode(JSONValue.self, forKey: k)))
            }
            self = .object(obj)
            return
        }
        if var list = try? decoder.unkeyedContainer() {
            var items: [JSONValue] = []
            while !list.isAtEnd { items.append(try list.decode(JSONValue.self)) }
            self = .array(items)
            return
        }
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else { self = .string(try c.decode(String.self)) }
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case let .object(obj):
            var c = encoder.container(keyedBy: Key.self)
            for e in obj.entries { try c.encode(e.value, forKey: Key(stringValue: e.key)) }
        case let .array(items):
            var c = encoder.unkeyedContainer()
            for item in items { try c.encode(item) }
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case let .bool(b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case let .string(s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case let .number(text):
            var c = encoder.singleValueContainer()
            if let i = Int(text) { try c.encode(i) } else { try c.encode(Double(text) ?? .nan) }
        }
    }
}
