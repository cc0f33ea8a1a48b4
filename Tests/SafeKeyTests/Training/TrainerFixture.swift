import Foundation
import TestSupport
import XCTest
import Models
import SafeKey
import Tensor

/// The trainer fixture of Scripts/make_trainer_fixtures.py: six records, a tiny Qwen2 model whose
/// weights follow a closed formula (so none are stored), and PyTorch's encodings, per-record
/// losses and per-step training log.
enum TrainerFixture {
    static let directory = RepoPaths.fixtures.appendingPathComponent("trainer")
    static let sharedTokenizer = RepoPaths.sharedPath("tokenizers/deepseek-r1-distill-qwen")

    static func json(_ name: String) throws -> JSONValue { try FixtureJSON.load(directory.appendingPathComponent(name).path) }

    /// The formula of model.json: `1 + 0.1·sin(0.37i + s)` for norm weights, else `0.3·sin(0.37i + s)`,
    /// `s = 0.001 · Σ utf8(name)`, evaluated in double and rounded to f32 (as the script does).
    static func fill(_ p: Tensor) {
        let name = p.name ?? ""
        let s = 0.001 * Double(name.utf8.reduce(0) { $0 + Int($1) })
        let norm = name.hasSuffix("norm.weight")
        for i in 0..<p.count {
            let v = sin(0.37 * Double(i) + s)
            p.data[i] = Float(norm ? 1 + 0.1 * v : 0.3 * v)
        }
    }

    /// A folder holding the tiny model (config.json + weights), written once per process.
    static func modelFolder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("safekey-trainer-fixture-\(getpid())").path
        if FileManager.default.fileExists(atPath: folder + "/config.json") { return folder }
        let model = DecoderModel(config: try config())
        for p in model.parameters { fill(p) }
        try model.save(to: folder, dtype: .f32, copyFrom: sharedTokenizer)
        return folder
    }

    /// `TrainerOptions` from a fixture's "options" object (no shuffling, as the scripts train).
    static func options(_ o: JSONValue?) -> TrainerOptions {
        var options = TrainerOptions()
        options.epochs = o?["epochs"]?.intValue ?? 0
        options.lastKEpochs = o?["last_k_epochs"]?.intValue ?? 0
        options.batchSize = o?["batch_size"]?.intValue ?? 0
        options.gradAccum = o?["grad_accum"]?.intValue ?? 0
        options.learningRate = o?["lr"]?.doubleValue ?? 0
        options.weightDecay = Float(o?["weight_decay"]?.doubleValue ?? 0)
        options.warmupRatio = o?["warmup_ratio"]?.doubleValue ?? 0
        options.shuffle = false
        return options
    }

    static func config() throws -> ModelConfig {
        let m = try json("model.json")
        return try ModelConfig(json: Array(JSONWriter.compact(m["config"] ?? [:]).utf8), path: "model.json")
    }

    static func model() throws -> DecoderModel {
        let model = DecoderModel(config: try config())
        for p in model.parameters { fill(p) }
        return model
    }

    static func head() -> SafetyHead {
        let h = SafetyHead(hiddenSize: 16, seed: 0)
        for p in h.parameters { fill(p) }
        return h
    }

    /// PyTorch's encodings, as `EncodedExample`s.
    static func encoded() throws -> [EncodedExample] {
        let e = try json("expected.json")
        return (e["encoded"]?.arrayValue ?? []).enumerated().map { i, o in
            let ints = { (k: String) in o[k]?.intArray ?? [] }
            let span = ints("understanding_span"), key = ints("key_span")
            return EncodedExample(inputIds: ints("input_ids"), labels: ints("labels"), keyMask: ints("key_mask"),
                                  queryMask: ints("query_mask"), promptLength: span[0], keyStart: key[0], keyEnd: key[1],
                                  unsafe: o["unsafe"]?.intValue == 1, auxiliary: true, referenceKeySpan: nil, line: i + 1)
        }
    }
}
