@preconcurrency import Models
@preconcurrency import Tokenizers

/// What to generate from: a chat (rendered with the model's chat template) or a raw prompt.
enum PromptInput: Sendable {
    /// `/v1/chat/completions`. `continueFinal` (vLLM's `continue_final_message`) leaves the last
    /// assistant message open for the model to continue.
    case chat(messages: [ChatMessage], addGenerationPrompt: Bool, continueFinal: Bool)
    /// `/v1/completions` with a string prompt (`add_special_tokens`, vLLM's extension, default true).
    case text(String, addSpecialTokens: Bool)
    /// `/v1/completions` with a prompt of token ids.
    case ids([Int])
}

/// The sampling fields of a request, validated (OpenAI's ranges; `repetition_penalty` and
/// `top_k` as vLLM's extensions). `maxTokens == nil` means "up to the context length".
struct GenerationOptions: Sendable, Equatable {
    var maxTokens: Int?
    var temperature: Float = 1
    var topP: Float = 1
    var topK = 0
    var seed: UInt64?
    var stop: [String] = []
    var n = 1
    var repetitionPenalty: Float = 1
    var stream = false
    var includeUsage = false
    /// vLLM's `ignore_eos`: keep generating past the stop tokens (benchmarks).
    var ignoreEOS = false
}

/// A parsed `/v1/chat/completions` or `/v1/completions` body. Parsing never crashes: every wrong
/// field becomes a 400 ``OpenAIError`` naming the field (`param`).
struct APIRequest: Sendable {
    var model: String?
    var prompt: PromptInput
    var options: GenerationOptions

    /// Most choices per request (`n`).
    static let maxChoices = 16

    static func parse(body: [UInt8], chat: Bool) throws -> APIRequest {
        let value: JSONValue
        do { value = try JSONParser.parse(body, path: "request body") } catch { throw OpenAIError.badJSON("\(error)") }
        guard let obj = value.objectValue else { throw OpenAIError.badJSON("the body is \(value.typeName), not an object") }
        let f = Fields(obj)
        let prompt: PromptInput
        if chat {
            prompt = .chat(messages: try f.messages(), addGenerationPrompt: try f.bool("add_generation_prompt") ?? true,
                           continueFinal: try f.bool("continue_final_message") ?? false)
        } else {
            prompt = try f.prompt(addSpecialTokens: try f.bool("add_special_tokens") ?? true)
        }
        var o = GenerationOptions()
        let maxTokens = try f.int("max_completion_tokens") ?? f.int("max_tokens")
        if let m = maxTokens, m < 1 {
            throw OpenAIError.invalid("Invalid 'max_tokens': \(m); it must be at least 1.", param: "max_tokens", code: "invalid_value")
        }
        o.maxTokens = maxTokens
        o.temperature = try f.number("temperature", in: 0...2) ?? 1
        o.topP = try f.number("top_p", in: 0...1) ?? 1
        if o.topP == 0 { throw OpenAIError.invalid("Invalid 'top_p': 0; it must be in (0, 1].", param: "top_p", code: "invalid_value") }
        o.topK = max(0, try f.int("top_k") ?? 0)
        if let s = try f.int("seed") { o.seed = UInt64(bitPattern: Int64(s)) }
        o.stop = try f.stop()
        o.n = try f.int("n") ?? 1
        guard (1...maxChoices).contains(o.n) else {
            throw OpenAIError.invalid("Invalid 'n': \(o.n); this server allows 1 to \(maxChoices).", param: "n", code: "invalid_value")
        }
        o.repetitionPenalty = try f.number("repetition_penalty", in: 0.01...10) ?? 1
        for key in ["presence_penalty", "frequency_penalty"] {
            if let v = try f.number(key, in: -2...2), v != 0 {
                throw OpenAIError.invalid("'\(key)' is not supported by this server (use repetition_penalty, vLLM's extension).", param: key, code: "unsupported_parameter")
            }
        }
        if let lp = obj["logprobs"], ![JSONValue.null, .bool(false), .number("0")].contains(lp) {
            throw OpenAIError.invalid("'logprobs' is not supported by this server.", param: "logprobs", code: "unsupported_parameter")
        }
        o.stream = try f.bool("stream") ?? false
        o.ignoreEOS = try f.bool("ignore_eos") ?? false
        if let so = obj["stream_options"], !so.isNull {
            guard let sobj = so.objectValue else { throw OpenAIError.wrongType("stream_options", expected: "an object", got: so) }
            o.includeUsage = try Fields(sobj, prefix: "stream_options.").bool("include_usage") ?? false
        }
        let model = try f.string("model")
        return APIRequest(model: model, prompt: prompt, options: o)
    }
}

/// Typed, optional field access with OpenAI-style errors (`null` counts as absent, as OpenAI does).
private struct Fields {
    let obj: JSONObject
    var prefix = ""
    init(_ obj: JSONObject, prefix: String = "") { self.obj = obj; self.prefix = prefix }

    private func get(_ key: String) -> JSONValue? {
        guard let v = obj[key], !v.isNull else { return nil }
        return v
    }

    func string(_ key: String) throws -> String? {
        guard let v = get(key) else { return nil }
        guard let s = v.stringValue else { throw OpenAIError.wrongType(prefix + key, expected: "a string", got: v) }
        return s
    }

    func bool(_ key: String) throws -> Bool? {
        guard let v = get(key) else { return nil }
        guard let b = v.boolValue else { throw OpenAIError.wrongType(prefix + key, expected: "a boolean", got: v) }
        return b
    }

    func int(_ key: String) throws -> Int? {
        guard let v = get(key) else { return nil }
        if let i = v.intValue { return i }
        if let d = v.doubleValue, d == d.rounded(), abs(d) < 1e15 { return Int(d) }
        if v.doubleValue != nil {
            throw OpenAIError.invalid("Invalid '\(prefix + key)': expected an integer (or one too large).", param: prefix + key, code: "invalid_value")
        }
        throw OpenAIError.wrongType(prefix + key, expected: "an integer", got: v)
    }

    func number(_ key: String, in range: ClosedRange<Float>) throws -> Float? {
        guard let v = get(key) else { return nil }
        guard let d = v.doubleValue else { throw OpenAIError.wrongType(prefix + key, expected: "a number", got: v) }
        let x = Float(d)
        guard x.isFinite, range.contains(x) else {
            throw OpenAIError.invalid("Invalid '\(prefix + key)': \(d) is outside \(range.lowerBound)...\(range.upperBound).",
                                      param: prefix + key, code: "invalid_value")
        }
        return x
    }

    func stop() throws -> [String] {
        guard let v = get("stop") else { return [] }
        if let s = v.stringValue { return [s] }
        guard let a = v.arrayValue else { throw OpenAIError.wrongType("stop", expected: "a string or an array of strings", got: v) }
        guard a.count <= 4 else { throw OpenAIError.invalid("Invalid 'stop': at most 4 sequences, got \(a.count).", param: "stop", code: "invalid_value") }
        return try a.enumerated().map { i, e in
            guard let s = e.stringValue else { throw OpenAIError.wrongType("stop[\(i)]", expected: "a string", got: e) }
            return s
        }
    }

    /// `messages`: a non-empty array of `{role, content}`; content a string or an array of
    /// `{"type": "text", "text": …}` parts (joined), or null for an assistant turn.
    func messages() throws -> [ChatMessage] {
        guard let v = get("messages") else {
            throw OpenAIError.invalid("Missing required parameter: 'messages'.", param: "messages", code: "missing_required_parameter")
        }
        guard let list = v.arrayValue else { throw OpenAIError.wrongType("messages", expected: "an array", got: v) }
        guard !list.isEmpty else { throw OpenAIError.invalid("'messages' must contain at least one message.", param: "messages", code: "invalid_value") }
        return try list.enumerated().map { i, m in
            let p = "messages[\(i)]"
            guard let o = m.objectValue else { throw OpenAIError.wrongType(p, expected: "an object", got: m) }
            let f = Fields(o, prefix: p + ".")
            guard let role = try f.string("role") else {
                throw OpenAIError.invalid("Missing required parameter: '\(p).role'.", param: p + ".role", code: "missing_required_parameter")
            }
            guard ["system", "developer", "user", "assistant", "tool"].contains(role) else {
                throw OpenAIError.invalid("Invalid value for '\(p).role': '\(role)'.", param: p + ".role", code: "invalid_value")
            }
            return ChatMessage(role: role == "developer" ? "system" : role, content: try f.content())
        }
    }

    private func content() throws -> String {
        guard let v = get("content") else { return "" }
        if let s = v.stringValue { return s }
        guard let parts = v.arrayValue else { throw OpenAIError.wrongType(prefix + "content", expected: "a string or an array of parts", got: v) }
        return try parts.enumerated().map { i, part in
            let p = "\(prefix)content[\(i)]"
            guard let o = part.objectValue, o["type"]?.stringValue == "text", let t = o["text"]?.stringValue else {
                throw OpenAIError.invalid("Invalid '\(p)': only {\"type\": \"text\", \"text\": …} parts are supported.", param: p, code: "invalid_value")
            }
            return t
        }.joined()
    }

    /// `prompt`: a string, a one-element array of strings, or an array of token ids.
    func prompt(addSpecialTokens: Bool) throws -> PromptInput {
        guard let v = get("prompt") else {
            throw OpenAIError.invalid("Missing required parameter: 'prompt'.", param: "prompt", code: "missing_required_parameter")
        }
        if let s = v.stringValue { return .text(s, addSpecialTokens: addSpecialTokens) }
        if let a = v.arrayValue {
            if a.count == 1, let s = a[0].stringValue { return .text(s, addSpecialTokens: addSpecialTokens) }
            let ids = a.compactMap(\.intValue)
            if !ids.isEmpty && ids.count == a.count { return .ids(ids) }
            throw OpenAIError.invalid("Invalid 'prompt': give a string, one string in an array, or an array of token ids (batched prompts are not supported; send one request each).",
                                      param: "prompt", code: "invalid_value")
        }
        throw OpenAIError.wrongType("prompt", expected: "a string or an array", got: v)
    }
}
