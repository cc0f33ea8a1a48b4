/// One chat message (`role` is `system`, `user` or `assistant`), as in Hugging Face chat lists and
/// OpenAI chat requests: the one message type of the package (chat templates, evaluation files,
/// API requests). Richer messages (tool calls, content parts) go through `ChatTemplate.render` with
/// `TemplateValue` dictionaries.
public struct ChatMessage: Codable, Equatable, Hashable, Sendable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }

    /// `{"role": …, "content": …}`.
    public var json: JSONValue { .object(["role": .string(role), "content": .string(content)]) }
}
