import Foundation

/// Evaluates a parsed template against a context, with Jinja2 semantics: `for` iterations and
/// macros open a scope (so `set` inside a loop does not leak; `namespace()` attributes do),
/// Undefined prints as nothing and is falsy, but reading an attribute of it is an error.
final class TemplateRenderer {
    enum Flow { case normal, breakLoop, continueLoop }

    var scopes: [[String: TemplateValue]]
    /// R1 "keep thinking": `str.split('</think>')` returns the string unsplit (see `ChatTemplate`).
    let keepThinking: Bool

    /// Sandbox bounds (`TemplateLimits`) and the counters they bound.
    let limits: TemplateLimits
    private var depth = 0, iterations = 0, callDepth = 0
    /// The last template position evaluated (for errors about output size).
    private var lastPos = SourcePos(line: 1, column: 1)

    init(context: [String: TemplateValue], keepThinking: Bool, limits: TemplateLimits = .standard) {
        self.keepThinking = keepThinking
        self.limits = limits
        scopes = [TemplateBuiltins.globals(), context]
    }

    func lookup(_ name: String) -> TemplateValue {
        for scope in scopes.reversed() { if let v = scope[name] { return v } }
        return .undefined
    }

    func assign(_ name: String, _ value: TemplateValue) { scopes[scopes.count - 1][name] = value }

    static func fail(_ message: String, _ pos: SourcePos) -> TokenizerError {
        .templateRender(message: message, line: pos.line, column: pos.column)
    }

    // MARK: Statements

    /// One level deeper in rendering or evaluation (`TemplateLimits.maxNestingDepth` bounds the
    /// evaluator's recursion as it does the parser's, so nested macros cannot overflow the stack).
    private func enter(_ pos: SourcePos?) throws {
        depth += 1
        if let pos { lastPos = pos }
        if depth > 2 * limits.maxNestingDepth {
            throw limits.exceeded("evaluation nesting depth", 2 * limits.maxNestingDepth, "maxNestingDepth (× 2 while rendering)", pos ?? lastPos)
        }
    }

    private func checkOutput(_ out: String) throws {
        if out.utf8.count > limits.maxOutputBytes {
            throw limits.exceeded("the rendered output (\(out.utf8.count) bytes)", limits.maxOutputBytes, "maxOutputBytes", lastPos)
        }
    }

    func render(_ nodes: [Node], into out: inout String) throws -> Flow {
        try enter(nil)
        defer { depth -= 1 }
        for node in nodes {
            switch node {
            case let .text(s): out += s; try checkOutput(out)
            case let .output(e): out += try eval(e).pythonStr; try checkOutput(out)
            case let .ifBlock(branches, otherwise):
                var taken = false
                for (condition, body) in branches where try eval(condition).truthy {
                    taken = true
                    let flow = try render(body, into: &out)
                    if flow != .normal { return flow }
                    break
                }
                if !taken {
                    let flow = try render(otherwise, into: &out)
                    if flow != .normal { return flow }
                }
            case let .forLoop(targets, iterable, filter, body, otherwise, pos):
                lastPos = pos
                try renderFor(targets, iterable, filter, body, otherwise, pos, &out)
            case let .set(target, value, pos):
                lastPos = pos
                try store(target, try eval(value), pos)
            case let .setBlock(target, body, pos):
                var captured = ""
                _ = try render(body, into: &captured)
                try limits.checkSize(.string(captured), pos)
                try store(target, .string(captured), pos)
            case let .macro(name, params, body):
                assign(name, .function(makeMacro(name, params, body)))
            case .breakLoop: return .breakLoop
            case .continueLoop: return .continueLoop
            }
        }
        return .normal
    }

    private func store(_ target: SetTarget, _ value: TemplateValue, _ pos: SourcePos) throws {
        switch target {
        case let .name(n): assign(n, value)
        case let .names(names):
            let items = try iterate(value, pos)
            guard items.count == names.count else {
                throw Self.fail("cannot unpack \(items.count) values into \(names.count) names", pos)
            }
            for (n, v) in zip(names, items) { assign(n, v) }
        case let .attribute(object, attr):
            guard case let .namespace(ns) = lookup(object) else {
                throw Self.fail("cannot assign attribute '\(attr)' on '\(object)': only namespace() objects allow it", pos)
            }
            ns.values[attr] = value
        }
    }

    private func renderFor(_ targets: [String], _ iterable: Expr, _ filter: Expr?, _ body: [Node], _ otherwise: [Node],
                           _ pos: SourcePos, _ out: inout String) throws {
        var items = try iterate(try eval(iterable), pos)
        if let filter = filter {
            var kept = [TemplateValue]()
            for item in items {
                try countIteration(pos)
                scopes.append([:])
                try bindTargets(targets, item, pos)
                let keep = try eval(filter).truthy
                scopes.removeLast()
                if keep { kept.append(item) }
            }
            items = kept
        }
        if items.isEmpty {
            _ = try render(otherwise, into: &out)
            return
        }
        for (i, item) in items.enumerated() {
            try countIteration(pos)
            var loop = TemplateDict()
            loop["index"] = .int(i + 1)
            loop["index0"] = .int(i)
            loop["revindex"] = .int(items.count - i)
            loop["revindex0"] = .int(items.count - i - 1)
            loop["first"] = .bool(i == 0)
            loop["last"] = .bool(i == items.count - 1)
            loop["length"] = .int(items.count)
            loop["depth"] = .int(1)
            loop["depth0"] = .int(0)
            loop["previtem"] = i > 0 ? items[i - 1] : .undefined
            loop["nextitem"] = i + 1 < items.count ? items[i + 1] : .undefined
            loop["cycle"] = .function(TemplateFunction("loop.cycle") { args, _ in
                args.isEmpty ? .undefined : args[i % args.count]
            })
            scopes.append(["loop": .dict(loop)])
            try bindTargets(targets, item, pos)
            let flow = try render(body, into: &out)
            scopes.removeLast()
            if flow == .breakLoop { break }
        }
    }

    private func countIteration(_ pos: SourcePos) throws {
        iterations += 1
        if iterations > limits.maxLoopIterations {
            throw limits.exceeded("the number of loop iterations in this render", limits.maxLoopIterations, "maxLoopIterations", pos)
        }
    }

    private func bindTargets(_ targets: [String], _ item: TemplateValue, _ pos: SourcePos) throws {
        if targets.count == 1 { assign(targets[0], item); return }
        let parts = try iterate(item, pos)
        guard parts.count == targets.count else {
            throw Self.fail("cannot unpack \(parts.count) values into \(targets.count) loop variables", pos)
        }
        for (n, v) in zip(targets, parts) { assign(n, v) }
    }

    private func makeMacro(_ name: String, _ params: [(String, Expr?)], _ body: [Node]) -> TemplateFunction {
        TemplateFunction(name) { [unowned self] args, kwargs in
            var scope = [String: TemplateValue]()
            for (k, (param, defaultValue)) in params.enumerated() {
                if k < args.count {
                    scope[param] = args[k]
                } else if let kw = kwargs.first(where: { $0.0 == param }) {
                    scope[param] = kw.1
                } else {
                    scope[param] = try defaultValue.map { try self.eval($0) } ?? .undefined
                }
            }
            scope["varargs"] = .array(Array(args.dropFirst(params.count)))
            guard self.callDepth < self.limits.maxCallDepth else {
                throw TemplateBuiltins.CallError.limit("macro calls nested deeper than \(self.limits.maxCallDepth) (TemplateLimits.maxCallDepth)")
            }
            self.callDepth += 1
            self.scopes.append(scope)
            defer { self.scopes.removeLast(); self.callDepth -= 1 }
            var out = ""
            _ = try self.render(body, into: &out)
            return .string(out)
        }
    }

    /// Python iteration: list items, dict keys, string characters; Undefined iterates as empty.
    func iterate(_ value: TemplateValue, _ pos: SourcePos) throws -> [TemplateValue] {
        switch value {
        case let .array(a): return a
        case let .dict(d): return d.keys.map { .string($0) }
        case let .string(s): return s.unicodeScalars.map { .string(String($0)) }
        case .undefined: return []
        case let .namespace(n): return n.values.keys.map { .string($0) }
        default: throw Self.fail("'\(value.typeName)' object is not iterable", pos)
        }
    }

    // MARK: Expressions

    func eval(_ e: Expr) throws -> TemplateValue {
        try enter(e.position)
        defer { depth -= 1 }
        switch e {
        case let .literal(v): return v
        case let .name(n, _): return lookup(n)
        case let .list(items), let .tuple(items):
            let v = TemplateValue.array(try items.map { try eval($0) })
            try checkValueDepth(v)
            return v
        case let .dict(pairs):
            var d = TemplateDict()
            for (k, v) in pairs { d[try eval(k).pythonStr] = try eval(v) }
            try checkValueDepth(.dict(d))
            return .dict(d)
        case let .attribute(target, name, pos):
            return try attribute(try eval(target), name, pos, describe: target)
        case let .item(target, index, pos):
            return try item(try eval(target), try eval(index), pos, describe: target)
        case let .slice(target, a, b, c, pos):
            return try slice(try eval(target), try a.map { try eval($0) }, try b.map { try eval($0) },
                             try c.map { try eval($0) }, pos)
        case let .call(callee, args, kwargs, pos):
            let f = try eval(callee)
            guard case let .function(fn) = f else {
                throw Self.fail("'\(f.typeName)' object is not callable", pos)
            }
            let a = try args.map { try eval($0) }
            let k = try kwargs.map { ($0.0, try eval($0.1)) }
            let result: TemplateValue
            do {
                result = try fn.call(a, k)
            } catch let TemplateBuiltins.CallError.message(m) {
                throw Self.fail("\(fn.name): \(m)", pos)
            } catch let TemplateBuiltins.CallError.limit(m) {
                throw TokenizerError.templateLimit(message: "\(fn.name): \(m)", line: pos.line, column: pos.column)
            }
            try limits.checkSize(result, pos)
            return result
        case let .filter(target, name, args, kwargs, pos):
            let value = try eval(target)
            let a = try args.map { try eval($0) }
            let k = try kwargs.map { ($0.0, try eval($0.1)) }
            let result = try TemplateBuiltins.filter(name, value, a, k, self, pos)
            try limits.checkSize(result, pos)
            return result
        case let .test(target, name, args, negated, pos):
            let value = try eval(target)
            let a = try args.map { try eval($0) }
            let result = try TemplateBuiltins.test(name, value, a, self, pos)
            return .bool(negated ? !result : result)
        case let .unary(op, operand, pos):
            let v = try eval(operand)
            switch (op, v) {
            case ("-", .int(let i)): return .int(0 &- i)
            case ("-", .double(let d)): return .double(-d)
            case ("-", .bool(let b)): return .int(b ? -1 : 0)
            case ("+", .int), ("+", .double): return v
            default: throw Self.fail("bad operand type for unary \(op): '\(v.typeName)'", pos)
            }
        case let .binary(op, l, r, pos):
            let a = try eval(l), b = try eval(r)
            if op == "*" { try limits.checkRepeat(a, b, pos) }
            let result = try TemplateOperators.binary(op, a, b, pos)
            try limits.checkSize(result, pos)
            return result
        case let .and(l, r):
            let a = try eval(l)
            return a.truthy ? try eval(r) : a
        case let .or(l, r):
            let a = try eval(l)
            return a.truthy ? a : try eval(r)
        case let .not(x):
            return .bool(!(try eval(x).truthy))
        case let .conditional(value, condition, otherwise):
            if try eval(condition).truthy { return try eval(value) }
            return try otherwise.map { try eval($0) } ?? .undefined
        }
    }

    /// Refuses list/dict values nested deeper than `TemplateLimits.maxJSONDepth` (built in a loop,
    /// `[ns.x]` nests one level per turn; printing or freeing such a value recurses that deep).
    func checkValueDepth(_ v: TemplateValue) throws {
        if v.nestingDepth(limit: limits.maxJSONDepth) > limits.maxJSONDepth {
            throw limits.exceeded("a value's nesting depth", limits.maxJSONDepth, "maxJSONDepth", lastPos)
        }
    }

    private func describe(_ e: Expr) -> String {
        switch e {
        case let .name(n, _): return n
        case let .attribute(t, n, _): return describe(t) + "." + n
        case let .item(t, _, _): return describe(t) + "[…]"
        default: return "value"
        }
    }

    /// Jinja `getattr`: a Python attribute (methods of str/dict), else the item of that name.
    func attribute(_ value: TemplateValue, _ name: String, _ pos: SourcePos, describe target: Expr? = nil) throws -> TemplateValue {
        switch value {
        case .undefined:
            throw Self.fail("'\(target.map(describe) ?? "value")' is undefined, so it has no attribute '\(name)'", pos)
        case let .dict(d):
            if let method = TemplateBuiltins.dictMethod(d, name) { return .function(method) }
            return d[name] ?? .undefined
        case let .namespace(n):
            return n.values[name] ?? .undefined
        case let .string(s):
            return TemplateBuiltins.stringMethod(s, name, keepThinking: keepThinking, limits: limits).map { .function($0) } ?? .undefined
        default:
            return .undefined
        }
    }

    /// Jinja `getitem`: the item, else the attribute; Undefined when neither exists.
    func item(_ value: TemplateValue, _ key: TemplateValue, _ pos: SourcePos, describe target: Expr? = nil) throws -> TemplateValue {
        switch (value, key) {
        case (.undefined, _):
            throw Self.fail("'\(target.map(describe) ?? "value")' is undefined, so it cannot be indexed", pos)
        case let (.array(a), .int(i)):
            let k = i < 0 ? a.count + i : i
            return (0..<a.count).contains(k) ? a[k] : .undefined
        case let (.string(s), .int(i)):
            let a = Array(s.unicodeScalars)
            let k = i < 0 ? a.count + i : i
            return (0..<a.count).contains(k) ? .string(String(a[k])) : .undefined
        case let (.dict(d), .string(k)):
            if let v = d[k] { return v }
            return try attribute(value, k, pos)
        case let (.namespace(n), .string(k)):
            return n.values[k] ?? .undefined
        case let (_, .string(k)):
            return try attribute(value, k, pos)
        default:
            return .undefined
        }
    }

    /// Python slicing `value[a:b:c]` for lists and strings.
    func slice(_ value: TemplateValue, _ a: TemplateValue?, _ b: TemplateValue?, _ c: TemplateValue?,
               _ pos: SourcePos) throws -> TemplateValue {
        func intOrNil(_ v: TemplateValue?) throws -> Int? {
            guard let v = v else { return nil }
            switch v {
            case .none, .undefined: return nil
            case let .int(i): return i
            case let .bool(b): return b ? 1 : 0
            default: throw Self.fail("slice indices must be integers or None, not '\(v.typeName)'", pos)
            }
        }
        let step = try intOrNil(c) ?? 1
        guard step != 0 else { throw Self.fail("slice step cannot be zero", pos) }
        func indices(_ n: Int) throws -> [Int] {
            func clamp(_ x: Int?, _ def: Int) -> Int {
                guard var x = x else { return def }
                if x < 0 { x += n }
                return step > 0 ? min(max(x, 0), n) : min(max(x, -1), n - 1)
            }
            let start = clamp(try intOrNil(a), step > 0 ? 0 : n - 1)
            let stop = clamp(try intOrNil(b), step > 0 ? n : -1)
            return Array(stride(from: start, to: stop, by: step))
        }
        switch value {
        case let .array(arr): return .array(try indices(arr.count).map { arr[$0] })
        case let .string(s):
            let sc = Array(s.unicodeScalars)
            return .string(PythonString.string(try indices(sc.count).map { sc[$0] }))
        case .undefined: throw Self.fail("cannot slice an undefined value", pos)
        default: throw Self.fail("'\(value.typeName)' object is not subscriptable", pos)
        }
    }
}
