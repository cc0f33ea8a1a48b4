import Support
import Foundation

/// What to pre-fill into the assistant turn (the prefilling attack): the first `tokens` tokens of
/// `target`, decoded back to text by the generator's tokenizer. The reference (`gen.py`) appends
/// `" " + prefill_text` to the rendered prompt; generators should do the same and report the
/// exact text in ``GenerationResult/prefillText``.
///
/// `verbatim`: the target is already the response's opening (the safety world's compliant
/// U + K, written to follow the generation prompt directly): it is appended whole, as is, with
/// no separator and no token cut (`tokens` is ignored).
public struct PrefillSpec: Equatable, Sendable {
    public var target: String
    public var tokens: Int
    public var verbatim: Bool
    public init(target: String, tokens: Int, verbatim: Bool = false) {
        self.target = target
        self.tokens = tokens
        self.verbatim = verbatim
    }

    /// The whole `text`, appended as is (``verbatim``).
    public static func whole(_ text: String) -> PrefillSpec { PrefillSpec(target: text, tokens: 0, verbatim: true) }
}

/// One generation request: a chat that ends with a user turn, an optional prefill, and how many
/// samples to draw.
public struct GenerationRequest: Equatable, Sendable {
    public var messages: [ChatTurn]
    public var prefill: PrefillSpec?
    public var samples: Int
    public init(messages: [ChatTurn], prefill: PrefillSpec? = nil, samples: Int = 1) {
        self.messages = messages
        self.prefill = prefill
        self.samples = samples
    }
}

/// What a generator returns for one request.
public struct GenerationResult: Equatable, Sendable {
    /// The rendered prompt text (chat template with generation prompt, plus any prefill).
    public var prompt: String
    /// `samples` completions: generated text only, without the prompt or the prefill, stripped of
    /// surrounding whitespace as the reference does.
    public var responses: [String]
    /// The prefill text actually used (nil when none).
    public var prefillText: String?
    /// Number of tokens generated over all samples (for the progress line's tokens/s).
    public var generatedTokens: Int
    /// Per sample: tokens generated (stop token excluded); nil when the generator does not count.
    public var responseTokens: [Int]?
    /// Per sample: tokens before `</think>` (nil for a sample that never closed its reasoning).
    public var thinkTokens: [Int?]?
    /// Why this request produced no responses (e.g. the server failed after every retry); nil when
    /// it succeeded. A failed result has no responses; the runner records the item as failed
    /// (``GenerationRecord/errorKey``) and a rerun retries it.
    public var failure: String?

    public init(prompt: String, responses: [String], prefillText: String? = nil, generatedTokens: Int = 0,
                responseTokens: [Int]? = nil, thinkTokens: [Int?]? = nil) {
        self.prompt = prompt
        self.responses = responses
        self.prefillText = prefillText
        self.generatedTokens = generatedTokens
        self.responseTokens = responseTokens
        self.thinkTokens = thinkTokens
    }

    /// A request that failed: no responses, `why` kept.
    public static func failed(_ why: String, prompt: String, prefillText: String? = nil) -> GenerationResult {
        var r = GenerationResult(prompt: prompt, responses: [], prefillText: prefillText)
        r.failure = why
        return r
    }
}

/// The seam where the decoder (Sources/Models) plugs in: batched generation with the KV cache and
/// the model's chat template. SafetyEval drives it (batching, resume, multi-turn replay) and never
/// looks inside.
///
/// Contract: `generate` returns exactly one ``GenerationResult`` per request, in order, each with
/// `request.samples` responses or a ``GenerationResult/failure``; it throws only for failures that
/// should stop the run (per-request failures, e.g. an API server's 500s, are results).
public protocol ResponseGenerator: AnyObject {
    /// Name recorded in `meta_info.model`.
    var modelName: String { get }
    /// Generation settings recorded in `meta_info` (temperature, repetition penalty, max new tokens...).
    var settings: [String: EvalJSON] { get }
    func generate(_ requests: [GenerationRequest]) throws -> [GenerationResult]
}

/// How multi-turn conversations are run.
public enum MultiTurnMode: String, Codable, CaseIterable, Sendable {
    /// Replay the user turns, generating every assistant turn in between with the model under test;
    /// the final generated answer is judged against the `objective`. (The definition.)
    case replay
    /// Keep the recorded assistant turns and generate only the final answer (what the reference's
    /// `gen.py` intended for `door_multi` — its data-name mismatch made it unreachable).
    case recorded
}

/// The part of a response that multi-turn replay feeds back as the assistant's turn: the answer
/// after the last `</think>` (R1 chat templates drop the thinking of earlier turns anyway); the
/// whole response when there is no `</think>`.
public func historyContent(of response: String) -> String {
    ResponsePart.answer.extract(from: response).text
}
