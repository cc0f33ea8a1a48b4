import Foundation
import Support

/// A value seen by a chat template, with Python/Jinja2 semantics (truthiness, `str()`, equality,
/// `json.dumps`). Dictionaries keep insertion order, as Python's do.
public indirect enum TemplateValue {
    case undefined
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([TemplateValue])
    case dict(TemplateDict)
    case namespace(TemplateNamespace)
    case function(TemplateFunction)

    /// Python truthiness (Undefined is false).
    var truthy: Bool {
        switch self {
        case .undefined, .none: return false
        case let .bool(b): return b
        case let .int(i): return i != 0
        case let .double(d): return d != 0
        case let .string(s): return !s.isEmpty
        case let .array(a): return !a.isEmpty
        case let .dict(d): return !d.isEmpty
        case .namespace, .function: return true
        }
    }

    var isUndefined: Bool { if case .undefined = self { return true } else { return false } }

    /// Python `str()` (what `{{ value }}` prints; Undefined prints nothing).
    var pythonStr: String {
        switch self {
        case .undefined: return ""
        case let .string(s): return s
        default: return pythonRepr
        }
    }

    /// Python `repr()`.
    var pythonRepr: String {
        switch self {
        case .undefined: return ""
        case .none: return "None"
        case let .bool(b): return b ? "True" : "False"
        case let .int(i): return String(i)
        case let .double(d): return TemplateValue.pythonFloat(d)
        case let .string(s): return TemplateValue.pythonQuote(s)
        case let .array(a): return "[" + a.map { $0.pythonRepr }.joined(separator: ", ") + "]"
        case let .dict(d): return "{" + d.keys.map { "\(TemplateValue.pythonQuote($0)): \(d[$0]!.pythonRepr)" }.joined(separator: ", ") + "}"
        case let .namespace(n): return "<Namespace \(n.values.keys.joined(separator: ", "))>"
        case let .function(f): return "<function \(f.name)>"
        }
    }

    static func pythonFloat(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d > 0 ? "inf" : "-inf" }
        if d == d.rounded() && abs(d) < 1e16 { return String(format: "%.1f", d) }
        var s = "\(d)"  // Swift prints the shortest round-trip form, like Python's repr
        if s.contains("e") && !s.contains("e-") { s = s.replacingOccurrences(of: "e", with: "e+") }
        return s
    }

    static func pythonQuote(_ s: String) -> String {
        let quote: Character = s.contains("'") && !s.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for u in s.unicodeScalars {
            switch u {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Character(u) == quote { out += "\\\(quote)" } else if u.value < 0x20 || u.value == 0x7F {
                    out += String(format: "\\x%02x", u.value)
                } else { out.unicodeScalars.append(u) }
            }
        }
        out.append(quote)
        return out
    }

    /// Python equality (1 == 1.0 == True).
    static func equal(_ a: TemplateValue, _ b: TemplateValue) -> Bool {
        switch (a, b) {
        case (.undefined, .undefined), (.none, .none): return true
        case let (.string(x), .string(y)): return x.unicodeScalars.elementsEqual(y.unicodeScalars)
        case let (.array(x), .array(y)): return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case let (.dict(x), .dict(y)):
            return x.count == y.count && x.keys.allSatisfy { k in y[k].map { equal(x[k]!, $0) } ?? false }
        case let (.namespace(x), .namespace(y)): return x === y
        default:
            if let x = a.number, let y = b.number { return x == y }
            return false
        }
    }

    /// Numeric value of bool/int/double.
    var number: Double? {
        switch self {
        case let .bool(b): return b ? 1 : 0
        case let .int(i): return Double(i)
        case let .double(d): return d
        default: return nil
        }
    }

    var typeName: String {
        switch self {
        case .undefined: return "Undefined"
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .array: return "list"
        case .dict: return "dict"
        case .namespace: return "Namespace"
        case .function: return "function"
        }
    }

    /// How deeply lists, dicts and namespaces nest inside this value (a scalar is 0), counted no
    /// further than `limit + 1` (so a cyclic namespace or a huge value costs at most that much).
    func nestingDepth(limit: Int) -> Int {
        guard limit >= 0 else { return 1 }
        var deepest = 0
        switch self {
        case let .array(items): for v in items { deepest = max(deepest, v.nestingDepth(limit: limit - 1)); if deepest >= limit { break } }
        case let .dict(d): for k in d.keys { deepest = max(deepest, d[k]!.nestingDepth(limit: limit - 1)); if deepest >= limit { break } }
        case let .namespace(n): for k in n.values.keys { deepest = max(deepest, n.values[k]!.nestingDepth(limit: limit - 1)); if deepest >= limit { break } }
        default: return 0
        }
        return deepest + 1
    }

    /// Python `json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=sortKeys)` (transformers' `tojson`).
    func json(indent: Int?, sortKeys: Bool = false, level: Int = 0) -> String {
        let itemSep = indent == nil ? ", " : ","
        func newline(_ l: Int) -> String { indent.map { "\n" + String(repeating: " ", count: $0 * l) } ?? "" }
        switch self {
        case .undefined, .none: return "null"
        case let .bool(b): return b ? "true" : "false"
        case let .int(i): return String(i)
        case let .double(d):
            if d.isNaN { return "NaN" }
            if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
            return TemplateValue.pythonFloat(d)
        case let .string(s): return TemplateValue.jsonQuote(s)
        case let .array(a):
            if a.isEmpty { return "[]" }
            return "[" + newline(level + 1) + a.map { $0.json(indent: indent, sortKeys: sortKeys, level: level + 1) }
                .joined(separator: itemSep + newline(level + 1)) + newline(level) + "]"
        case let .dict(d):
            if d.isEmpty { return "{}" }
            let keys = sortKeys ? d.keys.sorted() : d.keys
            return "{" + newline(level + 1) + keys.map {
                TemplateValue.jsonQuote($0) + ": " + d[$0]!.json(indent: indent, sortKeys: sortKeys, level: level + 1)
            }.joined(separator: itemSep + newline(level + 1)) + newline(level) + "}"
        case let .namespace(n): return TemplateValue.dict(n.values).json(indent: indent, sortKeys: sortKeys, level: level)
        case .function: return "null"
        }
    }

    /// A Python `json.dumps(..., ensure_ascii=False)` string literal: Support's writer escapes the same way.
    static func jsonQuote(_ s: String) -> String { JSONWriter.quoted(s) }
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: TemplateValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .none }
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        var d = TemplateDict()
        for (k, v) in elements { d[k] = v }
        self = .dict(d)
    }
}

/// An insertion-ordered string-keyed dictionary (Python `dict`).
public struct TemplateDict {
    public private(set) var keys: [String] = []
    private var storage: [String: TemplateValue] = [:]

    public init() {}
    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    public subscript(key: String) -> TemplateValue? {
        get { storage[key] }
        set {
            if let v = newValue {
                if storage.updateValue(v, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }
}

/// Jinja's `namespace()`: a mutable attribute bag that `{% set ns.x = … %}` writes through scopes.
public final class TemplateNamespace {
    var values = TemplateDict()
    init(_ values: TemplateDict) { self.values = values }
}

/// A callable value: a global (`raise_exception`, `namespace`), a bound method or a macro.
public final class TemplateFunction {
    let name: String
    let call: ([TemplateValue], [(String, TemplateValue)]) throws -> TemplateValue
    init(_ name: String, _ call: @escaping ([TemplateValue], [(String, TemplateValue)]) throws -> TemplateValue) {
        self.name = name
        self.call = call
    }
}
