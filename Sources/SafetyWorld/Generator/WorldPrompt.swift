import SafetyEval

/// What the model is asked: a request, plain or wrapped in a jailbreak.
///
/// ``messages`` (SafetyEval's `ChatTurn`) is the conversation to render with the chat template (one user message, except
/// for ``JailbreakFamily/earlierAlias``: user, assistant, user). ``question`` is the same
/// as one string (the multi-turn history is written out inline), for single-question formats such
/// as SafeKey records.
public struct WorldPrompt: Sendable, Equatable {
    public let request: WorldRequest
    /// The jailbreak family, or nil for a plain request.
    public let family: JailbreakFamily?
    public let messages: [ChatTurn]
    public let question: String
    /// The restatement U as sentences (third person, each ending in "."): what a reasoning trace
    /// opens with after `<think>\n`.
    public let understanding: [String]
    /// How the key sentence of a safe trace names the wrapper ("the slang"); nil when plain.
    public let excuse: String?

    /// The plain request: its own question, restated as "<opener> how to <task>.".
    public static func plain(_ request: WorldRequest, using rng: inout WorldRandom) -> WorldPrompt {
        let u = rng.one(understandingOpeners) + " how to " + request.task(.reasoning) + "."
        return WorldPrompt(request: request, family: nil, messages: [ChatTurn(role: "user", content: request.question)],
                           question: request.question, understanding: [u], excuse: nil)
    }
}
