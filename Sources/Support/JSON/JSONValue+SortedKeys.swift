import Foundation

/// Key order and number text as Foundation's `JSONSerialization` writes them, for the outputs that
/// earlier releases wrote through it (annotator lines, `safekey encode`/`loss` lines): using these,
/// a file written by ``JSONWriter`` is byte-identical to the one `JSONSerialization` wrote with
/// `[.sortedKeys, .withoutEscapingSlashes]`.
///
///     let line = JSONWriter.compact(JSONValue.object(["b": 1, "a": .foundationNumber(0.5)]).sortingKeys())
///     // {"a":0.5,"b":1}
extension JSONValue {
    /// A copy in which every object, at every depth, has its members ordered by
    /// ``JSONObject/foundationKeyOrder(_:_:)`` (arrays keep their order). A key repeated in an
    /// object is kept once, with its last value (as a Swift dictionary, and so `JSONSerialization`, keeps it).
    public func sortingKeys() -> JSONValue {
        switch self {
        case let .array(items): return .array(items.map { $0.sortingKeys() })
        case let .object(obj):
            let sorted = obj.dictionary.sorted { JSONObject.foundationKeyOrder($0.key, $1.key) }
            return .object(JSONObject(sorted.map { ($0.key, $0.value.sortingKeys()) }))
        default: return self
        }
    }

    /// A number written as `JSONSerialization` writes a `Double`: Swift's shortest round-trip text
    /// with a trailing `.0` dropped (`1.0` → `1`, `0.25` → `0.25`, `1e-07` stays). Unlike
    /// ``double(_:)``, whose text always reads back as a floating-point number.
    public static func foundationNumber(_ v: Double) -> JSONValue {
        var s = "\(v)"
        if s.hasSuffix(".0") { s.removeLast(2) }
        return .number(s)
    }
}

extension JSONObject {
    /// The order of `JSONSerialization`'s `.sortedKeys`: numeric, case-insensitive comparison with
    /// ties broken by code point (`"_x" < "1" < "2" < "10" < "a" < "A" < "a9" < "a10" < "b"`).
    /// Sorting a key set by it is deterministic (it does not read the user's locale).
    public static func foundationKeyOrder(_ a: String, _ b: String) -> Bool {
        a.compare(b, options: [.numeric, .caseInsensitive, .forcedOrdering], range: a.startIndex..<a.endIndex,
                  locale: NSLocale.system) == .orderedAscending
    }
}
