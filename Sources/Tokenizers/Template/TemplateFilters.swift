import Foundation

extension TemplateBuiltins {
    static func kwarg(_ kwargs: [(String, TemplateValue)], _ name: String) -> TemplateValue? {
        kwargs.first { $0.0 == name }?.1
    }

    /// Jinja2 filters used by chat templates (`jinja2/filters.py`), with transformers' `tojson`.
    static func filter(_ name: String, _ value: TemplateValue, _ args: [TemplateValue], _ kwargs: [(String, TemplateValue)],
                       _ r: TemplateRenderer, _ pos: SourcePos) throws -> TemplateValue {
        func arg(_ i: Int, _ key: String) -> TemplateValue? { i < args.count ? args[i] : kwarg(kwargs, key) }
        func strArg(_ i: Int, _ key: String) -> String? { if case let .string(s)? = arg(i, key) { return s } else { return nil } }
        switch name {
        case "trim", "strip":
            return .string(PythonString.strip(value.pythonStr, strArg(0, "chars"), left: true, right: true))
        case "length", "count":
            switch value {
            case let .string(s): return .int(s.unicodeScalars.count)
            case let .array(a): return .int(a.count)
            case let .dict(d): return .int(d.count)
            case .undefined: return .int(0)
            default: throw TemplateRenderer.fail("object of type '\(value.typeName)' has no len()", pos)
            }
        case "tojson":
            var indent: Int? = nil
            if case let .int(i)? = arg(0, "indent") { indent = max(0, i); try r.limits.checkIndent(i, pos) }
            let sortKeys = arg(3, "sort_keys")?.truthy ?? false
            if value.isUndefined { throw TemplateRenderer.fail("tojson: the value is undefined", pos) }
            try r.checkValueDepth(value)
            return .string(value.json(indent: indent, sortKeys: sortKeys))
        case "default", "d":
            let fallback = arg(0, "default_value") ?? .string("")
            let boolean = arg(1, "boolean")?.truthy ?? false
            if value.isUndefined || (boolean && !value.truthy) { return fallback }
            return value
        case "first":
            return try r.iterate(value, pos).first ?? .undefined
        case "last":
            return try r.iterate(value, pos).last ?? .undefined
        case "join":
            let sep = strArg(0, "d") ?? ""
            var items = try r.iterate(value, pos)
            if case let .string(attr)? = arg(1, "attribute") { items = try items.map { try r.attribute($0, attr, pos) } }
            if let m = r.limits.checkJoin(items, separator: sep) { throw TokenizerError.templateLimit(message: m, line: pos.line, column: pos.column) }
            return .string(items.map { $0.pythonStr }.joined(separator: sep))
        case "string":
            return .string(value.pythonStr)
        case "upper": return .string(value.pythonStr.uppercased())
        case "lower": return .string(value.pythonStr.lowercased())
        case "capitalize": return .string(PythonString.capitalize(value.pythonStr))
        case "title": return .string(PythonString.title(value.pythonStr))
        case "list": return .array(try r.iterate(value, pos))
        case "items":
            guard case let .dict(d) = value else {
                if value.isUndefined { return .array([]) }
                throw TemplateRenderer.fail("items: expected a mapping, got '\(value.typeName)'", pos)
            }
            return .array(d.keys.map { .array([.string($0), d[$0]!]) })
        case "replace":
            guard let old = strArg(0, "old"), let new = strArg(1, "new") else {
                throw TemplateRenderer.fail("replace: expects two strings", pos)
            }
            var count = -1
            if case let .int(c)? = arg(2, "count") { count = c }
            if let m = r.limits.checkReplace(value.pythonStr, old, new) { throw TokenizerError.templateLimit(message: m, line: pos.line, column: pos.column) }
            return .string(PythonString.replace(value.pythonStr, old, new, count: count))
        case "safe":
            return value
        case "int":
            switch value {
            case let .int(i): return .int(i)
            case let .double(d): return .int(abs(d) < 9.0e18 ? Int(d) : 0)
            case let .bool(b): return .int(b ? 1 : 0)
            case let .string(s):
                if let i = Int(s.trimmingCharacters(in: .whitespaces)) { return .int(i) }
                let d = Double(s.trimmingCharacters(in: .whitespaces)) ?? 0
                return .int(abs(d) < 9.0e18 ? Int(d) : 0)
            default: return .int(0)
            }
        case "float":
            return .double(value.number ?? Double(value.pythonStr) ?? 0)
        case "abs":
            switch value {
            case let .int(i): return .int(i == Int.min ? i : abs(i))
            case let .double(d): return .double(abs(d))
            default: throw TemplateRenderer.fail("abs: bad operand '\(value.typeName)'", pos)
            }
        case "reverse":
            if case let .string(s) = value { return .string(PythonString.string(s.unicodeScalars.reversed())) }
            return .array(try r.iterate(value, pos).reversed())
        case "unique":
            var seen = [TemplateValue]()
            for v in try r.iterate(value, pos) where !seen.contains(where: { TemplateValue.equal($0, v) }) { seen.append(v) }
            return .array(seen)
        case "select", "reject":
            guard case let .string(test)? = args.first else { return .array(try r.iterate(value, pos).filter { ($0.truthy) == (name == "select") }) }
            let rest = Array(args.dropFirst())
            return .array(try r.iterate(value, pos).filter { try test_(test, $0, rest, r, pos) == (name == "select") })
        case "selectattr", "rejectattr":
            guard case let .string(attr)? = args.first else { throw TemplateRenderer.fail("\(name): expects an attribute name", pos) }
            let rest = Array(args.dropFirst(2))
            return .array(try r.iterate(value, pos).filter { item in
                let v = try r.attribute(item, attr, pos)
                let ok: Bool
                if args.count > 1, case let .string(test) = args[1] { ok = try test_(test, v, rest, r, pos) } else { ok = v.truthy }
                return ok == (name == "selectattr")
            })
        case "map":
            if case let .string(attr)? = kwarg(kwargs, "attribute") {
                return .array(try r.iterate(value, pos).map { try r.attribute($0, attr, pos) })
            }
            guard case let .string(f)? = args.first else { throw TemplateRenderer.fail("map: expects a filter name or attribute=", pos) }
            return .array(try r.iterate(value, pos).map { try filter(f, $0, Array(args.dropFirst()), [], r, pos) })
        case "sum":
            var total = TemplateValue.int(0)
            for v in try r.iterate(value, pos) { total = try TemplateOperators.binary("+", total, v, pos) }
            return total
        case "indent":
            var width = 4
            if case let .int(w)? = arg(0, "width") { width = max(0, w); try r.limits.checkIndent(w, pos) }
            let first = arg(1, "first")?.truthy ?? false
            let pad = String(repeating: " ", count: width)
            let lines = PythonString.split(value.pythonStr, "\n")
            return .string(lines.enumerated().map { i, l in (i == 0 && !first) || l.isEmpty ? l : pad + l }.joined(separator: "\n"))
        default:
            throw TemplateRenderer.fail("unsupported filter '\(name)'", pos)
        }
    }

    private static func test_(_ name: String, _ value: TemplateValue, _ args: [TemplateValue], _ r: TemplateRenderer,
                              _ pos: SourcePos) throws -> Bool {
        try test(name, value, args, r, pos)
    }

    /// Jinja2 tests (`jinja2/tests.py`).
    static func test(_ name: String, _ value: TemplateValue, _ args: [TemplateValue], _ r: TemplateRenderer,
                     _ pos: SourcePos) throws -> Bool {
        let other = args.first ?? .undefined
        switch name {
        case "defined": return !value.isUndefined
        case "undefined": return value.isUndefined
        case "none": if case .none = value { return true } else { return false }
        case "boolean": if case .bool = value { return true } else { return false }
        case "true": if case .bool(true) = value { return true } else { return false }
        case "false": if case .bool(false) = value { return true } else { return false }
        case "integer": if case .int = value { return true } else { return false }
        case "float": if case .double = value { return true } else { return false }
        case "number":
            switch value { case .int, .double, .bool: return true; default: return false }
        case "string": if case .string = value { return true } else { return false }
        case "mapping":
            switch value { case .dict, .namespace: return true; default: return false }
        case "iterable", "sequence":
            switch value {
            case .array, .dict, .string: return true
            case .undefined: return name == "iterable"  // Jinja's Undefined is iterable (empty)
            default: return false
            }
        case "callable": if case .function = value { return true } else { return false }
        case "sameas":
            switch (value, other) {
            case (.none, .none): return true
            case let (.bool(a), .bool(b)): return a == b
            default: return false
            }
        case "equalto", "eq", "==": return TemplateValue.equal(value, other)
        case "ne", "!=": return !TemplateValue.equal(value, other)
        case "lt", "<", "le", "<=", "gt", ">", "ge", ">=":
            let op = ["lt": "<", "le": "<=", "gt": ">", "ge": ">="][name] ?? name
            return try TemplateOperators.binary(op, value, other, pos).truthy
        case "in": return try TemplateOperators.binary("in", value, other, pos).truthy
        case "odd", "even", "divisibleby":
            guard case let .int(i) = value else { return false }
            if name == "odd" { return i % 2 != 0 }
            if name == "even" { return i % 2 == 0 }
            guard case let .int(d) = other, d != 0 else { return false }
            return i % d == 0
        case "lower": return value.pythonStr == value.pythonStr.lowercased()
        case "upper": return value.pythonStr == value.pythonStr.uppercased()
        default:
            throw TemplateRenderer.fail("unsupported test '\(name)'", pos)
        }
    }
}
