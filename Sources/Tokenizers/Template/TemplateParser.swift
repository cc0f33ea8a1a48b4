/// Parses lexer segments into `Node`s: Jinja2's statement and expression grammar (precedence as in
/// `jinja2/parser.py`: conditional < or < and < not < comparisons/in < +,- < ~ < *,/,//,% < ** <
/// unary - < postfix `.x` `[i]` `(…)` and filters `|f` / tests `is t`).
/// Constructs outside the subset (`extends`, `block`, `include`, `import`, `call`, `filter` blocks,
/// `with`, `recursive` loops…) fail with an error naming the construct and its line and column.
struct TemplateParser {
    private let segments: [TemplateLexer.Segment]
    private var index = 0
    // Expression token cursor
    private var tokens: [(ExprToken, SourcePos)] = []
    private var t = 0
    private var tagPos = SourcePos(line: 1, column: 1)
    /// Nesting of blocks and sub-expressions, plus the length of the operator chain being built,
    /// bounded by `limits.maxNestingDepth`: a hostile template of 100,000 nested `if`s, `(`s or
    /// `not`s ends in an error instead of overflowing the stack (here, in rendering, or in freeing
    /// the tree).
    private var depth = 0
    private let maxDepth: Int

    init(_ segments: [TemplateLexer.Segment], limits: TemplateLimits = .standard) {
        self.segments = segments
        maxDepth = limits.maxNestingDepth
    }

    /// One level deeper; callers restore `depth` when they return.
    private mutating func deeper() throws {
        depth += 1
        guard depth <= maxDepth else {
            throw TokenizerError.templateLimit(message: "blocks and expressions nest deeper than \(maxDepth) (TemplateLimits.maxNestingDepth)",
                                               line: currentPos.line, column: currentPos.column)
        }
    }

    mutating func parse() throws -> [Node] {
        let (body, end) = try parseBody(until: [])
        if let end = end {
            throw TokenizerError.templateSyntax(message: "unexpected '\(end)' with no open block", line: tagPos.line, column: tagPos.column)
        }
        return body
    }

    // MARK: Statements

    /// Parses nodes until a statement whose keyword is in `until`; returns that keyword (its tag's
    /// tokens are then current), or nil at the end of the template.
    private mutating func parseBody(until: Set<String>) throws -> ([Node], String?) {
        let saved = depth
        defer { depth = saved }
        try deeper()
        var nodes = [Node]()
        while index < segments.count {
            let seg = segments[index]
            index += 1
            switch seg {
            case let .text(s): nodes.append(.text(s))
            case let .output(toks, pos):
                begin(toks, pos)
                let e = try parseExpression()
                try expectEnd()
                nodes.append(.output(e))
            case let .statement(toks, pos):
                begin(toks, pos)
                guard case let .name(keyword) = current else {
                    throw syntax("expected a statement keyword after '{%'")
                }
                if until.contains(keyword) { t += 1; return (nodes, keyword) }
                t += 1
                nodes.append(contentsOf: try parseStatement(keyword, pos))
            }
        }
        if !until.isEmpty {
            throw TokenizerError.templateSyntax(message: "missing '\(until.sorted().joined(separator: "' or '"))': a block is never closed",
                                                line: tagPos.line, column: tagPos.column)
        }
        return (nodes, nil)
    }

    private mutating func parseStatement(_ keyword: String, _ pos: SourcePos) throws -> [Node] {
        switch keyword {
        case "if":
            var branches = [(Expr, [Node])]()
            var condition = try parseExpression()
            try expectEnd()
            while true {
                let (body, end) = try parseBody(until: ["elif", "else", "endif"])
                branches.append((condition, body))
                if end == "elif" {
                    condition = try parseExpression()
                    try expectEnd()
                    continue
                }
                if end == "else" {
                    try expectEnd()
                    let (otherwise, _) = try parseBody(until: ["endif"])
                    try expectEnd()
                    return [.ifBlock(branches, otherwise: otherwise)]
                }
                try expectEnd()
                return [.ifBlock(branches, otherwise: [])]
            }
        case "for":
            var targets = [String]()
            repeat {
                guard case let .name(n) = current else { throw syntax("expected a loop variable name") }
                targets.append(n)
                t += 1
            } while accept(.op(","))
            guard accept(.name("in")) else { throw syntax("expected 'in' in 'for'") }
            let iterable = try parseConditionalFree()
            var filter: Expr? = nil
            if accept(.name("if")) { filter = try parseExpression() }
            if case .name("recursive") = current { throw syntax("unsupported construct 'recursive' loop") }
            try expectEnd()
            let (body, end) = try parseBody(until: ["else", "endfor"])
            var otherwise = [Node]()
            if end == "else" {
                try expectEnd()
                (otherwise, _) = try parseBody(until: ["endfor"])
            }
            try expectEnd()
            return [.forLoop(targets: targets, iterable: iterable, filter: filter, body: body, otherwise: otherwise, pos)]
        case "set":
            guard case let .name(first) = current else { throw syntax("expected a name after 'set'") }
            t += 1
            var target = SetTarget.name(first)
            if accept(.op(".")) {
                guard case let .name(attr) = current else { throw syntax("expected an attribute name") }
                t += 1
                target = .attribute(first, attr)
            } else if case .op(",") = current {
                var names = [first]
                while accept(.op(",")) {
                    guard case let .name(n) = current else { throw syntax("expected a name") }
                    names.append(n)
                    t += 1
                }
                target = .names(names)
            }
            if accept(.op("=")) {
                let value = try parseTupleOrExpression()
                try expectEnd()
                return [.set(target, value, pos)]
            }
            try expectEnd()
            let (body, _) = try parseBody(until: ["endset"])
            try expectEnd()
            return [.setBlock(target, body, pos)]
        case "macro":
            guard case let .name(name) = current else { throw syntax("expected a macro name") }
            t += 1
            guard accept(.op("(")) else { throw syntax("expected '(' after the macro name") }
            var params = [(String, Expr?)]()
            while !accept(.op(")")) {
                guard case let .name(p) = current else { throw syntax("expected a parameter name") }
                t += 1
                params.append((p, accept(.op("=")) ? try parseExpression() : nil))
                if !accept(.op(",")) {
                    guard accept(.op(")")) else { throw syntax("expected ',' or ')' in macro parameters") }
                    break
                }
            }
            try expectEnd()
            let (body, _) = try parseBody(until: ["endmacro"])
            try expectEnd()
            return [.macro(name: name, params: params, body: body)]
        case "break":
            try expectEnd()
            return [.breakLoop]
        case "continue":
            try expectEnd()
            return [.continueLoop]
        case "generation":
            // transformers' {% generation %} marks assistant text for masks; rendering is unchanged.
            try expectEnd()
            let (body, _) = try parseBody(until: ["endgeneration"])
            try expectEnd()
            return body
        default:
            throw TokenizerError.templateSyntax(message: "unsupported construct '\(keyword)'", line: pos.line, column: pos.column)
        }
    }

    // MARK: Token cursor

    private mutating func begin(_ toks: [(ExprToken, SourcePos)], _ pos: SourcePos) {
        tokens = toks
        t = 0
        tagPos = pos
    }

    private var current: ExprToken { t < tokens.count ? tokens[t].0 : .end }
    private var currentPos: SourcePos { t < tokens.count ? tokens[t].1 : tagPos }
    private func peek(_ k: Int) -> ExprToken { t + k < tokens.count ? tokens[t + k].0 : .end }

    private mutating func accept(_ token: ExprToken) -> Bool {
        if current == token { t += 1; return true }
        return false
    }

    private func syntax(_ message: String) -> TokenizerError {
        TokenizerError.templateSyntax(message: message, line: currentPos.line, column: currentPos.column)
    }

    private mutating func expect(_ token: ExprToken, _ what: String) throws {
        guard accept(token) else { throw syntax("expected \(what), found \(describe(current))") }
    }

    private mutating func expectEnd() throws {
        guard current == .end else { throw syntax("unexpected \(describe(current)) before the end of the tag") }
    }

    private func describe(_ token: ExprToken) -> String {
        switch token {
        case let .name(n): return "'\(n)'"
        case let .string(s): return "string '\(s)'"
        case let .int(i): return "number \(i)"
        case let .float(d): return "number \(d)"
        case let .op(o): return "'\(o)'"
        case .end: return "end of tag"
        }
    }

    // MARK: Expressions

    private mutating func parseTupleOrExpression() throws -> Expr {
        let first = try parseExpression()
        guard case .op(",") = current else { return first }
        var items = [first]
        while accept(.op(",")) {
            if current == .end || current == .op(")") { break }
            items.append(try parseExpression())
        }
        return .tuple(items)
    }

    mutating func parseExpression() throws -> Expr {
        let saved = depth
        defer { depth = saved }
        try deeper()
        let value = try parseOr()
        if accept(.name("if")) {
            let condition = try parseOr()
            let otherwise = accept(.name("else")) ? try parseExpression() : nil
            return .conditional(value, condition: condition, otherwise: otherwise)
        }
        return value
    }

    /// The iterable of a `for`: no conditional expression (its `if` is the loop filter).
    private mutating func parseConditionalFree() throws -> Expr { try parseOr() }

    private mutating func parseOr() throws -> Expr {
        let saved = depth
        defer { depth = saved }
        try deeper()
        var left = try parseAnd()
        while accept(.name("or")) { try deeper(); left = .or(left, try parseAnd()) }
        return left
    }

    private mutating func parseAnd() throws -> Expr {
        let saved = depth
        defer { depth = saved }
        try deeper()
        var left = try parseNot()
        while accept(.name("and")) { try deeper(); left = .and(left, try parseNot()) }
        return left
    }

    private mutating func parseNot() throws -> Expr {
        let saved = depth
        defer { depth = saved }
        try deeper()
        if accept(.name("not")) { return .not(try parseNot()) }
        return try parseCompare()
    }

    private mutating func parseCompare() throws -> Expr {
        let saved = depth
        defer { depth = saved }
        try deeper()
        var left = try parseMath1()
        while true {
            let pos = currentPos
            try deeper()
            if case let .op(o) = current, ["==", "!=", "<", ">", "<=", ">="].contains(o) {
                t += 1
                left = .binary(o, left, try parseMath1(), pos)
            } else if accept(.name("in")) {
                left = .binary("in", left, try parseMath1(), pos)
            } else if current == .name("not") && peek(1) == .name("in") {
                t += 2
                left = .not(.binary("in", left, try parseMath1(), pos))
            } else {
                return left
            }
        }
    }

    private mutating func parseMath1() throws -> Expr {
        let saved = depth
        defer { depth = saved }
        try deeper()
        var left = try parseConcat()
        while case let .op(o) = current, o == "+" || o == "-" {
            let pos = currentPos
            try deeper()
            t += 1
            left = .binary(o, left, try parseConcat(), pos)
        }
        return left
    }

    private mutating func parseConcat() throws -> Expr {
        let saved = depth
        defer { depth = saved }
        try deeper()
        var left = try parseMath2()
        while case .op("~") = current {
            let pos = currentPos
            try deeper()
            t += 1
            left = .binary("~", left, try parseMath2(), pos)
        }
        return left
    }

    private mutating func parseMath2() throws -> Expr {
        let saved = depth
        defer { depth = saved }
        try deeper()
        var left = try parsePow()
        while case let .op(o) = current, ["*", "/", "//", "%"].contains(o) {
            let pos = currentPos
            try deeper()
            t += 1
            left = .binary(o, left, try parsePow(), pos)
        }
        return left
    }

    private mutating func parsePow() throws -> Expr {
        let saved = depth
        defer { depth = saved }
        try deeper()
        var left = try parseUnary(withFilter: true)
        while case .op("**") = current {
            let pos = currentPos
            try deeper()
            t += 1
            left = .binary("**", left, try parseUnary(withFilter: true), pos)
        }
        return left
    }

    private mutating func parseUnary(withFilter: Bool) throws -> Expr {
        let saved = depth
        defer { depth = saved }
        try deeper()
        let pos = currentPos
        var node: Expr
        if accept(.op("-")) {
            node = .unary("-", try parseUnary(withFilter: false), pos)
        } else if accept(.op("+")) {
            node = .unary("+", try parseUnary(withFilter: false), pos)
        } else {
            node = try parsePrimary()
        }
        node = try parsePostfix(node)
        if withFilter { node = try parseFilterExpr(node) }
        return node
    }

    private mutating func parsePrimary() throws -> Expr {
        let pos = currentPos
        switch current {
        case let .name(n):
            t += 1
            switch n {
            case "true", "True": return .literal(.bool(true))
            case "false", "False": return .literal(.bool(false))
            case "none", "None": return .literal(.none)
            default: return .name(n, pos)
            }
        case let .string(s):
            t += 1
            var text = s
            while case let .string(more) = current { text += more; t += 1 }  // adjacent literals concatenate
            return .literal(.string(text))
        case let .int(i):
            t += 1
            return .literal(.int(i))
        case let .float(d):
            t += 1
            return .literal(.double(d))
        case .op("("):
            t += 1
            if accept(.op(")")) { return .tuple([]) }
            let first = try parseExpression()
            if accept(.op(")")) { return first }
            var items = [first]
            while accept(.op(",")) {
                if current == .op(")") { break }
                items.append(try parseExpression())
            }
            try expect(.op(")"), "')'")
            return .tuple(items)
        case .op("["):
            t += 1
            var items = [Expr]()
            while !accept(.op("]")) {
                items.append(try parseExpression())
                if !accept(.op(",")) { try expect(.op("]"), "']'"); break }
            }
            return .list(items)
        case .op("{"):
            t += 1
            var pairs = [(Expr, Expr)]()
            while !accept(.op("}")) {
                let key = try parseExpression()
                try expect(.op(":"), "':' in a dict literal")
                pairs.append((key, try parseExpression()))
                if !accept(.op(",")) { try expect(.op("}"), "'}'"); break }
            }
            return .dict(pairs)
        default:
            throw syntax("unexpected \(describe(current)) in an expression")
        }
    }

    private mutating func parsePostfix(_ start: Expr) throws -> Expr {
        let saved = depth
        defer { depth = saved }
        try deeper()
        var node = start
        while true {
            let pos = currentPos
            try deeper()
            if accept(.op(".")) {
                switch current {
                case let .name(n): t += 1; node = .attribute(node, n, pos)
                case let .int(i): t += 1; node = .item(node, .literal(.int(i)), pos)
                default: throw syntax("expected an attribute name after '.'")
                }
            } else if accept(.op("[")) {
                node = try parseSubscript(node, pos)
            } else if case .op("(") = current {
                let (args, kwargs) = try parseCallArgs()
                node = .call(node, args, kwargs, pos)
            } else {
                return node
            }
        }
    }

    private mutating func parseSubscript(_ target: Expr, _ pos: SourcePos) throws -> Expr {
        var parts: [Expr?] = []
        var current: Expr? = nil
        var sawColon = false
        while true {
            if accept(.op("]")) { parts.append(current); break }
            if accept(.op(":")) { parts.append(current); current = nil; sawColon = true; continue }
            current = try parseExpression()
        }
        if !sawColon {
            guard let index = parts.first ?? nil else { throw syntax("empty subscript '[]'") }
            return .item(target, index, pos)
        }
        while parts.count < 3 { parts.append(nil) }
        return .slice(target, parts[0], parts[1], parts[2], pos)
    }

    private mutating func parseCallArgs() throws -> ([Expr], [(String, Expr)]) {
        try expect(.op("("), "'('")
        var args = [Expr](), kwargs = [(String, Expr)]()
        while !accept(.op(")")) {
            if case let .name(n) = current, peek(1) == .op("=") {
                t += 2
                kwargs.append((n, try parseExpression()))
            } else {
                args.append(try parseExpression())
            }
            if !accept(.op(",")) { try expect(.op(")"), "')'"); break }
        }
        return (args, kwargs)
    }

    private mutating func parseFilterExpr(_ start: Expr) throws -> Expr {
        let saved = depth
        defer { depth = saved }
        try deeper()
        var node = start
        while true {
            let pos = currentPos
            try deeper()
            if accept(.op("|")) {
                guard case let .name(name) = current else { throw syntax("expected a filter name after '|'") }
                t += 1
                var args = [Expr](), kwargs = [(String, Expr)]()
                if case .op("(") = current { (args, kwargs) = try parseCallArgs() }
                node = .filter(node, name, args, kwargs, pos)
            } else if accept(.name("is")) {
                let negated = accept(.name("not"))
                guard case let .name(name) = current else { throw syntax("expected a test name after 'is'") }
                t += 1
                var args = [Expr]()
                if case .op("(") = current {
                    args = try parseCallArgs().0
                } else if startsBareTestArgument() {
                    args = [try parsePostfix(try parsePrimary())]
                }
                node = .test(node, name, args, negated: negated, pos)
            } else if case .op("(") = current {
                let (args, kwargs) = try parseCallArgs()
                node = .call(node, args, kwargs, pos)
            } else {
                return node
            }
        }
    }

    /// Jinja allows one argument without parentheses: `x is sameas false`, `x is divisibleby 3`.
    private func startsBareTestArgument() -> Bool {
        switch current {
        case .string, .int, .float, .op("["), .op("{"): return true
        case let .name(n): return !["else", "or", "and", "if", "in", "not", "is"].contains(n)
        default: return false
        }
    }
}
