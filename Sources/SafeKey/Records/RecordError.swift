/// What can go wrong reading SafeKey / STAR-1 records. Each message says what, where (file, line,
/// record index, key, offset) and what to do.
public enum RecordError: Error, CustomStringConvertible, Equatable {
    /// The file could not be read at all.
    case unreadable(path: String, reason: String)
    /// A JSON-array file that is not valid JSON (JSONL files report bad lines as bad records).
    case notJSON(path: String, reason: String)
    /// `--strict`: the first bad record stops the run.
    case badRecord(RecordIssue)
    /// Not a single usable record.
    case noUsableRecords(path: String, total: Int, summary: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "cannot read records file \(path): \(reason) — check the path and permissions"
        case let .notJSON(path, reason):
            return "\(path) is neither a JSON array nor JSON Lines: \(reason) — records must be one JSON object per line, or a single JSON array of objects"
        case let .badRecord(issue):
            return "\(issue) (strict mode: fix the record or drop --strict to skip bad records)"
        case let .noUsableRecords(path, total, summary):
            return total == 0
                ? "\(path) holds no records — expected a JSON array or JSON Lines of objects with question/response/source"
                : "\(path): none of its \(total) records is usable (\(summary)) — see the warnings above"
        }
    }
}

/// Why one record was skipped.
public enum RecordIssueKind: String, CaseIterable, Sendable {
    case invalidJSON = "invalid JSON"
    case notAnObject = "not a JSON object"
    case missingField = "missing or mistyped field"
    case noThinkBlock = "no <think>…</think> block"
    case missingOffsets = "missing offsets"
    case badOffsets = "offsets out of order or range"
}

/// One skipped record: where it is and why.
public struct RecordIssue: Error, CustomStringConvertible, Equatable, Sendable {
    public let path: String
    /// 1-based line where the record starts in the file.
    public let line: Int
    /// 0-based position of the record in the file (array element or non-empty line).
    public let index: Int
    public let kind: RecordIssueKind
    public let detail: String

    public var description: String {
        "\(path):\(line): record #\(index) skipped — \(kind.rawValue): \(detail)"
    }
}
