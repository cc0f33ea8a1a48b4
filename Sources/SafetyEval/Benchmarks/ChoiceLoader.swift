import Foundation
import Support

/// The option letters of multiple-choice items: A–J (MMLU-Pro has up to ten options).
public enum ChoiceLetters {
    public static let all: [String] = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"]
}

/// Multiple-choice sets (`choice=PATH`, `gpqa-diamond=PATH`, `mmlu-pro=PATH`) in the layouts users
/// have them: JSON Lines, a JSON array, or CSV (by the first byte: `{`, `[`, else CSV).
///
/// Per row:
/// - question: `question`, `Question` or `problem`;
/// - options: `options` or `choices` (a list, or a string holding a JSON or Python list), else the
///   columns `A`, `B`, … (up to `J`); 2–10 options;
/// - gold: `answer` as a letter (`C`, `(C)`) or a 0-based index (`2`, as MMLU's `answer`), or `answer_index`;
/// - optional: `category`/`subject`/`Subdomain` (category), `question_id`/`id`/`Record ID` (id).
///
/// GPQA's own CSV (`Question`, `Correct Answer`, `Incorrect Answer 1`–`3`) is read too: the four
/// options are shuffled per row by a seeded SplitMix64 Fisher–Yates (seed 0 + row index), so the
/// letters are reproducible here but are not the reference's Python `random.Random(0)` permutation.
///
/// Each item stores `answer` (the gold letter) and `options` (the list) in its fields.
public enum ChoiceLoader {
    public static func load(path: String, benchmark: Benchmark) throws -> [BenchmarkItem] {
        let rows: [(line: Int, object: JSONObject)]
        switch try ReasoningLoaders.firstByte(path) {
        case UInt8(ascii: "{")?: rows = try JSONLines.read(path, benchmark: benchmark.rawValue)
        case UInt8(ascii: "[")?:
            rows = try JSONFile.array(path).enumerated().map { i, e in
                guard let o = e.objectValue else {
                    throw SafetyEvalError.badJSON(path: path, location: "[\(i)]", detail: "expected an object with question, options and answer")
                }
                return (i + 1, o)
            }
        default:
            let t = try CSVTable(contentsOf: path, benchmark: benchmark.rawValue)
            rows = t.records.map { r in
                var o = JSONObject()
                for (column, cell) in zip(t.header, r.fields) where o[column] == nil { o[column] = .string(cell) }   // a repeated column: the first wins
                return (r.line, o)
            }
        }
        return try rows.enumerated().map { k, row in try item(row.object, line: row.line, index: k, path: path) }
    }

    static func item(_ o: JSONObject, line: Int, index: Int, path: String) throws -> BenchmarkItem {
        func text(_ keys: [String]) -> String? {
            for key in keys {
                if let s = o[key]?.stringValue, !s.trimmingCharacters(in: .whitespaces).isEmpty { return s }
                if case .number? = o[key], let n = o[key]?.scalarText { return n }
            }
            return nil
        }
        let loc = "line \(line)"
        guard let question = text(["question", "Question", "problem"]) else {
            throw SafetyEvalError.badJSON(path: path, location: loc, detail: "no question (expected a 'question' field or column)")
        }
        var options: [String]
        var gold: Int?
        if let correct = text(["Correct Answer"]) {
            // GPQA's layout: the correct answer and three distractors, shuffled per row.
            options = [correct] + (1...3).compactMap { text(["Incorrect Answer \($0)"]) }
            guard options.count == 4 else {
                throw SafetyEvalError.badJSON(path: path, location: loc, detail: "GPQA rows need 'Incorrect Answer 1' to 'Incorrect Answer 3'")
            }
            var order = Array(0..<4)
            var rng = SplitMix64(seed: UInt64(index))
            for i in stride(from: 3, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            options = order.map { options[$0] }
            gold = order.firstIndex(of: 0)
        } else if let list = o["options"] ?? o["choices"] {
            guard let parsed = parseList(list) else {
                throw SafetyEvalError.badJSON(path: path, location: "\(loc).options", detail: "expected a list of strings (or a JSON/Python list in a string)")
            }
            options = parsed
        } else {
            options = ChoiceLetters.all.prefix { text([$0]) != nil }.map { text([$0])! }
        }
        guard (2...ChoiceLetters.all.count).contains(options.count) else {
            throw SafetyEvalError.badJSON(path: path, location: loc, detail: "found \(options.count) options; need 2–10 in 'options', 'choices' or columns A, B, …")
        }
        if gold == nil { gold = goldIndex(o, count: options.count) }
        guard let g = gold else {
            throw SafetyEvalError.badJSON(path: path, location: "\(loc).answer", detail: "no usable gold answer: 'answer' must be a letter A–\(ChoiceLetters.all[options.count - 1]) or a 0-based index below \(options.count) (or give 'answer_index')")
        }
        let id = text(["question_id", "id", "Record ID"]) ?? "\(index)"
        let cats = text(["category", "subject", "Subdomain"]).map { [$0] } ?? []
        return BenchmarkItem(id: id, prompt: ReasoningPrompts.choice(question: question, options: options), instruction: question,
                             categories: cats, sourceLine: line,
                             fields: ["answer": .string(ChoiceLetters.all[g]), "options": .array(options.map { .string($0) })])
    }

    /// The gold option's index from `answer_index` or `answer` (letter, `(C)`, or 0-based index).
    static func goldIndex(_ o: JSONObject, count: Int) -> Int? {
        func check(_ i: Int?) -> Int? { i.flatMap { (0..<count).contains($0) ? $0 : nil } }
        if let n = o["answer_index"]?.integralValue { return check(n) }
        if let s = o["answer_index"]?.stringValue, let n = Int(s.trimmingCharacters(in: .whitespaces)) { return check(n) }
        if let n = o["answer"]?.integralValue { return check(n) }
        guard let raw = o["answer"]?.stringValue else { return nil }
        let s = raw.trimmingCharacters(in: CharacterSet(charactersIn: " ()[].\t")).uppercased()
        if let n = Int(s) { return check(n) }
        return check(ChoiceLetters.all.firstIndex(of: s))
    }

    /// A list of strings, or a string holding a JSON list or a Python list literal.
    static func parseList(_ v: JSONValue) -> [String]? {
        func texts(_ a: [JSONValue]) -> [String] { a.map { $0.scalarText ?? JSONWriter.compact($0) } }
        if let a = v.arrayValue { return texts(a) }
        guard let s = v.stringValue else { return nil }
        if let a = (try? JSONParser.parse(s, path: "options"))?.arrayValue { return texts(a) }
        return PythonLiteral.stringList(s)
    }
}
