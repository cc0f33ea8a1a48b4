import Foundation

/// The `math` judge (MATH-500, AIME): extracts the final answer (``MathAnswerExtractor``),
/// normalises and structures both it and the record's gold `answer` (``MathNormalizer``,
/// ``MathAnswer``) and compares them: exact rationals, complex doubles at a relative tolerance of
/// 1e-9 (1e-7 for expressions with variables, evaluated at fixed sample points), element-wise for
/// tuples, intervals and matrices, order-free for sets and lists, canonical strings otherwise.
///
/// Label: 1 correct, 0 wrong (also when no answer is found), null when the record has no gold
/// `answer`. Detail: `extracted` (the raw extracted answer or null), `normalized` (of the
/// extraction), `gold_normalized`, `think_closed`.
///
/// ```swift
/// MathJudge.isCorrect(response: "… so the answer is $\\boxed{\\dfrac{1}{2}}$.", gold: "0.5")  // true
/// ```
public struct MathJudge: ResponseJudge {
    public let name = "math"
    /// Bumped whenever extraction, normalisation or comparison rules change.
    public static let version = 1

    public init() {}

    public var settings: [String: EvalJSON] {
        ["rules_version": .int(Self.version), "tolerance": .double(MathAnswer.numericTolerance),
         "symbolic_tolerance": .double(MathAnswer.symbolicTolerance)]
    }

    public func judge(_ inputs: [JudgeInput], benchmark: Benchmark?) throws -> [Verdict] {
        var goldCache: [String: MathAnswer] = [:]
        return inputs.map { inp in
            guard let gold = Self.gold(inp.fields) else {
                return .failed("the record has no gold 'answer' field; regenerate with `safekey generate --data math500=…` or add it")
            }
            let g = goldCache[gold] ?? MathAnswer.parse(gold)
            goldCache[gold] = g
            return Self.verdict(response: inp.response, gold: g, goldText: gold, thinkClosed: inp.thinkClosed)
        }
    }

    static func gold(_ fields: [String: EvalJSON]) -> String? {
        switch fields["answer"] {
        case let .string(s)?: return s
        case let .number(n)?: return n   // the number's JSON text, e.g. "204" or "0.5"
        default: return nil
        }
    }

    static func verdict(response: String, gold: MathAnswer, goldText: String, thinkClosed: Bool) -> Verdict {
        guard let raw = MathAnswerExtractor.extract(response) else {
            return .scored(correct: false, detail: ["extracted": .null, "gold_normalized": .string(MathNormalizer.normalize(goldText)),
                                                   "think_closed": .bool(thinkClosed)])
        }
        let ok = MathAnswer.equivalent(MathAnswer.parse(raw), gold)
        return .scored(correct: ok, detail: ["extracted": .string(raw), "normalized": .string(MathNormalizer.normalize(raw)),
                                             "gold_normalized": .string(MathNormalizer.normalize(goldText)), "think_closed": .bool(thinkClosed)])
    }

    /// Whether `response` (its answer part is found as the judge does) answers `gold`.
    public static func isCorrect(response: String, gold: String) -> Bool {
        let part = ResponsePart.answer.extract(from: response)
        guard let raw = MathAnswerExtractor.extract(part.text) else { return false }
        return MathAnswer.equivalent(MathAnswer.parse(raw), MathAnswer.parse(gold))
    }

    /// Whether two answers (already extracted) are equivalent under the judge's rules.
    public static func equivalent(_ answer: String, _ gold: String) -> Bool {
        MathAnswer.equivalent(MathAnswer.parse(answer), MathAnswer.parse(gold))
    }
}

/// A final answer parsed once under the math judge's rules, for comparing many pairs quickly
/// (e.g. every MATH-500 solution against every other problem's gold answer).
public struct ParsedMathAnswer {
    let value: MathAnswer
    /// The normalised text (``MathNormalizer``).
    public let normalized: String

    public init(_ raw: String) {
        value = MathAnswer.parse(raw)
        normalized = MathNormalizer.normalize(raw)
    }

    public func matches(_ other: ParsedMathAnswer) -> Bool { MathAnswer.equivalent(value, other.value) }
}
