import Foundation

/// Binary operators with Python semantics (`+` on numbers, strings and lists; `~` concatenates
/// `str()` of both sides; comparisons; `in`), raising Python's TypeErrors as render errors.
enum TemplateOperators {
    static func binary(_ op: String, _ a: TemplateValue, _ b: TemplateValue, _ pos: SourcePos) throws -> TemplateValue {
        func typeError() -> TokenizerError {
            if a.isUndefined || b.isUndefined {
                return TemplateRenderer.fail("an operand of '\(op)' is undefined (a missing variable, key or attribute)", pos)
            }
            return TemplateRenderer.fail("unsupported operand types for \(op): '\(a.typeName)' and '\(b.typeName)'", pos)
        }
        switch op {
        case "~":
            return .string(a.pythonStr + b.pythonStr)
        case "==": return .bool(TemplateValue.equal(a, b))
        case "!=": return .bool(!TemplateValue.equal(a, b))
        case "in":
            switch b {
            case let .string(s):
                guard case let .string(needle) = a else { throw typeError() }
                return .bool(PythonString.contains(s, needle))
            case let .array(items): return .bool(items.contains { TemplateValue.equal($0, a) })
            case let .dict(d):
                guard case let .string(k) = a else { return .bool(false) }
                return .bool(d[k] != nil)
            case let .namespace(n):
                guard case let .string(k) = a else { return .bool(false) }
                return .bool(n.values[k] != nil)
            case .undefined: return .bool(false)
            default: throw TemplateRenderer.fail("argument of type '\(b.typeName)' is not iterable", pos)
            }
        case "<", ">", "<=", ">=":
            let less: Bool, equal: Bool
            if case let .string(x) = a, case let .string(y) = b {
                less = PythonString.less(x, y)
                equal = TemplateValue.equal(a, b)
            } else if let x = a.number, let y = b.number {
                less = x < y
                equal = x == y
            } else {
                throw TemplateRenderer.fail("'\(op)' not supported between '\(a.typeName)' and '\(b.typeName)'", pos)
            }
            switch op {
            case "<": return .bool(less)
            case ">": return .bool(!less && !equal)
            case "<=": return .bool(less || equal)
            default: return .bool(!less)
            }
        case "+":
            switch (a, b) {
            case let (.string(x), .string(y)): return .string(x + y)
            case let (.array(x), .array(y)): return .array(x + y)
            default: return try arithmetic(op, a, b, pos, typeError)
            }
        case "*":
            switch (a, b) {
            case let (.string(s), .int(n)), let (.int(n), .string(s)): return .string(String(repeating: s, count: max(0, n)))
            case let (.array(x), .int(n)), let (.int(n), .array(x)):
                return .array(Array((0..<max(0, n)).map { _ in x }.joined()))
            default: return try arithmetic(op, a, b, pos, typeError)
            }
        default:
            return try arithmetic(op, a, b, pos, typeError)
        }
    }

    private static func arithmetic(_ op: String, _ a: TemplateValue, _ b: TemplateValue, _ pos: SourcePos,
                                   _ typeError: () -> TokenizerError) throws -> TemplateValue {
        let bothInts: (Int, Int)?
        switch (a, b) {
        case let (.int(x), .int(y)): bothInts = (x, y)
        case let (.bool(x), .int(y)): bothInts = (x ? 1 : 0, y)
        case let (.int(x), .bool(y)): bothInts = (x, y ? 1 : 0)
        case let (.bool(x), .bool(y)): bothInts = (x ? 1 : 0, y ? 1 : 0)
        default: bothInts = nil
        }
        guard let x = a.number, let y = b.number else { throw typeError() }
        if let (i, j) = bothInts {
            switch op {
            case "+": return .int(i &+ j)
            case "-": return .int(i &- j)
            case "*": return .int(i &* j)
            case "//", "%":
                guard j != 0 else { throw TemplateRenderer.fail("integer division or modulo by zero", pos) }
                let (quotient, overflow) = i.dividedReportingOverflow(by: j)
                guard !overflow else { throw TemplateRenderer.fail("integer overflow in '\(op)'", pos) }
                // Python floors toward negative infinity.
                let q = (i % j != 0 && (i < 0) != (j < 0)) ? quotient - 1 : quotient
                return op == "//" ? .int(q) : .int(i &- q &* j)
            case "**":
                let p = pow(Double(i), Double(j))
                if j >= 0 && abs(p) < 9.0e18 { return .int(Int(p)) }
                if j >= 0 { throw TemplateRenderer.fail("integer overflow in '**'", pos) }
                return .double(p)
            default: break
            }
        }
        switch op {
        case "+": return .double(x + y)
        case "-": return .double(x - y)
        case "*": return .double(x * y)
        case "/":
            guard y != 0 else { throw TemplateRenderer.fail("division by zero", pos) }
            return .double(x / y)
        case "//":
            guard y != 0 else { throw TemplateRenderer.fail("float floor division by zero", pos) }
            return .double((x / y).rounded(.down))
        case "%":
            guard y != 0 else { throw TemplateRenderer.fail("float modulo by zero", pos) }
            return .double(x - (x / y).rounded(.down) * y)
        case "**": return .double(pow(x, y))
        default: throw TemplateRenderer.fail("unknown operator '\(op)'", pos)
        }
    }
}
