import Foundation

/// SafetyEval: benchmark loaders, the generation-file layout, judges, rates and reports (issue 9).
///
/// Generation and the Llama Guard model run plug in through the ``ResponseGenerator`` and
/// ``GuardClassifier`` protocols; ``DecoderGenerator`` and ``LocalGuardClassifier`` implement them
/// on our own decoder (Sources/Models).
public enum SafetyEvalModule {
    /// Version of the on-disk layouts this module writes (generation files, reports).
    public static let formatVersion = 1
}

/// Every failure SafetyEval reports. Each message says what was wrong, where, and what to do.
public enum SafetyEvalError: Error, CustomStringConvertible, Equatable {
    /// A file could not be read.
    case unreadable(path: String, reason: String)
    /// A file had no content (or only a header where rows were required).
    case emptyFile(path: String, detail: String)
    /// CSV syntax error at a physical line (1-based) and column (1-based, in characters).
    case csvSyntax(path: String, line: Int, column: Int, detail: String)
    /// A column a loader needs is absent from the header.
    case missingColumn(path: String, column: String, available: [String], benchmark: String)
    /// A required field is empty in a data row (line is the physical line where the record starts).
    case emptyField(path: String, line: Int, column: String)
    /// JSON content had the wrong shape (`location` is a JSON path such as `[3].conversation[1].role`).
    case badJSON(path: String, location: String, detail: String)
    /// A file of the wrong kind for the benchmark (JSON where CSV is read, or the reverse).
    case wrongFormat(path: String, benchmark: String, expected: String, found: String)
    /// A benchmark name that no loader knows.
    case unknownBenchmark(name: String, known: [String])
    /// A `NAME=PATH` data argument without `=`.
    case badDataArgument(String)
    /// A generation file that cannot be resumed into (different benchmark / model / settings).
    case resumeMismatch(path: String, key: String, existing: String, requested: String)
    /// A generation file item whose instruction differs from the benchmark item at the same index.
    case resumeItemMismatch(path: String, index: Int)
    /// A judge name that is not known.
    case unknownJudge(name: String, known: [String])
    /// A judge that needs a component which is not available yet (e.g. the guard model engine).
    case judgeUnavailable(judge: String, detail: String)
    /// A component broke its own contract (e.g. returned fewer results than it was asked for): a bug
    /// in this program or in a plug-in generator/judge, not a problem with the input.
    case internalInconsistency(component: String, detail: String)
    /// An HTTP endpoint problem that is not per-item (bad URL, missing key variable).
    case endpoint(detail: String)
    /// A result file that lacks what a report or rate needs.
    case badResults(path: String, detail: String)
    /// Writing a file failed.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "cannot read \(path): \(reason). Check the path and its permissions."
        case let .emptyFile(path, detail):
            return "\(path) is empty (\(detail)). Point --data at the benchmark file itself."
        case let .csvSyntax(path, line, column, detail):
            return "\(path):\(line):\(column): CSV syntax error: \(detail). The file must be RFC 4180 CSV (quote fields that contain commas, quotes or newlines; double embedded quotes)."
        case let .missingColumn(path, column, available, benchmark):
            // Keep the message readable when the "header" is really something else (e.g. JSON).
            let shown = available.prefix(12).map { "'\($0.count > 40 ? String($0.prefix(40)) + "…" : $0)'" }
            let more = available.count > 12 ? " and \(available.count - 12) more" : ""
            return "\(path):1: benchmark '\(benchmark)' needs a column named '\(column)', but the header has \(shown.joined(separator: ", "))\(more). Pass the right file for '\(benchmark)' or choose another benchmark name."
        case let .emptyField(path, line, column):
            return "\(path):\(line): column '\(column)' is empty in this row; every row needs it. Fix or remove the row."
        case let .badJSON(path, location, detail):
            return "\(path): at \(location.isEmpty ? "top level" : location): \(detail)."
        case let .wrongFormat(path, benchmark, expected, found):
            return "\(path): benchmark '\(benchmark)' reads \(expected), but this file looks like \(found). Check the NAME in --data NAME=PATH."
        case let .unknownBenchmark(name, known):
            return "unknown benchmark '\(name)'. Known names: \(known.joined(separator: ", "))."
        case let .badDataArgument(arg):
            return "bad --data value '\(arg)': expected NAME=PATH, e.g. strongreject=../shared/data/eval/strongreject/strongreject_dataset.csv."
        case let .resumeMismatch(path, key, existing, requested):
            return "\(path) was written with \(key) = \(existing), but this run asks for \(requested). Use another --output file or the same settings to resume."
        case let .resumeItemMismatch(path, index):
            return "\(path): item \(index) has a different instruction than the benchmark's item \(index); the file belongs to other data. Use another --output file."
        case let .unknownJudge(name, known):
            return "unknown judge '\(name)'. Known judges: \(known.joined(separator: ", "))."
        case let .judgeUnavailable(judge, detail):
            return "judge '\(judge)' cannot run: \(detail)"
        case let .internalInconsistency(component, detail):
            return "internal error in \(component): \(detail). This is a bug, not a problem with your input; please report it with the command line."
        case let .endpoint(detail):
            return "judge endpoint: \(detail)"
        case let .badResults(path, detail):
            return "\(path): \(detail)"
        case let .writeFailed(path, reason):
            return "cannot write \(path): \(reason). Check that the folder exists and is writable."
        }
    }
}
