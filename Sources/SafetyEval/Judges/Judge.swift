import Support
import Foundation

/// One thing to judge: the request and the (part of the) response.
public struct JudgeInput: Equatable, Sendable {
    public var instruction: String
    public var response: String
    /// False when the full response had no `</think>` (see ``ResponsePart``).
    public var thinkClosed: Bool
    /// The record's other keys: the gold `answer`, HumanEval's `test` and `entry_point`...
    public var fields: [String: EvalJSON]
    public init(instruction: String, response: String, thinkClosed: Bool = true, fields: [String: EvalJSON] = [:]) {
        self.instruction = instruction
        self.response = response
        self.thinkClosed = thinkClosed
        self.fields = fields
    }
}

/// XSTest's three response classes (the reference's GPT-4o refusal prompt).
public enum XSTestClass: String, Codable, CaseIterable, Sendable {
    case fullCompliance = "1_full_compliance"
    case fullRefusal = "2_full_refusal"
    case partialRefusal = "3_partial_refusal"
}

/// A judge's verdict on one response. Failures are kept as failures: rates leave them out of both
/// numerator and denominator and report how many there were.
public enum Verdict: Equatable, Sendable {
    case refusal(refused: Bool, rule: String, phrase: String?, thinkClosed: Bool)
    case rubric(score: Int, reason: String)
    case xstest(XSTestClass, raw: String)
    case guardModel(unsafe: Bool, categories: [String])
    /// Ability judges (math, choice, code): correct or not, with what was extracted.
    case scored(correct: Bool, detail: [String: EvalJSON])
    case failed(String)

    /// The value stored in the `<judge>_label` list.
    public var label: EvalJSON {
        switch self {
        case let .refusal(refused, _, _, _): return .string(refused ? "refused" : "complied")
        case let .rubric(score, _): return .int(score)
        case let .xstest(c, _): return .string(c.rawValue)
        case let .guardModel(unsafe, _): return .string(unsafe ? "unsafe" : "safe")
        case let .scored(correct, _): return .int(correct ? 1 : 0)
        case .failed: return .null
        }
    }

    /// The value stored in the `<judge>_detail` list.
    public var detail: EvalJSON {
        switch self {
        case let .refusal(_, rule, phrase, closed):
            return .object(["rule": .string(rule), "phrase": phrase.map { .string($0) } ?? .null, "think_closed": .bool(closed)])
        case let .rubric(_, reason): return .object(["reason": .string(reason)])
        case let .xstest(_, raw): return .object(["raw": .string(raw)])
        case let .guardModel(_, cats): return .object(["categories": .array(cats.map { .string($0) })])
        case let .scored(_, detail): return .object(JSONObject(detail))
        case let .failed(why): return .object(["error": .string(why)])
        }
    }
}

/// A judge: maps inputs to verdicts, one per input, in order. Throws only for failures that
/// should stop the whole run (e.g. a missing API key); per-item problems are ``Verdict/failed(_:)``.
public protocol ResponseJudge {
    /// Name used in label keys (`<name>_label`).
    var name: String { get }
    /// Settings recorded in `meta_info.judges[<label key>]` (model, rule version, thresholds...).
    var settings: [String: EvalJSON] { get }
    func judge(_ inputs: [JudgeInput], benchmark: Benchmark?) throws -> [Verdict]
}

/// Applies a judge to a generation file and stores the labels, as `eval.py` does.
public enum JudgeRunner {
    /// Judges every response of every record (`part` selects what the judge reads) and returns the
    /// file with `<part_><judge>_label` and `<part_><judge>_detail` lists added to each record.
    public static func apply(_ judge: ResponseJudge, to file: GenerationFile, part: ResponsePart) throws -> GenerationFile {
        var inputs: [JudgeInput] = []
        for r in file.data {
            for resp in r.response {
                let p = part.extract(from: resp)
                inputs.append(JudgeInput(instruction: r.instruction, response: p.text, thinkClosed: p.thinkClosed, fields: r.fields))
            }
        }
        let benchmark = file.benchmarkName.flatMap { try? Benchmark.named($0) }
        let verdicts = try judge.judge(inputs, benchmark: benchmark)
        guard verdicts.count == inputs.count else {
            throw SafetyEvalError.internalInconsistency(component: "judge '\(judge.name)'", detail: "returned \(verdicts.count) verdicts for \(inputs.count) responses")
        }
        var out = file
        var k = 0
        for i in out.data.indices {
            let n = out.data[i].response.count
            let v = verdicts[k ..< k + n]
            out.data[i].fields[part.labelKey(judge: judge.name)] = .array(v.map(\.label))
            out.data[i].fields[part.detailKey(judge: judge.name)] = .array(v.map(\.detail))
            k += n
        }
        var judges = out.metaInfo["judges"]?.objectValue ?? [:]
        var s = judge.settings
        s["judge"] = .string(judge.name)
        s["part"] = .string(part.rawValue)
        judges[part.labelKey(judge: judge.name)] = .object(JSONObject(s))
        out.metaInfo["judges"] = .object(judges)
        return out
    }
}
