import Foundation
@preconcurrency import Models

/// The JSON bodies of OpenAI's chat and text completions (and their streaming chunks), built as
/// ``JSONValue`` so key order follows OpenAI's documentation.
struct APIResponse {
    let id: String
    let created: Int
    let model: String
    let chat: Bool

    init(chat: Bool, model: String) {
        self.chat = chat
        self.model = model
        created = Int(Date().timeIntervalSince1970)
        id = (chat ? "chatcmpl-" : "cmpl-") + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }

    private var object: String { chat ? "chat.completion" : "text_completion" }

    private func head(_ object: String) -> [(key: String, value: JSONValue)] {
        [("id", .string(id)), ("object", .string(object)), ("created", .int(created)), ("model", .string(model))]
    }

    static func usage(prompt: Int, completion: Int) -> JSONValue {
        .object(JSONObject([("prompt_tokens", .int(prompt)), ("completion_tokens", .int(completion)),
                            ("total_tokens", .int(prompt + completion))]))
    }

    /// One choice of a whole (non-streaming) response.
    struct Choice {
        var text: String
        var finish: FinishReason
    }

    /// The non-streaming body. Chat choices carry `message.content` and, with a reasoning parser,
    /// `message.reasoning_content` (vLLM's field).
    func full(_ choices: [Choice], reasoning: Bool, promptTokens: Int, completionTokens: Int) -> JSONValue {
        let list: [JSONValue] = choices.enumerated().map { i, c in
            var entries: [(key: String, value: JSONValue)] = [("index", .int(i))]
            if chat {
                let (r, content) = ReasoningSplitter.split(c.text, enabled: reasoning)
                var msg: [(key: String, value: JSONValue)] = [("role", .string("assistant")), ("content", content.map(JSONValue.string) ?? .null)]
                if reasoning { msg.append(("reasoning_content", r.map(JSONValue.string) ?? .null)) }
                entries.append(("message", .object(JSONObject(msg))))
            } else {
                entries.append(("text", .string(c.text)))
            }
            entries += [("logprobs", .null), ("finish_reason", .string(c.finish.rawValue))]
            return .object(JSONObject(entries))
        }
        return .object(JSONObject(head(object) + [("choices", .array(list)),
                                                  ("usage", Self.usage(prompt: promptTokens, completion: completionTokens))]))
    }

    /// A streaming chunk for choice `index`: chat deltas (`role` first, then `reasoning_content` /
    /// `content`), or completion `text`; `finish` on the choice's last chunk.
    func chunk(index: Int, role: Bool = false, reasoning: String? = nil, content: String? = nil, finish: FinishReason? = nil) -> JSONValue {
        var choice: [(key: String, value: JSONValue)] = [("index", .int(index))]
        if chat {
            var delta: [(key: String, value: JSONValue)] = []
            if role { delta.append(("role", .string("assistant"))) }
            if let reasoning { delta.append(("reasoning_content", .string(reasoning))) }
            if let content { delta.append(("content", .string(content))) }
            choice.append(("delta", .object(JSONObject(delta))))
        } else {
            choice.append(("text", .string(content ?? "")))
        }
        choice += [("logprobs", .null), ("finish_reason", finish.map { .string($0.rawValue) } ?? .null)]
        return .object(JSONObject(head(chat ? "chat.completion.chunk" : "text_completion") + [("choices", .array([.object(JSONObject(choice))]))]))
    }

    /// The last chunk when `stream_options.include_usage` is set: no choices, the request's usage.
    func usageChunk(promptTokens: Int, completionTokens: Int) -> JSONValue {
        .object(JSONObject(head(chat ? "chat.completion.chunk" : "text_completion") + [
            ("choices", .array([])), ("usage", Self.usage(prompt: promptTokens, completion: completionTokens)),
        ]))
    }

    /// `GET /v1/models`.
    static func models(name: String, contextLength: Int, created: Int) -> JSONValue {
        .object(JSONObject([("object", .string("list")), ("data", .array([.object(JSONObject([
            ("id", .string(name)), ("object", .string("model")), ("created", .int(created)), ("owned_by", .string("safekey")),
            ("max_model_len", .int(contextLength)),
        ]))]))]))
    }
}
