import SafeKey
import Support

// The JSON the commands print, built with Support's one JSON value (``JSONValue``) and writer —
// never `[String: Any]` and `JSONSerialization`, whose key order, number text and escaping differ.

/// One JSON object on one line: keys in the order given, numbers as their literal text, slashes
/// and non-ASCII text unescaped (``JSONWriter/compact(_:)``).
func jsonLine(_ object: JSONObject) -> String {
    JSONWriter.compact(.object(object))
}

/// A JSON number, or null for NaN/infinity (e.g. an AUC with one class in the held-out scores).
func jsonNumber(_ v: Double) -> JSONValue { v.isFinite ? .double(v) : .null }

/// `{"mean", "low", "high", "n"}` of a ``MeanInterval``.
func jsonInterval(_ m: MeanInterval) -> JSONValue {
    ["mean": jsonNumber(m.mean), "low": jsonNumber(m.low), "high": jsonNumber(m.high), "n": .int(m.count)]
}

extension JSONValue {
    /// A JSON array of integers (token ids, masks).
    static func ints(_ values: [Int]) -> JSONValue { .array(values.map(JSONValue.int)) }
}
