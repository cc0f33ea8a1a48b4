import Foundation

/// A parsed numeric or symbolic expression of a final answer.
indirect enum MathExpr: Equatable {
    case rational(MathRational)
    case real(Double)
    /// `\pi`, `i`, `\infty`.
    case constant(String)
    /// A variable: one Latin letter (`x`, `R`), a Greek command (`\theta`), optionally with a
    /// subscript (`a_1`).
    case variable(String)
    case add(MathExpr, MathExpr)
    case mul(MathExpr, MathExpr)
    case div(MathExpr, MathExpr)
    case pow(MathExpr, MathExpr)
    case neg(MathExpr)
    case root(MathExpr, index: MathExpr)
    case function(String, MathExpr)
    case factorial(MathExpr)

    var variables: Set<String> {
        switch self {
        case .rational, .real, .constant: return []
        case let .variable(v): return [v]
        case let .add(a, b), let .mul(a, b), let .div(a, b), let .pow(a, b): return a.variables.union(b.variables)
        case let .root(a, n): return a.variables.union(n.variables)
        case let .neg(a), let .function(_, a), let .factorial(a): return a.variables
        }
    }

    /// The exact value when the expression is built from rationals with + − × ÷ and integer powers.
    var exact: MathRational? {
        switch self {
        case let .rational(r): return r
        case let .add(a, b): return a.exact.flatMap { x in b.exact.flatMap { x + $0 } }
        case let .mul(a, b): return a.exact.flatMap { x in b.exact.flatMap { x * $0 } }
        case let .div(a, b): return a.exact.flatMap { x in b.exact?.reciprocal().flatMap { x * $0 } }
        case let .neg(a): return a.exact.flatMap { -$0 }
        case let .pow(a, b):
            guard let e = b.exact, e.isInteger else { return nil }
            return a.exact?.power(e.p)
        case let .factorial(a):
            guard let n = a.exact, n.isInteger, (0...20).contains(n.p) else { return nil }
            return MathRational((1...max(1, n.p)).reduce(1, *), 1)
        default: return nil
        }
    }

    /// The value with `env` giving each variable's value (missing variables evaluate to NaN).
    func value(_ env: [String: MathComplex]) -> MathComplex {
        switch self {
        case let .rational(r): return MathComplex(r.double)
        case let .real(d): return MathComplex(d)
        case let .constant(c):
            switch c {
            case "pi": return MathComplex(Double.pi)
            case "i": return .i
            default: return MathComplex(.infinity)
            }
        case let .variable(v): return env[v] ?? MathComplex(.nan)
        case let .add(a, b): return a.value(env) + b.value(env)
        case let .mul(a, b): return a.value(env) * b.value(env)
        case let .div(a, b): return a.value(env) / b.value(env)
        case let .pow(a, b): return a.value(env).power(b.value(env))
        case let .neg(a):
            let x = a.value(env)
            return x.isFinite ? -x : MathComplex(-x.re)
        case let .root(a, n):
            let x = a.value(env), k = n.value(env)
            // Odd roots of negative reals stay real (∛−8 = −2), as in school mathematics.
            if x.im == 0, x.re < 0, k.im == 0, k.re.rounded() == k.re, Int(k.re) % 2 != 0 {
                return MathComplex(-Foundation.pow(-x.re, 1 / k.re))
            }
            return x.power(MathComplex(1) / k)
        case let .factorial(a):
            let x = a.value(env)
            guard x.im == 0, x.re >= 0, x.re.rounded() == x.re, x.re <= 170 else { return MathComplex(.nan) }
            return MathComplex(tgamma(x.re + 1))
        case let .function(f, a):
            let x = a.value(env)
            guard x.isReal else { return MathComplex(.nan) }
            let r = x.re
            switch f {
            case "sin": return MathComplex(sin(r))
            case "cos": return MathComplex(cos(r))
            case "tan": return MathComplex(tan(r))
            case "cot": return MathComplex(1 / tan(r))
            case "sec": return MathComplex(1 / cos(r))
            case "csc": return MathComplex(1 / sin(r))
            case "arcsin": return MathComplex(asin(r))
            case "arccos": return MathComplex(acos(r))
            case "arctan": return MathComplex(atan(r))
            case "ln", "log": return MathComplex(Foundation.log(r))
            case "exp": return MathComplex(Foundation.exp(r))
            default:
                // "log_b": logarithm to base b (the base is parsed into the name).
                if f.hasPrefix("log_"), let b = Double(f.dropFirst(4)) { return MathComplex(Foundation.log(r) / Foundation.log(b)) }
                return MathComplex(.nan)
            }
        }
    }
}

/// Recursive-descent parser for the LaTeX of one answer element (no top-level commas: lists,
/// tuples and intervals are split by ``MathAnswer``). Grammar:
///
///     sum     := product (('+' | '-') product)*
///     product := unary (('\cdot' | '\times' | '*' | '/' | '\div' | juxtaposition) unary)*
///     unary   := ('-' | '+') unary | postfix
///     postfix := atom ('^' argument | '!')*
///     atom    := number | letter | '\pi' | '\infty' | '\frac' arg arg | '\sqrt' ['[' sum ']'] arg
///              | '(' sum ')' | '[' sum ']' | '{' sum '}' | function postfix
///
/// LaTeX's one-token arguments are honoured: `\frac43` = 4/3, `\sqrt2`, `x^2`. An integer directly
/// followed by a `\frac` of two integers is a mixed number (`1\frac{4}{5}` = 9/5, `137 \frac{1}{2}`).
/// Anything else (text, unknown commands, a number with a base subscript such as `52_8`) is a
/// parse failure, and the caller compares canonical strings instead.
struct MathExprParser {
    private let s: [Unicode.Scalar]
    private var i = 0

    static let functions: Set<String> = ["sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan", "ln", "log", "exp"]
    static let greek: Set<String> = ["alpha", "beta", "gamma", "delta", "theta", "phi", "varphi", "lambda", "mu", "sigma", "omega",
                                     "rho", "tau", "epsilon", "varepsilon", "psi", "chi", "eta", "zeta", "kappa", "nu", "xi"]

    struct Failure: Error {}

    init(_ text: String) { s = Array(text.unicodeScalars) }

    /// Parses the whole text; nil when it is not an expression this grammar covers.
    static func parse(_ text: String) -> MathExpr? {
        var p = MathExprParser(text)
        guard let e = try? p.sum() else { return nil }
        p.skipSpace()
        return p.i == p.s.count ? e : nil
    }

    private var atEnd: Bool { i >= s.count }
    private var peek: Unicode.Scalar? { i < s.count ? s[i] : nil }

    private mutating func skipSpace() {
        while i < s.count, s[i] == " " || s[i] == "\t" || s[i] == "\n" { i += 1 }
    }

    /// Reads a `\command` name at the cursor (after the backslash); nil when not a letter command.
    private mutating func peekCommand() -> String? {
        guard i < s.count, s[i] == "\\" else { return nil }
        var j = i + 1, name = ""
        while j < s.count, s[j].properties.isAlphabetic, s[j].isASCII { name.unicodeScalars.append(s[j]); j += 1 }
        return name.isEmpty ? nil : name
    }

    private mutating func take(command: String) -> Bool {
        skipSpace()
        guard peekCommand() == command else { return false }
        i += 1 + command.unicodeScalars.count
        return true
    }

    mutating func sum() throws -> MathExpr {
        var left = try product()
        while true {
            skipSpace()
            guard let c = peek, c == "+" || c == "-" else { return left }
            i += 1
            let right = try product()
            left = c == "+" ? .add(left, right) : .add(left, .neg(right))
        }
    }

    mutating func product() throws -> MathExpr {
        var left = try unary()
        var first = true
        while true {
            skipSpace()
            guard let c = peek else { return left }
            if c == "*" || c == "/" {
                i += 1
                let r = try unary()
                left = c == "*" ? .mul(left, r) : .div(left, r)
            } else if take(command: "cdot") || take(command: "times") {
                left = .mul(left, try unary())
            } else if take(command: "div") {
                left = .div(left, try unary())
            } else if startsAtom {
                // Mixed number: an integer followed directly by \frac{int}{int}.
                if first, case let .rational(w) = left, w.isInteger, w.p >= 0, peekCommand() == "frac" {
                    let save = i
                    let f = try postfix()
                    if case let .div(.rational(a), .rational(b)) = f, a.isInteger, b.isInteger, a.p >= 0, b.p > 0 {
                        left = .add(left, f)
                    } else {
                        i = save
                        left = .mul(left, try postfix())
                    }
                } else {
                    left = .mul(left, try postfix())
                }
            } else {
                return left
            }
            first = false
        }
    }

    /// Whether the cursor is at something that can start an implicitly multiplied factor.
    private var startsAtom: Bool {
        guard let c = peek else { return false }
        if c == "(" || c == "{" || c == "[" { return true }
        if c.properties.numericType != nil && c.isASCII || c == "." { return true }
        if c.isASCII && c.properties.isAlphabetic { return true }
        var copy = self
        if let cmd = copy.peekCommand() {
            return ["frac", "sqrt", "pi", "infty"].contains(cmd) || Self.functions.contains(cmd) || Self.greek.contains(cmd)
        }
        return false
    }

    mutating func unary() throws -> MathExpr {
        skipSpace()
        if peek == "-" { i += 1; return .neg(try unary()) }
        if peek == "+" { i += 1; return try unary() }
        return try postfix()
    }

    mutating func postfix() throws -> MathExpr {
        var base = try atom()
        while true {
            skipSpace()
            if peek == "^" {
                i += 1
                base = .pow(base, try argument())
            } else if peek == "!" {
                i += 1
                base = .factorial(base)
            } else {
                return base
            }
        }
    }

    /// A LaTeX argument: `{...}`, a `\command` atom, or a single character.
    mutating func argument() throws -> MathExpr {
        skipSpace()
        guard let c = peek else { throw Failure() }
        if c == "{" { return try group(open: "{", close: "}") }
        if c == "\\" { return try atom() }
        if c == "-" { i += 1; return .neg(try argument()) }
        i += 1
        if c.isASCII, let d = Int(String(c)) { return .rational(MathRational(d, 1)!) }
        if c.isASCII, c.properties.isAlphabetic { return letter(c) }
        throw Failure()
    }

    private mutating func group(open: Unicode.Scalar, close: Unicode.Scalar) throws -> MathExpr {
        guard peek == open else { throw Failure() }
        i += 1
        let e = try sum()
        skipSpace()
        guard peek == close else { throw Failure() }
        i += 1
        return e
    }

    private func letter(_ c: Unicode.Scalar) -> MathExpr {
        c == "i" ? .constant("i") : .variable(String(c))
    }

    mutating func atom() throws -> MathExpr {
        skipSpace()
        guard let c = peek else { throw Failure() }
        if c == "(" { return try group(open: "(", close: ")") }
        if c == "[" { return try group(open: "[", close: "]") }
        if c == "{" { return try group(open: "{", close: "}") }
        if (c.isASCII && c.properties.numericType != nil) || c == "." { return try number() }
        if c.isASCII && c.properties.isAlphabetic {
            i += 1
            return try subscripted(letter(c))
        }
        guard let cmd = peekCommand() else { throw Failure() }
        i += 1 + cmd.unicodeScalars.count
        switch cmd {
        case "pi": return .constant("pi")
        case "infty": return .constant("infty")
        case "frac":
            let n = try argument(), d = try argument()
            return .div(n, d)
        case "sqrt":
            skipSpace()
            var index = MathExpr.rational(MathRational(2, 1)!)
            if peek == "[" { index = try group(open: "[", close: "]") }
            return .root(try argument(), index: index)
        default:
            if Self.greek.contains(cmd) { return try subscripted(.variable(cmd)) }
            guard Self.functions.contains(cmd) else { throw Failure() }
            var name = cmd
            skipSpace()
            if cmd == "log", peek == "_" {
                i += 1
                guard case let .rational(b) = try argument(), b.isInteger else { throw Failure() }
                name = "log_\(b.p)"
            }
            skipSpace()
            // `\sin^2 x` = (sin x)^2.
            var power: MathExpr?
            if peek == "^" { i += 1; power = try argument() }
            let arg = try postfix()
            let f = MathExpr.function(name, arg)
            return power.map { .pow(f, $0) } ?? f
        }
    }

    /// `x_1`, `a_{n}`: the subscript becomes part of the variable's name.
    private mutating func subscripted(_ e: MathExpr) throws -> MathExpr {
        guard peek == "_", case let .variable(v) = e else { return e }
        i += 1
        skipSpace()
        var sub = ""
        if peek == "{" {
            i += 1
            while let c = peek, c != "}" { sub.unicodeScalars.append(c); i += 1 }
            guard peek == "}" else { throw Failure() }
            i += 1
        } else if let c = peek {
            sub = String(c)
            i += 1
        }
        return .variable("\(v)_\(sub.replacingOccurrences(of: " ", with: ""))")
    }

    /// Digits with an optional decimal point: exact when it fits 64 bits, else a double.
    private mutating func number() throws -> MathExpr {
        var digits = "", scale = 0, seenDot = false
        while let c = peek {
            if c == "." && !seenDot {
                // "3." at the end or before a non-digit is a full stop, not a decimal point.
                guard i + 1 < s.count, s[i + 1].isASCII, s[i + 1].properties.numericType != nil else { break }
                seenDot = true
            } else if c.isASCII, c.properties.numericType != nil {
                digits.unicodeScalars.append(c)
                if seenDot { scale += 1 }
            } else { break }
            i += 1
        }
        guard !digits.isEmpty else { throw Failure() }
        // A base subscript (52_8) is not a number here: compared as text.
        if peek == "_" { throw Failure() }
        if digits.count <= 18, scale <= 18, let n = Int(digits), let r = MathRational(n, Int(pow(10, Double(scale)))) {
            return .rational(r)
        }
        guard let d = Double(digits) else { throw Failure() }
        return .real(d / pow(10, Double(scale)))
    }
}
