import Foundation
import Support

/// Reads a JSON file into a ``JSONValue``, with errors that name the file, and the line and
/// column where the text stops being JSON.
enum JSONFile {
    static func read(_ path: String) throws -> JSONValue {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw SafetyEvalError.unreadable(path: path, reason: error.localizedDescription)
        }
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw SafetyEvalError.emptyFile(path: path, detail: "no JSON content")
        }
        if let first = data.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }), first != UInt8(ascii: "["), first != UInt8(ascii: "{") {
            throw SafetyEvalError.wrongFormat(path: path, benchmark: "multiturn/star1", expected: "a JSON array", found: "CSV or text")
        }
        let bytes = [UInt8](data)
        do { return try JSONParser.parse(bytes, path: path) } catch let e as JSONError {
            let at = e.lineAndColumn(in: bytes)
            throw SafetyEvalError.badJSON(path: path, location: "line \(at.line), column \(at.column) (byte \(e.offset))",
                                          detail: "not valid JSON (\(e.detail)); check the file is complete, strict JSON")
        }
    }

    static func array(_ path: String) throws -> [JSONValue] {
        guard let a = try read(path).arrayValue else {
            throw SafetyEvalError.badJSON(path: path, location: "", detail: "expected a JSON array of objects")
        }
        return a
    }
}

/// Multi-turn attack conversations (the DOOR set SafeKey uses, `door_multiturn_combine.json`):
/// a JSON array of `{"objective": str, "conversation": [{"role", "content"}, ...]}` whose roles
/// alternate user/assistant, start with `user` and end with `user`.
///
/// Each item's `prompt` is the final user turn, `instruction` the `objective` (what the judge holds
/// the final answer against) and `conversation` the whole recorded list. How the assistant turns are
/// produced at generation time (recorded or regenerated) is ``MultiTurnMode``'s business.
public enum MultiTurnLoader {
    public static func load(path: String) throws -> [BenchmarkItem] {
        var out: [BenchmarkItem] = []
        for (i, element) in try JSONFile.array(path).enumerated() {
            guard let obj = element.objectValue else {
                throw SafetyEvalError.badJSON(path: path, location: "[\(i)]", detail: "expected an object with 'objective' and 'conversation'")
            }
            guard let objective = obj["objective"]?.stringValue, !objective.isEmpty else {
                throw SafetyEvalError.badJSON(path: path, location: "[\(i)].objective", detail: "missing or empty string")
            }
            guard let conv = obj["conversation"]?.arrayValue, !conv.isEmpty else {
                throw SafetyEvalError.badJSON(path: path, location: "[\(i)].conversation", detail: "missing or empty list of turns")
            }
            var turns: [ChatTurn] = []
            for (j, t) in conv.enumerated() {
                guard let role = t["role"]?.stringValue, let content = t["content"]?.stringValue else {
                    throw SafetyEvalError.badJSON(path: path, location: "[\(i)].conversation[\(j)]", detail: "expected {\"role\": str, \"content\": str}")
                }
                let expected = j % 2 == 0 ? "user" : "assistant"
                guard role == expected else {
                    throw SafetyEvalError.badJSON(path: path, location: "[\(i)].conversation[\(j)].role",
                                                  detail: "expected '\(expected)' (turns must alternate user/assistant starting with user), found '\(role)'")
                }
                turns.append(ChatTurn(role: role, content: content))
            }
            guard turns.count % 2 == 1 else {
                throw SafetyEvalError.badJSON(path: path, location: "[\(i)].conversation", detail: "must end with a user turn (the one the model answers)")
            }
            out.append(BenchmarkItem(id: "\(i)", prompt: turns[turns.count - 1].content, instruction: objective,
                                     conversation: turns, sourceLine: i + 1))
        }
        return out
    }
}

/// STAR-1 questions (`STAR-1.json`: a JSON array of `{id, question, response, category, source, score}`).
/// `category` is a Python list literal such as `"['Privacy / Personal Data']"`; an item keeps all
/// of its categories. The reference evaluates every fifth question (`[::5]`): ``BenchmarkSelection`` with `stride: 5`.
public enum STAR1QuestionLoader {
    public static func load(path: String) throws -> [BenchmarkItem] {
        var out: [BenchmarkItem] = []
        for (i, element) in try JSONFile.array(path).enumerated() {
            guard let obj = element.objectValue else {
                throw SafetyEvalError.badJSON(path: path, location: "[\(i)]", detail: "expected an object")
            }
            guard let q = obj["question"]?.stringValue, !q.isEmpty else {
                throw SafetyEvalError.badJSON(path: path, location: "[\(i)].question", detail: "missing or empty string")
            }
            var cats: [String] = []
            if let c = obj["category"]?.stringValue {
                guard let parsed = PythonLiteral.stringList(c) else {
                    throw SafetyEvalError.badJSON(path: path, location: "[\(i)].category", detail: "expected a Python list of strings like \"['Self-Harm']\", found \(c.prefix(60))")
                }
                cats = parsed
            } else if let c = obj["category"]?.arrayValue, c.allSatisfy({ $0.stringValue != nil }) {
                cats = c.compactMap(\.stringValue)
            }
            let id = obj["id"]?.stringValue ?? obj["id"]?.intValue.map { "\($0)" } ?? "\(i)"
            out.append(BenchmarkItem(id: id, prompt: q, categories: cats, label: "harmful", sourceLine: i + 1))
        }
        return out
    }
}

/// Parses the few Python literals the data uses.
public enum PythonLiteral {
    /// Parses `['a', "b"]` (single- or double-quoted strings with backslash escapes) into strings;
    /// nil when the text is not such a list.
    public static func stringList(_ text: String) -> [String]? {
        let s = Array(text.trimmingCharacters(in: .whitespacesAndNewlines))
        guard s.first == "[", s.last == "]" else { return nil }
        var out: [String] = []
        var i = 1
        let end = s.count - 1
        func skipSpace() { while i < end, s[i].isWhitespace { i += 1 } }
        skipSpace()
        if i == end { return [] }
        while i < end {
            skipSpace()
            guard i < end, s[i] == "'" || s[i] == "\"" else { return nil }
            let q = s[i]
            i += 1
            var cur = ""
            var closed = false
            while i < end {
                let c = s[i]
                if c == "\\", i + 1 < end {
                    let e = s[i + 1]
                    switch e {
                    case "n": cur.append("\n")
                    case "t": cur.append("\t")
                    default: cur.append(e)
                    }
                    i += 2
                    continue
                }
                if c == q { closed = true; i += 1; break }
                cur.append(c)
                i += 1
            }
            guard closed else { return nil }
            out.append(cur)
            skipSpace()
            if i < end {
                guard s[i] == "," else { return nil }
                i += 1
                skipSpace()
            }
        }
        return out
    }
}
