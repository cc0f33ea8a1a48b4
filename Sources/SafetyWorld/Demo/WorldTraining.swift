import Support
import Foundation
import Models
import SafeKey
import Tensor
import Tokenizers

/// Encoding and training helpers shared by `safekey world pretrain` and `safekey demo`.
public enum WorldTraining {
    /// The tiny base model's architecture: Qwen2 (tied embeddings, q/k/v bias), small enough to
    /// pre-train and fine-tune on two CPU cores in minutes.
    public static func baseConfig(vocabSize: Int, bosId: Int, eosId: Int) -> JSONObject {
        ["architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": .int(vocabSize), "hidden_size": 128,
         "intermediate_size": 384, "num_hidden_layers": 4, "num_attention_heads": 4, "num_key_value_heads": 2,
         "max_position_embeddings": 1024, "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "tie_word_embeddings": true,
         "hidden_act": "silu", "use_sliding_window": false, "sliding_window": .null, "max_window_layers": 4,
         "attention_dropout": 0.0, "initializer_range": 0.02, "bos_token_id": .int(bosId), "eos_token_id": .int(eosId),
         "torch_dtype": "float32", "use_cache": true]
    }

    /// Encodes world examples with the model folder's tokenizer and chat template (the whole
    /// conversation of a multi-turn jailbreak is the prompt).
    public static func encode(_ examples: [WorldExample], tokenizer: Tokenizer, maxSeqLen: Int = 1024) throws -> [EncodedExample] {
        let encoder = try RecordEncoder(tokenizer: tokenizer, maxSequenceLength: maxSeqLen)
        return try examples.enumerated().map { i, e in
            try encoder.encode(conversation: e.prompt.messages.map { (role: $0.role, content: $0.content) },
                               response: e.response.text, summaryEnd: e.response.summaryEndIdx,
                               keyEnd: e.response.nextSentenceEndIdx, unsafe: e.request.harmful, line: i + 1)
        }
    }

    /// Token ids of the generation prompt for `example` (plus its prefill, if any): what the demo
    /// generates from (through SafetyEval; `DemoPromptTests` checks that the two agree).
    public static func promptIds(_ example: WorldExample, tokenizer: Tokenizer) throws -> [Int] {
        let text = try tokenizer.applyChatTemplate(example.prompt.messages.map { ChatMessage(role: $0.role, content: $0.content) },
                                                   addGenerationPrompt: true)
        return try tokenizer.encode(text + (example.prefill ?? ""))
    }
}

/// `safekey world pretrain`: makes the unaligned base reasoner from scratch — random init, then
/// next-token training on the world's `pretraining` set (it reasons in the LRM shape and complies
/// with every request, wrapped or not). Writes a Hugging Face folder (BF16 weights by default).
public struct WorldPretraining {
    public var tokenizerFolder: String
    public var output: String
    public var count = 6000
    public var epochs = 3
    public var learningRate = 3e-3
    public var batchSize = 8
    public var seed: UInt64 = 2002
    public var saveDType: DType = .bf16

    public init(tokenizerFolder: String, output: String) {
        self.tokenizerFolder = tokenizerFolder
        self.output = output
    }

    public func run(progress: @escaping (StepLog, Int) -> Void) throws -> [StepLog] {
        let tokenizer = try Tokenizer(path: tokenizerFolder)
        guard let bos = tokenizer.bosTokenId, let eos = tokenizer.eosTokenId else {
            throw WorldError.badTokenizer(path: tokenizerFolder, detail: "tokenizer_config.json must name bos_token and eos_token")
        }
        let cfg = WorldTraining.baseConfig(vocabSize: tokenizer.vocabularySize, bosId: bos, eosId: eos)
        let config = try ModelConfig(object: cfg, path: "world-base config")
        let model = DecoderModel(config: config)
        model.initializeRandomly(seed: seed)
        let examples = try WorldTraining.encode(try SafetyWorld.examples(.pretraining, count: count, seed: seed), tokenizer: tokenizer)
        var options = TrainerOptions()
        options.epochs = epochs
        options.lastKEpochs = 0
        options.learningRate = learningRate
        options.weightDecay = 0.01
        options.warmupRatio = 0.05
        options.batchSize = batchSize
        options.seed = seed
        options.objective.useQMM = false
        options.objective.useDPSH = false
        let trainer = try Trainer(model: model, head: SafetyHead(hiddenSize: config.hiddenSize, seed: seed), examples: examples,
                                  padId: eos, options: options)
        let total = trainer.totalSteps
        trainer.onStep = { progress($0, total); return true }
        try trainer.run()
        try model.save(to: output, dtype: saveDType, copyFrom: tokenizerFolder)
        return trainer.logs
    }
}
