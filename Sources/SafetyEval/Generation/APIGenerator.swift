import ChatAPI
import Foundation
import Models
import Support
import Tokenizers

/// How ``APIGenerator`` hands prompts to the server.
public enum APIPromptMode: String, Sendable, CaseIterable {
    /// Raw `POST /v1/completions` with the prompt rendered here by the model's own chat template
    /// (``PromptRenderer``, the text in-process generation uses) and `add_special_tokens: false`
    /// (vLLM's extension; the template writes its own BOS). The prefilling attack is the
    /// reference's `rendered + " " + prefill`. Byte-for-byte the in-process prompt.
    case completions
    /// `POST /v1/chat/completions`: the server applies its chat template. A reasoning parser's
    /// `reasoning_content` is joined back as `reasoning + "</think>" + content`. No prefilling
    /// (cutting the target to N tokens needs the tokenizer).
    case chat
}

/// The ``ResponseGenerator`` on an OpenAI-compatible server (vLLM, llama.cpp's server,
/// `safekey serve`) through ChatAPI's ``ChatClient``: retries with back-off on 408/429/5xx,
/// timeouts and malformed answers per its ``RetryPolicy``; at most `concurrency` requests in flight.
///
/// With a tokenizer (`safekey generate --tokenizer`) requests go as ``APIPromptMode/completions``,
/// otherwise as ``APIPromptMode/chat``. Each sample is its own request (`n: 1`, `seed + i`), so a
/// sample's failure and token count are its own. A request that still fails after its attempts
/// (or that the server refuses, e.g. 400) becomes a ``GenerationResult/failed(_:prompt:prefillText:)``
/// — recorded per item, never dropped.
///
/// Sent: `model`, the prompt, `max_tokens`, `temperature`, `top_p`, `seed`, `n: 1`, and, when not
/// neutral, `top_k` and `repetition_penalty` (vLLM's extensions). Counted: `response_tokens` from
/// `usage.completion_tokens`, less the stop token when `finish_reason` is `stop` (vLLM and
/// `safekey serve` count it; in-process generation does not); `think_tokens` by encoding the text
/// before `</think>` (in-process: its position among the generated ids — equal unless the model
/// generated a non-canonical tokenisation).
///
/// ```swift
/// let client = ChatClient(endpoint: try ChatEndpoint(base: "http://127.0.0.1:8000/v1"), maxConnections: 8)
/// let gen = APIGenerator(client: client, modelName: "world-base", params: DecoderGenerator.referenceDefaults(maxNewTokens: 64),
///                        tokenizer: try Tokenizer(path: "Assets/world-base"), concurrency: 8)
/// try GenerationRunner(generator: gen, batchSize: 16).run(items: items, benchmark: .strongreject, output: "out.json")
/// ```
public final class APIGenerator: ResponseGenerator {
    public let client: ChatClient
    /// The `model` field sent, and `meta_info.model`.
    public let modelName: String
    public var params: SamplingParameters
    /// Set in ``APIPromptMode/completions``.
    public let renderer: PromptRenderer?
    public let concurrency: Int
    /// The server's context length (`max_model_len` from `GET /models`), when known. In
    /// ``APIPromptMode/completions`` each request's `max_tokens` is then clamped so that prompt +
    /// `max_tokens` fits it, as vLLM requires (it answers 400 otherwise); a prompt that alone
    /// fills the context fails its item, saying so. Chat mode cannot count the prompt and sends
    /// `max_tokens` unchanged. In-process generation has no such limit (it generates past
    /// `max_position_embeddings`), so a clamped item is shorter than in-process output could be.
    public var contextLength: Int?
    /// Requests whose `max_tokens` was clamped to fit ``contextLength`` (for a summary line).
    public private(set) var clampedRequests = 0

    public init(client: ChatClient, modelName: String, params: SamplingParameters, tokenizer: Tokenizer?, concurrency: Int = 8) {
        self.client = client
        self.modelName = modelName
        self.params = params
        renderer = tokenizer.map(PromptRenderer.init(tokenizer:))
        self.concurrency = max(1, concurrency)
    }

    public var mode: APIPromptMode { renderer == nil ? .chat : .completions }

    /// The in-process settings with `engine: openai-api` and `prompt_mode` added (the server's URL
    /// is left out, so a run resumes against the same model served elsewhere).
    public var settings: [String: EvalJSON] {
        var s = params.generationSettings(engine: "openai-api")
        s["prompt_mode"] = .string(mode.rawValue)
        return s
    }

    /// One sample's answer: the text as the server sent it and what it counted.
    struct Sample: Sendable {
        var text: String
        var tokens: Int?
    }

    public func generate(_ requests: [GenerationRequest]) throws -> [GenerationResult] {
        var prompts: [(prompt: String, prefill: String?)] = []
        var bodies: [JSONValue] = []
        var tooLong: [Int: String] = [:]
        for (index, r) in requests.enumerated() {
            let x = try prompt(for: r)
            prompts.append(x)
            var limit = params.maxNewTokens
            if let contextLength, let renderer {
                let used = try renderer.tokenizer.encode(x.prompt, addSpecialTokens: false).count
                if used >= contextLength {
                    tooLong[index] = "the prompt has \(used) tokens; the server's context holds \(contextLength) (max_model_len), so nothing can be generated"
                } else if contextLength - used < limit {
                    limit = contextLength - used
                    clampedRequests += max(1, r.samples)
                }
            }
            guard tooLong[index] == nil else { continue }
            for i in 0 ..< max(1, r.samples) { bodies.append(body(r, prompt: x.prompt, sample: i, maxTokens: limit)) }
        }
        let chat = mode == .chat
        let answers = client.completeAllBlocking(bodies, route: chat ? .chat : .text, concurrency: concurrency, cached: false) { c -> Sample in
            guard c.content != nil || c.reasoning != nil else { throw ChatAPIError.unusable("the answer has no text") }
            let text = chat ? Self.joined(reasoning: c.reasoning, content: c.content) : (c.content ?? "")
            return Sample(text: text, tokens: c.completionTokens.map { max(0, $0 - (c.finishReason == "stop" ? 1 : 0)) })
        }
        var results: [GenerationResult] = []
        var k = 0
        for (index, (r, x)) in zip(requests, prompts).enumerated() {
            if let why = tooLong[index] {
                results.append(.failed(why, prompt: x.prompt, prefillText: x.prefill))
                continue
            }
            let n = max(1, r.samples)
            let mine = answers[k ..< k + n]
            k += n
            var failure: String?
            for (i, a) in mine.enumerated() {
                if case let .failure(e) = a { failure = describe(e, sample: i, of: n); break }
            }
            if let failure {
                results.append(.failed(failure, prompt: x.prompt, prefillText: x.prefill))
                continue
            }
            let samples = mine.compactMap { try? $0.get() }
            let counts = samples.compactMap(\.tokens)
            var res = GenerationResult(prompt: x.prompt, responses: samples.map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) },
                                       prefillText: x.prefill, generatedTokens: counts.reduce(0, +),
                                       responseTokens: counts.count == n ? counts : nil)
            if let renderer { res.thinkTokens = samples.map { renderer.thinkLength(ids: nil, text: $0.text) } }
            results.append(res)
        }
        return results
    }

    /// The prompt text recorded (and, in completions mode, sent): the rendered chat template, or in
    /// chat mode the messages as compact JSON.
    func prompt(for r: GenerationRequest) throws -> (prompt: String, prefill: String?) {
        if let renderer { return try renderer.render(r) }
        if let p = r.prefill, p.tokens > 0 || p.verbatim {
            throw SafetyEvalError.endpoint(detail: "the prefilling attack needs the model's tokenizer to render the prompt\(p.verbatim ? "" : " and to cut the target to \(p.tokens) tokens"); pass --tokenizer (the model folder or .gguf) so requests go to /v1/completions")
        }
        return (JSONWriter.compact(.array(r.messages.map(\.json))), nil)
    }

    /// The request body of sample `i` (`max_tokens`: `maxTokens`, by default the configured limit).
    func body(_ r: GenerationRequest, prompt: String, sample i: Int, maxTokens: Int? = nil) -> JSONValue {
        var o: JSONObject = ["model": .string(modelName)]
        if renderer != nil {
            o["prompt"] = .string(prompt)
            o["add_special_tokens"] = .bool(false)
        } else {
            o["messages"] = .array(r.messages.map(\.json))
        }
        o["max_tokens"] = .int(maxTokens ?? params.maxNewTokens)
        o["temperature"] = SamplingParameters.decimal(params.temperature)
        o["top_p"] = SamplingParameters.decimal(params.topP)
        if params.topK > 0 { o["top_k"] = .int(params.topK) }
        if params.repetitionPenalty != 1 { o["repetition_penalty"] = SamplingParameters.decimal(params.repetitionPenalty) }
        o["seed"] = .int(Int(truncatingIfNeeded: params.seed &+ UInt64(i)))
        o["n"] = .int(1)
        return .object(o)
    }

    /// A chat answer as one response text: `reasoning + "</think>" + content` when a reasoning
    /// parser split it (the reasoning alone when there is no answer), else the content.
    static func joined(reasoning: String?, content: String?) -> String {
        guard let reasoning else { return content ?? "" }
        guard let content, !content.isEmpty else { return reasoning }
        return reasoning + ResponsePart.thinkEnd + content
    }

    private func describe(_ e: ChatAPIError, sample i: Int, of n: Int) -> String {
        let attempts = client.retry.maxAttempts
        let after = e.isRetryable ? " (after \(attempts) attempt\(attempts == 1 ? "" : "s"))" : ""
        return (n > 1 ? "sample \(i + 1): " : "") + "\(e)\(after)"
    }
}
