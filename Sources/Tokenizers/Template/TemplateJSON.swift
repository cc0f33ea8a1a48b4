import Foundation
import Support

extension TemplateValue {
    /// Parses JSON text into a template value, keeping object key order (as Python's `json.load`
    /// does — `tojson` output depends on it). `source` names the text in error messages (e.g. the
    /// file path); a syntax error is ``TokenizerError/invalidJSON(source:offset:reason:)`` at a byte offset.
    public init(jsonText: String, source: String = "JSON") throws {
        do { self.init(json: try JSONParser.parse(jsonText, path: source)) } catch let e as JSONError {
            throw TokenizerError.invalidJSON(source: e.path, offset: e.offset, reason: e.detail)
        }
    }

    /// A JSON value as a template value: objects keep their key order; integers that fit `Int`
    /// stay integers, other numbers become doubles.
    public init(json: JSONValue) {
        switch json {
        case .null: self = .none
        case let .bool(b): self = .bool(b)
        case let .number(text): self = Int(text).map { .int($0) } ?? .double(Double(text) ?? .nan)
        case let .string(s): self = .string(s)
        case let .array(items): self = .array(items.map { TemplateValue(json: $0) })
        case let .object(o):
            var d = TemplateDict()
            for e in o.entries { d[e.key] = TemplateValue(json: e.value) }
            self = .dict(d)
        }
    }
}
