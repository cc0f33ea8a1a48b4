import Foundation
import Support

/// Reads SafeKey / STAR-1 records from a JSON array or JSON Lines file (detected from the first
/// non-blank byte: `[` = array). Bad records are skipped with a ``RecordIssue`` naming the line
/// and counted in ``RecordReadReport``; `strict` turns the first one into ``RecordError/badRecord``.
///
/// ```swift
/// let (records, report) = try RecordReader.read(path: "STAR-1.json") { print($0) }
/// print(report.summary)   // "1000 records: 1000 kept, 0 skipped"
/// ```
public enum RecordReader {
    /// Reading options.
    public struct Options: Sendable {
        /// Offsets must be present (training, encoding). When false they are optional, but any
        /// offsets that are present must still be valid.
        public var requireOffsets: Bool
        /// Stop at the first bad record instead of skipping it.
        public var strict: Bool
        public init(requireOffsets: Bool = false, strict: Bool = false) {
            self.requireOffsets = requireOffsets
            self.strict = strict
        }
    }

    /// Reads and validates `path`. Throws ``RecordError`` when the file is unreadable, not JSON,
    /// holds no usable record, or (strict) holds a bad one. `warn` receives each skipped record.
    public static func read(path: String, options: Options = Options(),
                            warn: (RecordIssue) -> Void = { _ in }) throws -> ([SafeKeyRecord], RecordReadReport) {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw RecordError.unreadable(path: path, reason: error.localizedDescription)
        }
        return try parse(data: data, path: path, options: options, warn: warn)
    }

    /// Like ``read(path:options:warn:)`` on bytes already in memory; `path` names them in messages.
    public static func parse(data: Data, path: String, options: Options = Options(),
                             warn: (RecordIssue) -> Void = { _ in }) throws -> ([SafeKeyRecord], RecordReadReport) {
        var records: [SafeKeyRecord] = []
        var report = RecordReadReport(path: path)
        for (line, index, value) in try elements(data: data, path: path) {
            report.total += 1
            switch value.flatMap({ validate($0, path: path, line: line, index: index, options: options) }) {
            case .success(let r): records.append(r); report.kept += 1
            case .failure(let issue):
                if options.strict { throw RecordError.badRecord(issue) }
                report.skipped.append(issue)
                warn(issue)
            }
        }
        if records.isEmpty {
            throw RecordError.noUsableRecords(path: path, total: report.total, summary: report.summary)
        }
        return (records, report)
    }

    /// Top-level elements with their 1-based start line and 0-based index.
    static func elements(data: Data, path: String) throws -> [(Int, Int, Result<JSONValue, RecordIssue>)] {
        let bytes = [UInt8](data)
        var start = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }  // UTF-8 BOM
        var i = start
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        if i < bytes.count, bytes[i] == UInt8(ascii: "[") {
            let body = Array(bytes[start...])
            let parsed: JSONValue
            do { parsed = try JSONParser.parse(body, path: path) } catch let e as JSONError {
                let at = e.lineAndColumn(in: body)
                throw RecordError.notJSON(path: path, reason: "the file starts with '[' but is not valid JSON: line \(at.line), column \(at.column) "
                                          + "(byte \(e.offset + start)): \(e.detail)")
            }
            guard let array = parsed.arrayValue else { throw RecordError.notJSON(path: path, reason: "top level is not an array") }
            let lines = arrayElementLines(bytes, from: i)
            return array.enumerated().map { (k, v) in (k < lines.count ? lines[k] : 0, k, .success(v)) }
        }
        // JSON Lines: one value per non-blank line.
        var out: [(Int, Int, Result<JSONValue, RecordIssue>)] = []
        var lineNo = 1, lineStart = start, index = 0
        var p = start
        while p <= bytes.count {
            if p == bytes.count || bytes[p] == 0x0A {
                var lo = lineStart, hi = p
                while lo < hi, bytes[lo] == 0x20 || bytes[lo] == 0x09 || bytes[lo] == 0x0D { lo += 1 }
                while hi > lo, bytes[hi - 1] == 0x20 || bytes[hi - 1] == 0x09 || bytes[hi - 1] == 0x0D { hi -= 1 }
                if lo < hi {
                    do {
                        out.append((lineNo, index, .success(try JSONParser.parse(Array(bytes[lo..<hi]), path: path))))
                    } catch let e as JSONError {
                        out.append((lineNo, index, .failure(RecordIssue(path: path, line: lineNo, index: index, kind: .invalidJSON,
                                                                       detail: "this line is not valid JSON (column \(e.offset + lo - lineStart + 1): \(e.detail))"))))
                    }
                    index += 1
                }
                lineNo += 1
                lineStart = p + 1
            }
            p += 1
        }
        return out
    }

    /// 1-based line on which each element of the JSON array starting at `bytes[open]` begins.
    /// A byte scanner that tracks strings and nesting depth; only called on text that parsed.
    static func arrayElementLines(_ bytes: [UInt8], from open: Int) -> [Int] {
        var lines: [Int] = []
        var line = 1
        for b in bytes[..<open] where b == 0x0A { line += 1 }
        var depth = 0, inString = false, escaped = false, expectElement = false
        var i = open
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x0A { line += 1 }
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
            } else {
                let isSpace = b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09
                if depth == 1, expectElement, !isSpace, b != UInt8(ascii: "]") {
                    lines.append(line)
                    expectElement = false
                }
                switch b {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    depth += 1
                    if depth == 1 { expectElement = true }
                case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
                case UInt8(ascii: ","): if depth == 1 { expectElement = true }
                default: break
                }
            }
            i += 1
        }
        return lines
    }

    /// Checks one decoded JSON value and builds the record.
    static func validate(_ value: JSONValue, path: String, line: Int, index: Int, options: Options) -> Result<SafeKeyRecord, RecordIssue> {
        func issue(_ kind: RecordIssueKind, _ detail: String) -> Result<SafeKeyRecord, RecordIssue> {
            .failure(RecordIssue(path: path, line: line, index: index, kind: kind, detail: detail))
        }
        /// The member `key`, nil when absent or JSON null.
        func member(_ key: String) -> JSONValue? { value[key].flatMap { $0.isNull ? nil : $0 } }
        guard let obj = value.objectValue else { return issue(.notAnObject, "expected an object with question/response/source") }
        guard let question = obj["question"]?.stringValue else { return issue(.missingField, "key \"question\" (a string) is missing") }
        guard let raw = obj["response"]?.stringValue else { return issue(.missingField, "key \"response\" (a string) is missing") }
        var unsafeOverride: Bool? = nil
        if let u = member("unsafe") {
            guard let b = boolValue(u) else { return issue(.missingField, "key \"unsafe\" must be true/false or 0/1") }
            unsafeOverride = b
        }
        let source: String
        if let s = obj["source"]?.stringValue { source = s }
        else if unsafeOverride != nil, member("source") == nil { source = "" }
        else { return issue(.missingField, "key \"source\" (a string) is missing — it sets the label (\"4o_rewrite\" = benign); or give \"unsafe\"") }
        var category: [String] = []
        if let c = member("category") {
            guard let parsed = SafeKeyRecord.parseCategory(c) else { return issue(.missingField, "key \"category\" must be a list of strings or a string") }
            category = parsed
        }
        let response: NormalizedResponse
        switch NormalizedResponse.normalize(raw) {
        case .success(let r): response = r
        case .failure: return issue(.noThinkBlock, "key \"response\" has no <think>…</think> block")
        }
        var offsets: [Int?] = []
        for key in ["summary_end_idx", "next_sentence_end_idx"] {
            guard let v = member(key) else { offsets.append(nil); continue }
            guard let n = intValue(v) else { return issue(.badOffsets, "key \"\(key)\" must be an integer, found \(JSONWriter.compact(v))") }
            offsets.append(n)
        }
        let (s, n) = (offsets[0], offsets[1])
        switch (s, n) {
        case (nil, nil):
            if options.requireOffsets {
                return issue(.missingOffsets, "keys \"summary_end_idx\" and \"next_sentence_end_idx\" are required here — run `safekey annotate` to add them")
            }
        case let (s?, n?):
            let len = response.text.count
            guard s > 0, s < n, n <= len else {
                return issue(.badOffsets, "need 0 < summary_end_idx < next_sentence_end_idx <= \(len) (length of the normalised response), found \(s) and \(n)")
            }
        default:
            return issue(.missingOffsets, "only one of \"summary_end_idx\" / \"next_sentence_end_idx\" is present; give both or neither")
        }
        var id: String? = nil
        if let v = obj["id"] { id = v.stringValue ?? (intValue(v).map { String($0) }) }
        return .success(SafeKeyRecord(index: index, line: line, id: id, question: question, response: response,
                                      source: source, category: category, summaryEndIdx: s, nextSentenceEndIdx: n,
                                      unsafe: unsafeOverride ?? (source != "4o_rewrite"), fields: obj))
    }

    /// An integral number below 9e15 in magnitude (`12`, `12.0`, `1.2e1`); nil for anything else,
    /// booleans included.
    static func intValue(_ v: JSONValue) -> Int? { v.integralValue }

    /// `true`/`false`, or the numbers 0 and 1.
    static func boolValue(_ v: JSONValue) -> Bool? {
        if let b = v.boolValue { return b }
        switch intValue(v) { case 0?: return false; case 1?: return true; default: return nil }
    }
}

/// What a read kept and skipped.
public struct RecordReadReport: Sendable {
    public let path: String
    public var total = 0
    public var kept = 0
    public var skipped: [RecordIssue] = []

    public init(path: String) { self.path = path }

    /// Skipped records per kind, in ``RecordIssueKind`` order, kinds with none left out.
    public var skippedByKind: [(RecordIssueKind, Int)] {
        RecordIssueKind.allCases.compactMap { k in
            let n = skipped.filter { $0.kind == k }.count
            return n > 0 ? (k, n) : nil
        }
    }

    /// e.g. `"1000 records: 998 kept, 2 skipped (no <think>…</think> block: 1, missing offsets: 1)"`.
    public var summary: String {
        var s = "\(total) records: \(kept) kept, \(skipped.count) skipped"
        if !skipped.isEmpty { s += " (" + skippedByKind.map { "\($0.0.rawValue): \($0.1)" }.joined(separator: ", ") + ")" }
        return s
    }
}
