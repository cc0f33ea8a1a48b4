import Foundation
import Support

/// A chat-completions request body: model, messages, sampling, and any other fields in `extra`.
///
///     ChatRequest(model: "gpt-4o-mini", messages: [ChatMessage(role: "user", content: "Hi")], temperature: 0).body
public struct ChatRequest: Sendable, Equatable {
    public var model: String
    public var messages: [ChatMessage]
    public var temperature: Double?
    public var maxTokens: Int?
    /// Ask for `response_format: {"type": "json_object"}`.
    public var jsonMode: Bool
    /// Further top-level fields, written after the ones above.
    public var extra: JSONObject

    public init(model: String, messages: [ChatMessage], temperature: Double? = nil, maxTokens: Int? = nil,
                jsonMode: Bool = false, extra: JSONObject = [:]) {
        (self.model, self.messages, self.temperature) = (model, messages, temperature)
        (self.maxTokens, self.jsonMode, self.extra) = (maxTokens, jsonMode, extra)
    }

    /// The JSON body, fields in a fixed order.
    public var body: JSONValue {
        var o: JSONObject = ["model": .string(model), "messages": .array(messages.map(\.json))]
        if let temperature { o["temperature"] = temperature == temperature.rounded() && abs(temperature) < 1e15 ? .int(Int(temperature)) : .double(temperature) }
        if let maxTokens { o["max_tokens"] = .int(maxTokens) }
        if jsonMode { o["response_format"] = .object(["type": .string("json_object")]) }
        for e in extra.entries { o[e.key] = e.value }
        return .object(o)
    }
}

/// The parts of a completion answer callers use: `choices[0].message.{content, refusal,
/// reasoning_content}` of a chat completion, or `choices[0].text` of a text completion (as
/// `content`); `choices[0].finish_reason`; `usage.completion_tokens`.
public struct ChatCompletion: Codable, Equatable, Sendable {
    public var content: String?
    public var refusal: String?
    public var finishReason: String?
    /// vLLM's `reasoning_content` (the text a reasoning parser split off before `</think>`).
    public var reasoning: String?
    /// `usage.completion_tokens` when the server reports it (vLLM and `safekey serve` count a
    /// stop token that ended the choice).
    public var completionTokens: Int?

    public init(content: String?, refusal: String? = nil, finishReason: String? = nil, reasoning: String? = nil, completionTokens: Int? = nil) {
        self.content = content
        self.refusal = refusal
        self.finishReason = finishReason
        self.reasoning = reasoning
        self.completionTokens = completionTokens
    }

    /// Parses a response body; anything without `choices[0].message` (chat) or a string
    /// `choices[0].text` (text completion) is ``ChatAPIError/malformedResponse(_:)`` (its text
    /// scrubbed by the caller).
    public static func parse(_ body: Data) throws -> ChatCompletion {
        let v: JSONValue
        do { v = try JSONParser.parse(body, path: "response body") } catch let e as JSONError {
            throw ChatAPIError.malformedResponse("invalid JSON at byte \(e.offset) (\(e.detail)): \(String(decoding: body.prefix(120), as: UTF8.self))")
        }
        guard case .object = v else {
            throw ChatAPIError.malformedResponse("body is \(v.typeName), not an object: \(String(decoding: body.prefix(120), as: UTF8.self))")
        }
        let tokens = v["usage"]?["completion_tokens"]?.intValue
        if let first = v["choices"]?.arrayValue?.first, let message = first["message"], case .object = message {
            return ChatCompletion(content: message["content"]?.stringValue, refusal: message["refusal"]?.stringValue,
                                  finishReason: first["finish_reason"]?.stringValue, reasoning: message["reasoning_content"]?.stringValue,
                                  completionTokens: tokens)
        }
        if let first = v["choices"]?.arrayValue?.first, let text = first["text"]?.stringValue {
            return ChatCompletion(content: text, finishReason: first["finish_reason"]?.stringValue, completionTokens: tokens)
        }
        throw ChatAPIError.malformedResponse("no choices[0].message or choices[0].text in \(String(decoding: body.prefix(120), as: UTF8.self))")
    }
}
