import Foundation
import Support

/// One SafeKey / STAR-1 training record, response normalised (shared/METHOD.md, "Data").
///
/// Input shape (JSON object; extra keys are kept in ``fields`` and written back untouched):
/// `{"question": str, "response": "<think>…</think>…", "source": str, "category": [str] | "['…']",
///   "summary_end_idx": int?, "next_sentence_end_idx": int?, "unsafe": bool|0|1?, "id": str?,
///   "conversation": [{"role": str, "content": str}]?}` (``turns()``)
///
/// `summary_end_idx` / `next_sentence_end_idx` are Unicode-scalar offsets into
/// ``response``'s normalised text: U = `a[:summary_end_idx]` (it includes `<think>\n`),
/// K = `a[summary_end_idx:next_sentence_end_idx]`.
public struct SafeKeyRecord: Sendable {
    /// 0-based position in the input file.
    public var index: Int
    /// 1-based line where the record starts in the input file.
    public var line: Int
    /// `id` if present (STAR-1 ids are numeric strings; a number is converted to its decimal text).
    public var id: String?
    public var question: String
    public var response: NormalizedResponse
    public var source: String
    /// Categories: a JSON list, or STAR-1's Python-repr string of a list, or one plain string.
    public var category: [String]
    public var summaryEndIdx: Int?
    public var nextSentenceEndIdx: Int?
    /// Label: 1 = harmful query. `source != "4o_rewrite"` unless the record says `unsafe`.
    public var unsafe: Bool
    /// The record's original JSON object (all keys in file order, numbers as written).
    public var fields: JSONObject

    /// U's text `a[:summary_end_idx]`, when offsets are present.
    public var understanding: String? {
        summaryEndIdx.map { response.text.string(0..<$0) }
    }
    /// K's text `a[summary_end_idx:next_sentence_end_idx]`, when offsets are present.
    public var keySentence: String? {
        guard let s = summaryEndIdx, let n = nextSentenceEndIdx else { return nil }
        return response.text.string(s..<n)
    }

    /// The turns the response answers: the record's `conversation` when it has one — a list of
    /// `{"role", "content"}` objects ending with a user turn, as SafetyWorld's multi-turn records
    /// carry (`question` then holds a one-turn flattening) — else the single user turn `question`.
    /// Throws `TrainingError.encoding` naming the line when `conversation` is present but not that.
    public func turns() throws -> [(role: String, content: String)] {
        guard let value = fields["conversation"] else { return [(role: "user", content: question)] }
        let list = value.arrayValue ?? []
        let turns = list.compactMap { t -> (role: String, content: String)? in
            guard let role = t["role"]?.stringValue, let content = t["content"]?.stringValue else { return nil }
            return (role, content)
        }
        guard !turns.isEmpty, turns.count == list.count, turns.last?.role == "user" else {
            throw TrainingError.encoding(line: line, detail: "\"conversation\" must be a list of {\"role\": str, \"content\": str} objects ending with a user turn")
        }
        return turns
    }

    /// A key that identifies the record across runs (resume): `id:<id>` when it has one, else
    /// `q:<fingerprint of question>#<index>`.
    public var resumeKey: String {
        if let id { return "id:" + id }
        return "q:" + ScalarText.fingerprint(question) + "#\(index)"
    }
}

extension SafeKeyRecord {
    /// Parses STAR-1's category field: a JSON array of strings, a Python-repr list string such as
    /// `"['Illicit / Criminal Behavior', 'Privacy / Personal Data']"`, or one plain string.
    /// Returns nil when the value has another type.
    public static func parseCategory(_ value: JSONValue) -> [String]? {
        if let list = value.arrayValue { return list.compactMap(\.stringValue) }
        guard let s = value.stringValue else { return nil }
        let t = s.trimmingCharacters(in: .whitespaces)
        guard t.hasPrefix("["), t.hasSuffix("]") else { return t.isEmpty ? [] : [t] }
        // Python list of string literals: quoted items ('…' or "…", backslash escapes) between commas.
        var items: [String] = []
        var cur = "", quote: Character? = nil, escaped = false
        for ch in t.dropFirst().dropLast() {
            if let q = quote {
                if escaped { cur.append(ch); escaped = false }
                else if ch == "\\" { escaped = true }
                else if ch == q { items.append(cur); cur = ""; quote = nil }
                else { cur.append(ch) }
            } else if ch == "'" || ch == "\"" {
                quote = ch
            }
        }
        return items
    }
}
