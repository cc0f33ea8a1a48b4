import Foundation
@preconcurrency import Models
@preconcurrency import Tokenizers

/// An interactive conversation on a ``BatchScheduler`` (`safekey chat`): keeps the history, renders
/// it with the chat template, streams each reply split into thinking and answer. The history keeps
/// each reply's answer only (R1 templates drop earlier thinking anyway).
///
/// ```swift
/// let chat = ChatSession(scheduler: scheduler, params: SamplingParameters(maxNewTokens: 512))
/// let reply = try await chat.send("Hello") { thinking, answer in print(answer, terminator: "") }
/// ```
public final class ChatSession {
    public let scheduler: BatchScheduler
    public var params: SamplingParameters
    /// System prompt put before the history (`/system TEXT`).
    public var system: String?
    public private(set) var history: [ChatMessage] = []

    public init(scheduler: BatchScheduler, params: SamplingParameters, system: String? = nil) {
        self.scheduler = scheduler
        self.params = params
        self.system = system
    }

    /// Forgets the conversation (the system prompt stays).
    public func reset() { history.removeAll() }

    /// Sends `text` as the user's turn; `onDelta(thinking, answer)` receives text as it is generated.
    /// Returns the whole reply and why it ended.
    public func send(_ text: String, onDelta: (String, String) -> Void) async throws -> (thinking: String, answer: String, finish: FinishReason) {
        let messages = (system.map { [ChatMessage(role: "system", content: $0)] } ?? []) + history + [ChatMessage(role: "user", content: text)]
        let ids = try scheduler.served.encode(.chat(messages: messages, addGenerationPrompt: true, continueFinal: false))
        var p = params
        p.maxNewTokens = min(p.maxNewTokens, scheduler.served.contextLength - ids.count)
        guard p.maxNewTokens > 0 else {
            throw OpenAIError.invalid("The conversation fills the context (\(ids.count) of \(scheduler.served.contextLength) tokens); /reset to start over.")
        }
        let (_, events) = try scheduler.submit([SequenceSpec(promptIds: ids, params: p, stop: [])])
        var splitter = ReasoningSplitter(enabled: scheduler.served.reasoning)
        var thinking = "", answer = "", finish: FinishReason?
        func take(_ part: (reasoning: String, content: String)) {
            thinking += part.reasoning
            answer += part.content
            if !part.reasoning.isEmpty || !part.content.isEmpty { onDelta(part.reasoning, part.content) }
        }
        defer { events.close() }
        events: for await batch in events {
            for (_, event) in batch {
                switch event {
                case let .text(t): take(splitter.push(t))
                case let .finished(reason, _): finish = reason
                case let .failed(message): throw OpenAIError.server(message)
                }
                if finish != nil { break events }
            }
        }
        take(splitter.finish())
        guard let finish else { throw OpenAIError.shuttingDown }
        history.append(ChatMessage(role: "user", content: text))
        history.append(ChatMessage(role: "assistant", content: answer.trimmingCharacters(in: .whitespacesAndNewlines)))
        return (thinking, answer, finish)
    }
}
