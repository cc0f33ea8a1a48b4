import Foundation
@preconcurrency import Models
@preconcurrency import SafetyEval
@preconcurrency import Tokenizers

/// Which reasoning parser splits the output (`--reasoning-parser`).
public enum ReasoningParserChoice: String, CaseIterable, Sendable {
    /// `deepseek_r1` when the chat template writes `<think>`, else none.
    case auto
    case deepseek_r1
    case none
}

/// The model a server or chat session runs: the loaded folder (``LocalModel``, the loader
/// `safekey generate` uses), the name clients address it by, its context length, and whether
/// reasoning is split off. Prompt rendering and tokenisation go through one lock, so concurrent
/// request handlers may call ``encode(_:)``.
public final class ServedModel: @unchecked Sendable {
    public let local: LocalModel
    public let name: String
    /// Prompt + generated tokens allowed per sequence.
    public let contextLength: Int
    public let reasoning: Bool
    private let lock = NSLock()

    /// Loads `path` with ``LocalModel`` (the same loader as `safekey generate`), with the PEFT LoRA
    /// adapter folder `adapter` applied on top when given (as `generate --adapter`).
    public convenience init(path: String, name: String? = nil, weightStorage: WeightStorage = .f32, adapter: String? = nil,
                            reasoningParser: ReasoningParserChoice = .auto, maxModelLength: Int? = nil) throws {
        try self.init(local: LocalModel(folder: path, weightStorage: weightStorage, adapter: adapter), name: name,
                      reasoningParser: reasoningParser, maxModelLength: maxModelLength)
    }

    public init(local: LocalModel, name: String? = nil, reasoningParser: ReasoningParserChoice = .auto, maxModelLength: Int? = nil) {
        self.local = local
        self.name = name ?? URL(fileURLWithPath: local.folder).standardizedFileURL.lastPathComponent
        let ctx = local.model.config.maxPositionEmbeddings
        contextLength = max(1, min(maxModelLength ?? ctx, ctx))
        switch reasoningParser {
        case .deepseek_r1: reasoning = true
        case .none: reasoning = false
        case .auto: reasoning = local.tokenizer.chatTemplate?.contains(ReasoningSplitter.start) ?? false
        }
    }

    /// Token ids of a prompt. Chat prompts are rendered with the chat template and encoded without
    /// special tokens (the template writes its own BOS), exactly as ``DecoderGenerator`` does.
    func encode(_ prompt: PromptInput) throws -> [Int] {
        lock.lock()
        defer { lock.unlock() }
        let tok = local.tokenizer
        switch prompt {
        case let .ids(ids):
            if let bad = ids.first(where: { $0 < 0 || $0 >= local.model.config.vocabSize }) {
                throw OpenAIError.invalid("Invalid 'prompt': token id \(bad) is outside the vocabulary 0..<\(local.model.config.vocabSize).", param: "prompt", code: "invalid_value")
            }
            return ids
        case let .text(text, special):
            let ids = try tok.encode(text, addSpecialTokens: special)
            guard !ids.isEmpty else { throw OpenAIError.invalid("The prompt encodes to no tokens.", param: "prompt", code: "invalid_value") }
            return ids
        case let .chat(messages, addGenerationPrompt, continueFinal):
            let text = try render(messages, addGenerationPrompt: addGenerationPrompt, continueFinal: continueFinal)
            return try local.encodePrompt(text)
        }
    }

    /// The chat template's text. With `continueFinal` the last (assistant) message is left open:
    /// the conversation is rendered and cut after that message's content (transformers'
    /// `continue_final_message`).
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool = true, continueFinal: Bool = false) throws -> String {
        let tok = local.tokenizer
        guard continueFinal else { return try tok.applyChatTemplate(messages, addGenerationPrompt: addGenerationPrompt) }
        guard let last = messages.last, last.role == "assistant" else {
            throw OpenAIError.invalid("'continue_final_message' needs the last message to be from the assistant.", param: "messages", code: "invalid_value")
        }
        let full = try tok.applyChatTemplate(messages, addGenerationPrompt: false)
        let final = last.content.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let r = full.range(of: final, options: .backwards) else {
            throw OpenAIError.invalid("'continue_final_message': the chat template does not write the final message's content.", param: "messages", code: "invalid_value")
        }
        return String(full[..<r.upperBound])
    }
}
