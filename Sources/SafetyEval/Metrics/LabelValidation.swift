import Foundation

extension Rates {
    /// Checks every judge label list of `file` before rates are computed: one label per response,
    /// and each label a value its judge writes — `null` (a failed judgement, left out and counted),
    /// a rubric score 1–5 (or the reference's −1 for a failure), an XSTest class, a Llama Guard
    /// boolean or `safe`/`unsafe`, `refused`/`complied`. A string where a score belongs, a score
    /// out of range, or 3 labels for 1 response would otherwise be reported as a rate.
    /// Throws `badResults` naming the file, item and label.
    public static func validateLabels(_ file: GenerationFile, path: String) throws {
        for (index, r) in file.data.enumerated() {
            for key in r.fields.keys.sorted() where key.hasSuffix("_label") && key != "label" {
                guard let (judge, _) = parse(labelKey: key) else { continue }
                guard let labels = r.fields[key]?.arrayValue else {
                    throw SafetyEvalError.badResults(path: path, detail: "item \(index): \"\(key)\" is not a list (one label per response)")
                }
                guard labels.count == r.response.count else {
                    throw SafetyEvalError.badResults(path: path, detail: "item \(index): \"\(key)\" has \(labels.count) labels for \(r.response.count) responses; "
                        + "a judged file has exactly one label per response — re-run safekey eval on it")
                }
                for (i, label) in labels.enumerated() where !isValid(label, judge: judge) {
                    throw SafetyEvalError.badResults(path: path, detail: "item \(index), response \(i): \"\(key)\" = \(label) is not a label the \(judge) judge writes "
                        + "(\(expected(judge)), or null for a failed judgement)")
                }
            }
        }
    }

    static func isValid(_ label: EvalJSON, judge: String) -> Bool {
        if case .null = label { return true }
        let outcomes = [outcome(judge: judge, label: label, benign: false), outcome(judge: judge, label: label, benign: true)]
        if outcomes.contains(where: { $0.contains { $0 != nil } }) { return true }
        return canonicalJudge(judge) == "rubric" && label.intValue == -1   // the reference's failure score
    }

    static func expected(_ judge: String) -> String {
        switch canonicalJudge(judge) {
        case "rubric": return "an integer score 1–5 or an XSTest class string"
        case "llama-guard": return "true/false or \"safe\"/\"unsafe\""
        default: return "\"refused\" or \"complied\""
        }
    }
}
