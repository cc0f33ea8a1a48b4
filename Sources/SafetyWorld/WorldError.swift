/// SafetyWorld: the embedded default of issue 6 — a deterministic synthetic safety-reasoning
/// world (requests in STAR-1's eight categories, benign look-alikes, jailbreak wrappers, reasoning
/// traces with exact U/K offsets) and its exact judge. Foundation only; no model is needed.
///
/// Entry points: ``SafetyWorld/examples(_:count:seed:)`` for sets, ``WorldJudge`` for verdicts.

/// Every failure SafetyWorld reports; each message says what was wrong, where, and what to do.
public enum WorldError: Error, CustomStringConvertible, Equatable {
    /// A negative example count.
    case badCount(Int)
    /// The lexicons could not give that many distinct questions for a set.
    case setExhausted(set: String, requested: Int, produced: Int)
    /// A judge input file could not be read.
    case unreadable(path: String, reason: String)
    /// A line of a JSONL input is not a JSON object with a string `response` (or list of strings).
    case badLine(path: String, line: Int, detail: String)
    /// The demo's base model folder is missing or incomplete.
    case missingBaseModel(path: String)
    /// The world tokenizer folder lacks something the base model needs.
    case badTokenizer(path: String, detail: String)
    /// `safekey demo --seeds N` with N < 1.
    case badSeeds(Int)

    public var description: String {
        switch self {
        case let .badCount(n):
            return "SafetyWorld: count \(n) is negative; ask for 0 or more examples."
        case let .setExhausted(set, requested, produced):
            return "SafetyWorld: set '\(set)' has only \(produced) distinct questions reachable (asked for \(requested)); ask for fewer, or extend the lexicons in Sources/SafetyWorld/Lexicon."
        case let .unreadable(path, reason):
            return "SafetyWorld: cannot read \(path): \(reason). Check the path."
        case let .badLine(path, line, detail):
            return "SafetyWorld: \(path):\(line): \(detail). Each line must be a JSON object with \"response\" (a string or a list of strings) and optionally \"prompt\" and \"prefill\"."
        case let .missingBaseModel(path):
            return "SafetyWorld: no base model at \(path); run `safekey world pretrain --output \(path)` first."
        case let .badTokenizer(path, detail):
            return "SafetyWorld: \(path): \(detail). Use the committed Assets/world-base tokenizer or one with the same special tokens."
        case let .badSeeds(n):
            return "SafetyWorld: the demo needs at least one seed (got \(n)); pass --seeds 1 or more."
        }
    }
}
