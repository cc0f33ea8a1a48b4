import Foundation

/// Bounds on what rendering an (untrusted) chat template may cost. Chat templates arrive with
/// downloaded models, so a hostile one must end in a clear error naming its line, never in a
/// stack overflow, a hang or a multi-terabyte allocation. The defaults are far above what real
/// chat templates use (the largest HF templates nest ~10 deep and loop over messages × tools).
///
/// ```swift
/// var limits = TemplateLimits()
/// limits.maxOutputBytes = 1 << 20
/// let template = try ChatTemplate(source: text, limits: limits)
/// ```
public struct TemplateLimits: Sendable, Equatable {
    /// Deepest nesting of blocks and expressions in the parsed template (parser and evaluator).
    public var maxNestingDepth = 200
    /// Deepest chain of macro calls (a macro calling itself).
    public var maxCallDepth = 64
    /// Loop iterations in one render, all loops together (a nested `range` loop counts each inner
    /// turn; about 2 s of rendering on one core).
    public var maxLoopIterations = 200_000
    /// Bytes of rendered output.
    public var maxOutputBytes = 64 << 20
    /// Bytes of any one string value (`"x" * n`, `~`, `+`, `join`…).
    public var maxStringBytes = 32 << 20
    /// Items of any one list (`[x] * n`, `+`, `range`).
    public var maxListItems = 1 << 20
    /// Nesting depth of JSON given to a template (the messages file).
    public var maxJSONDepth = 512

    public init() {}

    /// The defaults.
    public static let standard = TemplateLimits()

    func exceeded(_ what: String, _ limit: Int, _ name: String, _ pos: SourcePos) -> TokenizerError {
        .templateLimit(message: "\(what) exceeds the limit of \(limit) (TemplateLimits.\(name))", line: pos.line, column: pos.column)
    }

    /// Refuses `*` whose result would exceed the string or list limit, before it is built.
    func checkRepeat(_ a: TemplateValue, _ b: TemplateValue, _ pos: SourcePos) throws {
        let (unit, n): (TemplateValue, Int)
        switch (a, b) {
        case let (.int(k), v), let (v, .int(k)): (unit, n) = (v, k)
        default: return
        }
        guard n > 1 else { return }
        switch unit {
        case let .string(s):
            let (bytes, o) = s.utf8.count.multipliedReportingOverflow(by: n)
            if o || bytes > maxStringBytes { throw exceeded("a string repeated \(n) times", maxStringBytes, "maxStringBytes", pos) }
        case let .array(x):
            let (items, o) = x.count.multipliedReportingOverflow(by: n)
            if o || items > maxListItems { throw exceeded("a list repeated \(n) times", maxListItems, "maxListItems", pos) }
        default: return
        }
    }

    /// Refuses a value (result of an operator, filter or call) over the string or list limit.
    func checkSize(_ v: TemplateValue, _ pos: SourcePos) throws {
        switch v {
        case let .string(s) where s.utf8.count > maxStringBytes:
            throw exceeded("a string of \(s.utf8.count) bytes", maxStringBytes, "maxStringBytes", pos)
        case let .array(a) where a.count > maxListItems:
            throw exceeded("a list of \(a.count) items", maxListItems, "maxListItems", pos)
        default: return
        }
    }

    /// Refuses `sep.join(items)` whose result would exceed the string limit, before it is built.
    func checkJoin(_ items: [TemplateValue], separator: String) -> String? {
        var total = 0
        for item in items {
            let n: Int
            if case let .string(s) = item { n = s.utf8.count } else { n = 24 }   // numbers, None: short
            total += n + separator.utf8.count
            if total > maxStringBytes { return "join() of \(items.count) items makes a string over \(maxStringBytes) bytes (TemplateLimits.maxStringBytes)" }
        }
        return nil
    }

    /// Refuses `s.replace(old, new)` whose result could exceed the string limit, before it is built.
    func checkReplace(_ s: String, _ old: String, _ new: String) -> String? {
        let n = s.utf8.count, o = old.utf8.count, w = new.utf8.count
        guard w > o else { return nil }   // the result is never longer than s
        let occurrences = o == 0 ? n + 1 : n / o
        let (grow, overflow) = occurrences.multipliedReportingOverflow(by: w - o)
        if overflow || n + grow > maxStringBytes {
            return "replace() could make a string over \(maxStringBytes) bytes (TemplateLimits.maxStringBytes)"
        }
        return nil
    }

    /// Refuses an indentation width that would make a string over the limit (`indent`, `tojson`).
    func checkIndent(_ width: Int, _ pos: SourcePos) throws {
        if width > 4096 { throw exceeded("an indentation width of \(width)", 4096, "indentation width", pos) }
    }

    /// Refuses a `range(lo, hi, step)` over the list limit before it is built.
    func checkRange(count: Double, _ pos: SourcePos) throws {
        if !(count <= Double(maxListItems)) { throw exceeded("range() of \(count) items", maxListItems, "maxListItems", pos) }
    }
}
