import ArgumentParser
import Foundation
import Models
import SafeKey
import Tensor

/// `safekey bench memory`: peak resident memory of one SafeKey training step (SFT + QMM + DPSH,
/// forward and backward) at growing sequence lengths, with and without gradient checkpointing, on
/// a small random Qwen2-shaped model — or on a real model's shape (`--shape r1-qwen-1.5b`, random
/// weights), optionally LoRA on a frozen BF16 base (`--lora 16 --base-weights bf16`). Attention is tiled (O(T) per head), so growth should be
/// linear in T; a T×T buffer would show up as quadratic growth.
///
/// Peak RSS is read from `/proc/self/status` (VmHWM), reset before each run through
/// `/proc/self/clear_refs` (Linux only).
struct BenchMemoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory", abstract: "Peak memory of a training step vs sequence length (Linux).")

    @Option(help: "Comma-separated sequence lengths.") var seqLens = CommaList([1024, 2048, 4096, 8192])
    @Option var hidden = 256
    @Option var layers = 4
    @Option var vocab = 4096
    @Option(help: "A bench shape instead of --hidden/--layers/--vocab, e.g. r1-qwen-1.5b, r1-qwen-7b, r1-llama-8b, qwen05b.") var shape: BenchShape?
    @Option(help: "One sequence length (overrides --seq-lens).") var seqLen: Int?
    @Flag(help: "Measure with gradient checkpointing only (default: off and on).") var checkpoint = false
    @Option(help: "Train LoRA adapters of this rank (all projections) on a frozen base.") var lora: Int?
    @Option(help: "Frozen base weights with --lora: f32 or bf16.") var baseWeights: WeightStorage = .bf16
    @Option(help: BaseMatmul.help) var baseMatmul: BaseMatmul?

    func run() throws {
        guard FileManager.default.isWritableFile(atPath: "/proc/self/clear_refs") else {
            throw ValidationError("needs Linux /proc/self/clear_refs to reset the peak RSS")
        }
        let cfg: JSONObject = ["model_type": "qwen2", "vocab_size": .int(vocab), "hidden_size": .int(hidden),
                               "intermediate_size": .int(hidden * 11 / 4), "num_hidden_layers": .int(layers),
                               "num_attention_heads": 4, "num_key_value_heads": 2, "rms_norm_eps": 1e-6,
                               "max_position_embeddings": 16384, "tie_word_embeddings": true]
        var config = try ModelConfig(object: cfg, path: "bench")
        if let shape { config = try shape.config() }
        let arithmetic = try BaseMatmul.apply(baseMatmul, lora: lora != nil, storage: baseWeights)
        let model = DecoderModel(config: config, weightStorage: lora == nil ? .f32 : baseWeights)
        model.initializeRandomly(seed: 1)
        if let lora { try model.attachLoRA(LoRAConfig(rank: lora), seed: 1) }
        let head = SafetyHead(hiddenSize: config.hiddenSize, seed: 1)
        let vocab = config.vocabSize
        print("safekey bench memory — \(shape?.name ?? "Qwen2 shape hidden \(hidden), \(layers) layers, vocab \(vocab)"), \(model.parameterCount) weights, "
              + "\(lora.map { "LoRA r\($0) on a frozen \(baseWeights.rawValue) base" } ?? "full f32 fine-tuning")\(arithmetic.map { " (\($0.rawValue) products)" } ?? ""), batch 1, \(Parallel.threads) threads")
        print("model resident after loading: \(String(format: "%.1f", Double(procStatusBytes("VmRSS") ?? 0) / 1048576)) MiB")
        print("seq len   checkpointing   peak RSS growth (MiB)   peak RSS (MiB)   step seconds")
        for t in seqLen.map({ [$0] }) ?? seqLens.values {
            for ckpt in checkpoint ? [true] : [false, true] {
                let ids = (0..<t).map { ($0 * 7919) % vocab }
                let p = t / 8, k = t / 2
                let e = EncodedExample(inputIds: ids, labels: ids.enumerated().map { $0.offset < p ? -100 : $0.element },
                                       keyMask: ids.indices.map { $0 >= k && $0 < k + 16 ? 1 : 0 },
                                       queryMask: ids.indices.map { $0 < p ? 0 : 1 }, promptLength: p, keyStart: k,
                                       keyEnd: k + 16, unsafe: true, auxiliary: true, referenceKeySpan: nil, line: 1)
                var options = ObjectiveOptions()
                options.gradientCheckpointing = ckpt
                for param in model.parameters + head.parameters { param.dropGrad() }
                Storage.releaseFreeMemory()
                try "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
                let before = procStatusBytes("VmRSS") ?? 0
                let start = Date()
                let r = try SafeKeyObjective.evaluate(model: model, head: head, batch: [e], padId: 0, options: options, auxiliary: true)
                try r.total.backward()
                let seconds = Date().timeIntervalSince(start)
                let growth = Double(peakResidentBytes() - before) / 1048576
                let peak = Double(peakResidentBytes()) / 1048576
                print(pad("\(t)", 10), pad(ckpt ? "on" : "off", 16), pad(String(format: "%.1f", growth), 24),
                      pad(String(format: "%.1f", peak), 17), String(format: "%.2f", seconds))
            }
        }
    }

}
