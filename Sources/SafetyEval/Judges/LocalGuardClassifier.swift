import Foundation
import Models

/// The ``GuardClassifier`` on our own engine: a local Llama-Guard-style model folder (e.g.
/// meta-llama/Llama-Guard-3-8B or -1B) answers each rendered ``LlamaGuardFormat`` prompt with a
/// few greedy tokens (no repetition penalty, stop at the model's end-of-turn ids), decoded without
/// special tokens. ``LlamaGuardFormat/parse(_:)`` (called by ``LlamaGuardJudge``) turns each output
/// into `safe` / `unsafe` + categories, or a failure — an output that is neither is never counted.
///
/// The prompt text already holds the template's `<|begin_of_text|>` and headers, so it is encoded
/// without adding special tokens (transformers' `apply_chat_template(tokenize=True)` does the same).
///
/// ```swift
/// let judge = LlamaGuardJudge(classifier: try LocalGuardClassifier(folder: "/models/Llama-Guard-3-1B"))
/// let labelled = try JudgeRunner.apply(judge, to: try GenerationFile.read("r.json"), part: .response)
/// ```
public final class LocalGuardClassifier: GuardClassifier {
    public let local: LocalModel
    public let modelName: String
    /// New tokens per verdict; `unsafe\nS1,S10` plus end of turn is under 10 with Llama 3's tokenizer.
    public var maxNewTokens: Int
    /// Prompts per `DecoderModel.generate` call.
    public var batchSize: Int

    public convenience init(folder: String, adapter: String? = nil, maxNewTokens: Int = 20, batchSize: Int = 8) throws {
        try self.init(local: LocalModel(folder: folder, adapter: adapter), maxNewTokens: maxNewTokens, batchSize: batchSize)
    }

    public init(local: LocalModel, maxNewTokens: Int = 20, batchSize: Int = 8) {
        self.local = local
        modelName = URL(fileURLWithPath: local.folder).standardizedFileURL.lastPathComponent
        self.maxNewTokens = max(1, maxNewTokens)
        self.batchSize = max(1, batchSize)
    }

    public func complete(_ prompts: [String]) throws -> [String] {
        let ids = try prompts.map(local.encodePrompt)
        let outs = try local.continuations(ids, params: SamplingParameters(maxNewTokens: maxNewTokens), batchSize: batchSize)
        return outs.map { local.tokenizer.decode($0, skipSpecialTokens: true) }
    }
}
