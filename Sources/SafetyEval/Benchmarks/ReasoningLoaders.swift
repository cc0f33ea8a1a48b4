import Foundation
import Support

/// The user messages of the general-ability benchmarks. Each item's `instruction` is the bare
/// problem (for HumanEval the function stub the completion is appended to); `prompt` wraps it.
public enum ReasoningPrompts {
    /// MATH-500: DeepSeek-R1's recommended math instruction (the reference's own MATH template asks
    /// for an `Answer:` line instead; the math judge reads both, see ``MathAnswerExtractor``).
    public static func math(_ problem: String) -> String {
        "\(problem)\nPlease reason step by step, and put your final answer within \\boxed{}."
    }

    /// AIME 2024: the reference's `aime_eval.py` `QUERY_TEMPLATE`.
    public static func aime(_ problem: String) -> String {
        "Solve the following AIME math problem step by step. The last line of your response should be of the form \\boxed{X} where X is the answer to the problem.\n\n\(problem)\n\nIMPORTANT: Your final answer MUST be in the format \\boxed{X} where X is your numerical answer. This is critical for automated evaluation."
    }

    /// HumanEval: the reference's `humaneval_eval.py` instruction followed by the function stub.
    public static func humanEval(_ stub: String) -> String {
        "Read the following function signature and docstring, and fully implement the function described. Your response should only contain the code for this function.\n\(stub)"
    }

    /// Multiple choice: the reference's `mmlu_pro_eval.py` `QUERY_TEMPLATE` (its `{options}` is a
    /// Python list repr such as `['A', 'B', 'C', 'D']`, kept as the reference renders it), options
    /// written `(A): text`, one per line.
    public static func choice(question: String, options: [String]) -> String {
        let letters = ChoiceLetters.all.prefix(max(1, min(options.count, ChoiceLetters.all.count)))
        let list = "[" + letters.map { "'\($0)'" }.joined(separator: ", ") + "]"
        let formatted = zip(ChoiceLetters.all, options).map { "(\($0)): \($1.trimmingCharacters(in: .whitespacesAndNewlines))" }.joined(separator: "\n")
        return "Answer the following multiple choice question. Think step by step before answering.\n\nIMPORTANT: Your final answer MUST be in the format \"ANSWER: X\" where X is one of the option letters \(list).\nFor example, if you think option B is correct, the last line of your response should be exactly \"ANSWER: B\".\n\nQuestion: \(question)\n\nOptions:\n\(formatted)"
    }
}

/// Loaders of the reasoning benchmarks the paper reports general ability on. Each item keeps its
/// gold answer in ``BenchmarkItem/fields`` (`answer`; HumanEval also `test` and `entry_point`), so the
/// generation file carries everything the math, choice and code judges need.
public enum ReasoningLoaders {
    /// MATH-500 JSONL (`problem`, `answer`; optional `subject` as category, `level`, `unique_id` as id).
    public static func math500(path: String) throws -> [BenchmarkItem] {
        try JSONLines.read(path, benchmark: "math500").map { line, obj in
            let problem = try string(obj, "problem", path: path, line: line)
            let answer = try string(obj, "answer", path: path, line: line)
            var f: [String: EvalJSON] = ["answer": .string(answer)]
            if let level = obj["level"]?.integralValue { f["level"] = .int(level) }
            let subject = obj["subject"]?.stringValue.map { [$0] } ?? []
            let id = obj["unique_id"]?.stringValue ?? obj["id"]?.stringValue ?? "\(line)"
            return BenchmarkItem(id: id, prompt: ReasoningPrompts.math(problem), instruction: problem, categories: subject,
                                 sourceLine: line, fields: f)
        }
    }

    /// AIME 2024: a JSON array (or JSONL) of `{id, problem, answer}`; leading zeros of the answer
    /// are dropped (`"033"` → `"33"`), as the reference's loader does.
    public static func aime(path: String) throws -> [BenchmarkItem] {
        let rows: [(line: Int, object: JSONObject)]
        if try firstByte(path) == UInt8(ascii: "[") {
            rows = try JSONFile.array(path).enumerated().map { i, e in
                guard let o = e.objectValue else {
                    throw SafetyEvalError.badJSON(path: path, location: "[\(i)]", detail: "expected an object with 'problem' and 'answer'")
                }
                return (i + 1, o)
            }
        } else {
            rows = try JSONLines.read(path, benchmark: "aime2024")
        }
        return try rows.map { line, obj in
            let problem = try string(obj, "problem", path: path, line: line)
            var answer = try string(obj, "answer", path: path, line: line).trimmingCharacters(in: .whitespaces)
            if !answer.isEmpty, answer.allSatisfy(\.isNumber) { answer = String(answer.drop { $0 == "0" }); if answer.isEmpty { answer = "0" } }
            let id = obj["id"]?.integralValue.map { "\($0)" } ?? obj["id"]?.stringValue ?? "\(line)"
            return BenchmarkItem(id: id, prompt: ReasoningPrompts.aime(problem), instruction: problem, sourceLine: line,
                                 fields: ["answer": .string(answer)])
        }
    }

    /// HumanEval JSONL, gzip-compressed or not (`task_id`, `prompt`, `entry_point`, `canonical_solution`, `test`).
    /// `instruction` is the function stub (`prompt`), which the code judge prepends to completions.
    public static func humanEval(path: String) throws -> [BenchmarkItem] {
        try JSONLines.read(path, benchmark: "humaneval").map { line, obj in
            let stub = try string(obj, "prompt", path: path, line: line)
            var f: [String: EvalJSON] = ["test": .string(try string(obj, "test", path: path, line: line)),
                                         "entry_point": .string(try string(obj, "entry_point", path: path, line: line))]
            if let c = obj["canonical_solution"]?.stringValue { f["answer"] = .string(c) }
            return BenchmarkItem(id: obj["task_id"]?.stringValue ?? "\(line)", prompt: ReasoningPrompts.humanEval(stub), instruction: stub,
                                 sourceLine: line, fields: f)
        }
    }

    /// A required string (numbers are written as text: some copies store answers as numbers).
    static func string(_ obj: JSONObject, _ key: String, path: String, line: Int) throws -> String {
        if let s = obj[key]?.stringValue, !s.isEmpty { return s }
        if case .number? = obj[key], let n = obj[key]?.scalarText { return n }
        throw SafetyEvalError.badJSON(path: path, location: "line \(line).\(key)", detail: "missing or empty; every item needs '\(key)'")
    }

    static func firstByte(_ path: String) throws -> UInt8? {
        guard let h = FileHandle(forReadingAtPath: path) else {
            throw SafetyEvalError.unreadable(path: path, reason: "no such file or not readable")
        }
        defer { try? h.close() }
        let d = h.readData(ofLength: 4096)
        return d.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
    }
}
