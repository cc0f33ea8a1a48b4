/// Why a record could not be annotated, or an annotation run could not proceed. Records that fail
/// are reported and left out of the output — never given invented offsets.
public enum AnnotatorError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The thinking is empty after normalisation.
    case emptyThinking
    /// U needs at least one sentence and K one more; the thinking has fewer.
    case tooFewSentences(Int)
    /// A picker answered a U sentence count outside `1...sentences-1`.
    case invalidPick(count: Int, sentences: Int)
    /// The model/API answer held no usable sentence number (after retries).
    case unparsableAnswer(String)
    /// The endpoint refused (a `refusal` field, or a content filter stop).
    case refused(String)
    /// HTTP status that is not retried (4xx other than 408/429), or the last retryable one.
    case httpStatus(Int, String)
    /// Transport failure or timeout after every retry.
    case transport(String)
    /// The response body was not the chat-completions JSON shape.
    case malformedResponse(String)
    /// Bad command-line or configuration input (what, and what to do).
    case configuration(String)
    /// Output or cache file problems.
    case io(path: String, reason: String)
    /// A gold file row that cannot be used.
    case badGold(path: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case .emptyThinking: return "the thinking is empty, so there is no U or K to find"
        case .tooFewSentences(let n): return "the thinking has \(n) sentence(s); U and K need at least 2"
        case let .invalidPick(c, n): return "the picker chose \(c) U sentence(s) of \(n); it must be 1…\(n - 1)"
        case .unparsableAnswer(let s): return "no valid sentence number in the answer \(s.debugDescription)"
        case .refused(let s): return "the endpoint refused: \(s)"
        case let .httpStatus(code, body): return "HTTP \(code): \(body.prefix(200))"
        case .transport(let s): return "request failed: \(s) — check --api-base and the network, or raise --timeout"
        case .malformedResponse(let s): return "malformed chat-completions response: \(s)"
        case .configuration(let s): return s
        case let .io(path, reason): return "\(path): \(reason)"
        case let .badGold(path, line, reason): return "\(path):\(line): \(reason)"
        }
    }

    /// A short stable key for summaries ("why it failed").
    public var kind: String {
        switch self {
        case .emptyThinking: return "empty thinking"
        case .tooFewSentences: return "fewer than 2 sentences"
        case .invalidPick: return "invalid pick"
        case .unparsableAnswer: return "unparsable answer"
        case .refused: return "refused"
        case .httpStatus: return "HTTP error"
        case .transport: return "transport/timeout"
        case .malformedResponse: return "malformed response"
        case .configuration: return "configuration"
        case .io: return "I/O"
        case .badGold: return "bad gold row"
        }
    }
}
