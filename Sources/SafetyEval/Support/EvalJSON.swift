import Foundation
// SafetyEval re-exports Support, so `import SafetyEval` keeps giving JSONValue, AtomicFile and
// SplitMix64 to the code and tests that used SafetyEval's former copies.
@_exported import Support

/// Any JSON value in an evaluation file (`meta_info`, judge labels): Support's ``JSONValue``.
/// Build values with `.int(_:)`, `.double(_:)`, `.string(_:)`, `.bool(_:)`, `.array(_:)` and
/// `.object([...])`; compare numbers by value with ``JSONValue/sameValue(as:)``.
public typealias EvalJSON = JSONValue

extension JSONValue {
    /// Strings of an array value (non-strings skipped); a lone string becomes a one-element list.
    public var stringList: [String] {
        switch self {
        case let .string(s): return [s]
        case let .array(a): return a.compactMap(\.stringValue)
        default: return []
        }
    }
}

extension AtomicFile {
    /// JSON encoder used for every file SafetyEval writes: pretty, sorted keys, unescaped slashes.
    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return e
    }
}
