import Foundation
import Models
import Tokenizers
import TestSupport
import XCTest

/// A real model folder for generation tests, built at test time: the committed qwen2-tiny
/// architecture (Tests/Fixtures/models/qwen2-tiny/config.json: 2 layers, hidden 64, GQA 4/2) with
/// its vocabulary widened to the committed world tokenizer's 2,482 ids (Assets/world-base, an
/// R1-shaped chat template), random weights from a fixed seed, saved with that tokenizer. The
/// fixture folders hold no tokenizer.json and their 512-id vocabulary cannot hold the world
/// tokenizer's ids, hence the rebuild. Its text is gibberish; the tests check plumbing and
/// exact agreement with independent decoding, not quality.
enum TinyChatModel {
    static let repoRoot = RepoPaths.root
    static let worldTokenizer = repoRoot.appendingPathComponent("Assets/world-base").path

    /// Writes the folder under `dir` (default: a fresh temporary folder) and returns its path.
    /// `dtype` is the stored weights' type (`.bf16` for a checkpoint whose numbers BF16 storage keeps exactly).
    static func make(in dir: String? = nil, seed: UInt64 = 7, initStd: Double = 0.5, dtype: DType = .f32) throws -> String {
        let folder = (dir ?? NSTemporaryDirectory() + "tiny-chat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let configPath = folder + "/config.json"
        let vocabularySize = try FixtureJSON.worldVocabularySize()
        try FixtureJSON.editConfig(from: RepoPaths.fixture("models/qwen2-tiny/config.json"), to: configPath) { cfg in
            cfg["vocab_size"] = .int(vocabularySize)
            cfg["bos_token_id"] = 0
            cfg["eos_token_id"] = 1
            cfg["max_position_embeddings"] = 4096
            // A larger init than transformers' 0.02 so greedy decoding varies with the context.
            cfg["initializer_range"] = .double(initStd)
        }
        let model = DecoderModel(config: try ModelConfig(contentsOf: configPath))
        model.initializeRandomly(seed: seed)
        try model.save(to: folder, dtype: dtype, copyFrom: worldTokenizer)
        return folder
    }

    /// The `safekey` executable, or XCTSkip (TestSupport's ``SafeKeyCLI``).
    static func executable(for testCase: AnyClass) throws -> URL { try SafeKeyCLI.executable() }

    /// Runs the executable; returns (exit status, stdout, stderr).
    static func run(_ exe: URL, _ args: [String]) throws -> (Int32, String, String) {
        let r = try SafeKeyCLI.run(args)
        return (r.status, r.out, r.err)
    }

    /// Greedy decoding without a KV cache or batching: the full sequence through `forward` each
    /// step, repetition penalty applied by hand as transformers' `RepetitionPenaltyLogitsProcessor`
    /// does, first maximal logit. The independent reference for `DecoderGenerator`.
    static func naiveGreedy(_ model: DecoderModel, prompt: [Int], maxNew: Int, penalty: Float, stops: Set<Int>) throws -> [Int] {
        var seq = prompt, out: [Int] = []
        let v = model.config.vocabSize
        for _ in 0..<maxNew {
            // (Outside GradMode.noGrad — this target does not import Tensor; the tape is just discarded.)
            var row = Array(try model.forward(ids: seq, batch: 1).logits.values[((seq.count - 1) * v)...])
            for id in Set(seq) { row[id] = row[id] < 0 ? row[id] * penalty : row[id] / penalty }
            var best = 0
            for i in 0..<v where row[i] > row[best] { best = i }
            seq.append(best)
            if stops.contains(best) { break }
            out.append(best)
        }
        return out
    }
}
