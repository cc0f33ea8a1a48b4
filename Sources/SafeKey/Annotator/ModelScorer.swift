import Foundation
import Models
import Tensor
import Tokenizers

/// The ``CandidateScorer`` on a local model folder (issue 8 item 3): `log P(answer | prompt)` for
/// each candidate answer, where prompt = the messages rendered with the model's chat template
/// (generation prompt on, encoded without added special tokens, as `apply_chat_template` does)
/// and answer = the candidate followed by the template's end of turn.
///
/// The end of turn is what the template itself writes after an assistant message: when rendering
/// `messages + [assistant: candidate]` (no generation prompt) starts with the prompt text followed
/// by the candidate, the rest of that rendering (e.g. Qwen's `<|im_end|>\n`) is scored too;
/// otherwise (R1 templates, whose generation prompt opens `<think>`) the answer is the candidate's
/// tokens plus the first end-of-sequence id. Either way every candidate is scored as a whole
/// sequence, so `"1"` does not win for being a prefix of `"12"`.
///
/// Cost: one batched forward over `candidates.count` rows of prompt + answer (right-padded; the
/// causal mask keeps padding out of the scored positions), LM head only on the answer positions.
/// Calls are serialised (the model is shared).
///
/// ```swift
/// let picker = ModelPicker(scorer: try LocalModelScorer(folder: "/models/Qwen2.5-7B-Instruct"))
/// ```
///
/// `@unchecked Sendable`: the stored properties are `let`s, but `DecoderModel` is a class of
/// mutable tensors (the Tensor module is not Sendable-checked) that a forward pass may not share;
/// every use of `model` is inside ``score(messages:candidates:)``, which holds `lock` throughout,
/// so concurrent annotator tasks take turns. `sequences` only reads the tokenizer and the config.
public final class LocalModelScorer: CandidateScorer, @unchecked Sendable {
    public let folder: String
    public let model: DecoderModel
    public let tokenizer: Tokenizer
    private let lock = NSLock()

    /// `adapter`: a PEFT LoRA adapter folder applied on top of the model.
    public convenience init(folder: String, adapter: String? = nil) throws {
        try self.init(folder: folder, model: DecoderModel(folder: folder, adapter: adapter), tokenizer: Tokenizer(path: folder))
    }

    public init(folder: String, model: DecoderModel, tokenizer: Tokenizer) throws {
        guard tokenizer.vocabularySize <= model.config.vocabSize else {
            throw AnnotatorError.configuration("\(folder): the tokenizer has \(tokenizer.vocabularySize) ids but the model's vocab_size is \(model.config.vocabSize); the tokenizer does not belong to this model")
        }
        guard tokenizer.chatTemplate != nil else {
            throw AnnotatorError.configuration("\(folder): no chat template (tokenizer_config.json chat_template or chat_template.jinja); --method model needs a chat model")
        }
        self.folder = folder
        self.model = model
        self.tokenizer = tokenizer
    }

    public func logProbabilities(messages: [ChatMessage], candidates: [String]) async throws -> [Double] {
        try score(messages: messages, candidates: candidates)
    }

    /// Prompt ids and, per candidate, the answer ids that are scored.
    public func sequences(messages: [ChatMessage], candidates: [String]) throws -> (prompt: [Int], answers: [[Int]]) {
        let chat = messages
        let promptText = try tokenizer.applyChatTemplate(chat, addGenerationPrompt: true)
        let prompt = try tokenizer.encode(promptText, addSpecialTokens: false)
        guard !prompt.isEmpty else { throw AnnotatorError.configuration("\(folder): the picker prompt encodes to no tokens") }
        let eos = model.config.eosTokenIds.first ?? tokenizer.eosTokenId
        let answers = try candidates.map { c -> [Int] in
            let full = try tokenizer.applyChatTemplate(chat + [ChatMessage(role: "assistant", content: c)], addGenerationPrompt: false)
            if full.hasPrefix(promptText + c), full.count > promptText.count + c.count {
                return try tokenizer.encode(String(full.dropFirst(promptText.count)), addSpecialTokens: false)
            }
            guard let eos else {
                throw AnnotatorError.configuration("\(folder): no end-of-sequence id (config.json eos_token_id or the tokenizer's eos_token) to end a scored answer")
            }
            return try tokenizer.encode(c, addSpecialTokens: false) + [eos]
        }
        return (prompt, answers)
    }

    /// Synchronous scoring (see the type's contract). Values are ≤ 0; one per candidate, in order.
    /// Calls from several threads are serialised (one forward pass at a time).
    public func score(messages: [ChatMessage], candidates: [String]) throws -> [Double] {
        guard !candidates.isEmpty else { return [] }
        let (prompt, answers) = try sequences(messages: messages, candidates: candidates)
        lock.lock()
        defer { lock.unlock() }
        let b = answers.count
        let t = prompt.count + (answers.map(\.count).max() ?? 0)
        var ids: [Int] = []
        ids.reserveCapacity(b * t)
        for a in answers { ids += prompt + a + [Int](repeating: 0, count: t - prompt.count - a.count) }
        let c = model.config.hiddenSize, v = model.config.vocabSize
        return try GradMode.noGrad {
            let hidden = try model.hiddenStates(ids: ids, batch: b)
            // Rows predicting each answer token: positions prompt.count - 1 ..< prompt.count + len - 1.
            var rows: [Float] = []
            var targets: [(row: Int, token: Int)] = []
            for (r, a) in answers.enumerated() {
                for (j, tok) in a.enumerated() {
                    let src = hidden.data + (r * t + prompt.count - 1 + j) * c
                    rows += UnsafeBufferPointer(start: src, count: c)
                    targets.append((r, tok))
                }
            }
            let logits = try linear(Tensor(shape: [targets.count, c], values: rows), weight: model.lmHead)
            var out = [Double](repeating: 0, count: b)
            for (i, tg) in targets.enumerated() {
                let row = UnsafeBufferPointer(start: logits.data + i * v, count: v)
                var m = -Float.infinity
                for x in row where x > m { m = x }
                var sum = 0.0
                for x in row { sum += Foundation.exp(Double(x - m)) }
                out[tg.row] += Double(row[tg.token] - m) - Foundation.log(sum)
            }
            return out
        }
    }
}
