import ArgumentParser
import Foundation
import Models
import Support
import Tensor

/// `safekey bench train`: throughput of one full training step of a randomly initialised
/// Qwen2-shaped model — forward, next-token cross-entropy over the whole sequence (transformers'
/// `Qwen2ForCausalLM(input_ids, labels=input_ids)`), backward, AdamW step, gradients dropped —
/// on random tokens. Prints tokens/s, step latency, achieved GFLOP/s, the fraction of the
/// `cblas_sgemm` peak measured in the same run, the split of a step between forward, backward and
/// optimizer, and the peak resident memory. `Scripts/bench_vs_torch.py` runs the PyTorch twin.
///
/// ```
/// safekey bench train --shape tiny --steps 5 --json
/// ```
struct BenchTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Training-step throughput of a Qwen2-shaped model (tokens/s, GFLOP/s, peak RSS).")

    @Option(help: "Model shape: tiny, small, qwen05b (issue 7's table), or r1-qwen-1.5b, r1-qwen-7b, r1-llama-8b (the real configs, random weights).")
    var shape = BenchShape.named("tiny")!
    @Option(help: "Train LoRA adapters of this rank (all projections, alpha 2R) on a frozen base instead of every weight.") var lora: Int?
    @Option(help: "Frozen base weights with --lora: f32 or bf16.") var baseWeights: WeightStorage = .f32
    @Option(help: BaseMatmul.help) var baseMatmul: BaseMatmul?
    @Option(help: "Timed steps (after one warm-up step); the median is reported.") var steps = 5
    @Option(help: "Sequence length (default: the shape's).") var seqLen: Int?
    @Option(help: "Batch size (default: the shape's).") var batch: Int?
    @Flag(help: "Recompute each decoder block in backward (gradient checkpointing).") var checkpoint = false
    @Flag(help: "LM head + cross-entropy fused in row chunks (linearCrossEntropy): [T, V] logits never all live.") var fusedHead = false
    @Flag(help: "Print one JSON object instead of the table.") var json = false
    @Flag(help: "Also print wall time per op (forward and backward, summed over the timed steps).") var profile = false

    func run() throws {
        let spec = shape
        guard steps >= 1 else { throw ValidationError("--steps must be ≥ 1, got \(steps)") }
        let t = seqLen ?? spec.seqLen, b = batch ?? spec.batch
        guard t >= 2, b >= 1 else { throw ValidationError("--seq-len must be ≥ 2 and --batch ≥ 1") }
        let peak = measureSgemmPeak()
        let arithmetic = try BaseMatmul.apply(baseMatmul, lora: lora != nil, storage: baseWeights)
        let model = DecoderModel(config: try spec.config(), weightStorage: lora == nil ? .f32 : baseWeights)
        model.initializeRandomly(seed: 2002)
        if let lora { try model.attachLoRA(LoRAConfig(rank: lora), seed: 2002) }
        let fusedHead = self.fusedHead || lora != nil   // a frozen BF16 head goes through the fused loss
        let cfg = model.config
        let decayed = model.parameters.filter { !($0.name ?? "").hasSuffix(".bias") && !($0.name ?? "").hasSuffix("norm.weight") }
        let plain = model.parameters.filter { p in !decayed.contains { $0 === p } }
        let opt = AdamW(groups: [ParameterGroup(parameters: decayed, weightDecay: 1e-4),
                                 ParameterGroup(parameters: plain, weightDecay: 0)],
                        learningRate: 1e-5, betas: (0.9, 0.95))
        var rng = UInt64(0x5AFE)
        let ids = (0..<(b * t)).map { _ -> Int in
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            return Int(rng >> 33) % cfg.vocabSize
        }
        // labels = input_ids, shifted inside the loss as transformers does: position i predicts i+1.
        let targets = ids.indices.map { ($0 + 1) % t == 0 ? -100 : ids[$0 + 1] }
        var fwd: [Double] = [], bwd: [Double] = [], optT: [Double] = []
        for step in 0...steps {
            if profile && step == 1 { OpProfile.isEnabled = true; OpProfile.reset() }
            OpProfile.mark()
            let t0 = now()
            let loss: Tensor
            if fusedHead {
                let hidden = try model.hiddenStates(ids: ids, batch: b, checkpointLayers: checkpoint)
                loss = try linearCrossEntropy(hidden, weight: model.lmHead, targets: targets)
            } else {
                let logits = try model.forward(ids: ids, batch: b, checkpointLayers: checkpoint).logits
                loss = try crossEntropy(logits: logits, targets: targets)
            }
            let t1 = now()
            try loss.backward()
            let t2 = now()
            opt.step()
            opt.zeroGrad()
            let t3 = now()
            if step > 0 { fwd.append(t1 - t0); bwd.append(t2 - t1); optT.append(t3 - t2) }   // step 0 warms up
        }
        let total = zip(zip(fwd, bwd), optT).map { $0.0 + $0.1 + $1 }
        let stepSeconds = middle(total)
        // With a frozen base no weight gradient is formed: about 2 forwards' worth instead of 3.
        let flops = trainingFlops(cfg, seqLen: t, batch: b) * (lora == nil ? 1 : 2.0 / 3)
        let matmul = arithmetic?.rawValue ?? "none"   // "none": no frozen BF16 base
        let result = BenchResult(fields: [
            ("benchmark", .string("train")), ("shape", .string(spec.name)), ("seq_len", .int(t)), ("batch", .int(b)),
            ("threads", .int(Parallel.threads)), ("checkpointing", .bool(checkpoint)), ("fused_head", .bool(fusedHead)), ("steps", .int(steps)),
            ("lora_rank", .int(lora ?? 0)), ("base_weights", .string(lora == nil ? "f32" : baseWeights.rawValue)),
            ("base_matmul", .string(matmul)),
            ("trained_parameters", .int(model.parameters.reduce(0) { $0 + $1.count })),
            ("parameters", .int(model.parameterCount)),
            ("tokens_per_s", .double(Double(b * t) / stepSeconds)), ("step_s", .double(stepSeconds)),
            ("forward_s", .double(middle(fwd))), ("backward_s", .double(middle(bwd))), ("optimizer_s", .double(middle(optT))),
            ("gflop_per_step", .double(flops / 1e9)), ("gflops", .double(flops / stepSeconds / 1e9)),
            ("sgemm_peak_gflops", .double(peak)), ("fraction_of_peak", .double(flops / stepSeconds / 1e9 / peak)),
            ("peak_rss_bytes", .int(peakResidentBytes())),
        ])
        OpProfile.isEnabled = false
        if json { print(result.json); return }
        if profile { printOpProfile(steps: steps) }
        print("safekey bench train — shape \(spec.name), \(model.parameterCount) parameters, \(b) × \(t) tokens, \(Parallel.threads) threads, \(lora.map { "LoRA r\($0) on a frozen \(baseWeights.rawValue) base" } ?? "f32")\(arithmetic.map { " (\($0.rawValue) products)" } ?? ""), AdamW\(checkpoint ? ", checkpointing" : "")\(fusedHead ? ", fused head+CE" : "")")
        result.printTable()
    }
}

/// Prints `OpProfile`'s table: seconds per step spent in each op's forward and backward.
func printOpProfile(steps: Int) {
    let rows = OpProfile.table()
    let total = rows.reduce(0) { $0 + $1.forward + $1.backward }
    print("op profile (seconds per step; forward includes glue code before the op records itself)")
    print("op".padding(toLength: 22, withPad: " ", startingAt: 0) + "   forward   backward   calls/step   share")
    for r in rows {
        let f = r.forward / Double(steps), b = r.backward / Double(steps)
        print(r.op.padding(toLength: 22, withPad: " ", startingAt: 0)
              + String(format: "  %8.4f   %8.4f   %10d   %5.1f%%", f, b, r.calls / max(steps, 1), 100 * (r.forward + r.backward) / max(total, 1e-12)))
    }
    print("GEMM shapes (C = op(A)·op(B), m×n×k; N/T = plain/transposed A, B): seconds per step, GFLOP/s")
    for g in OpProfile.gemmTable() {
        print(g.shape.padding(toLength: 22, withPad: " ", startingAt: 0)
              + String(format: "  %8.4f   %6.1f GF/s   %4d calls/step", g.seconds / Double(steps), g.gflops, g.calls / max(steps, 1)))
    }
}

/// Model FLOPs of one training step (forward + backward = 3 × forward): every matmul weight
/// (LM head included, embedding lookup excluded) costs 2 FLOPs per token forward, and causal
/// attention `2·T·Hq·D` per token per layer forward (QKᵀ and PV over the causal half).
func trainingFlops(_ c: ModelConfig, seqLen t: Int, batch b: Int) -> Double {
    3 * forwardFlops(c, seqLen: t, batch: b)
}

/// Forward FLOPs of `batch` sequences of `seqLen` tokens (see `trainingFlops`).
func forwardFlops(_ c: ModelConfig, seqLen t: Int, batch b: Int, context: Int? = nil) -> Double {
    let q = c.numHeads * c.headDim
    let matmulParams = Double(c.matrixWeightCount)
    let keys = Double(context ?? t)   // average keys seen per query: T/2 causal, or the cache length
    let attention = Double(c.numLayers) * 4 * Double(q) * (context == nil ? keys / 2 : keys)
    return Double(b * t) * (2 * matmulParams + attention)
}

/// The model shapes of issue 7 (Qwen2 architecture, tied embeddings, qkv bias).
struct BenchShape {
    let name: String
    let hidden, layers, heads, kvHeads, intermediate, vocab, seqLen, batch: Int
    /// A real model's `config.json` (RealModelShapes); nil for the synthetic Qwen2 shapes.
    var json: String? = nil

    static let all = [
        BenchShape(name: "tiny", hidden: 256, layers: 4, heads: 4, kvHeads: 2, intermediate: 704, vocab: 4096, seqLen: 256, batch: 4),
        BenchShape(name: "small", hidden: 512, layers: 8, heads: 8, kvHeads: 2, intermediate: 1408, vocab: 8192, seqLen: 512, batch: 2),
        BenchShape(name: "qwen05b", hidden: 896, layers: 24, heads: 14, kvHeads: 2, intermediate: 4864, vocab: 151936, seqLen: 512, batch: 1),
    ] + RealModelShapes.configs.map { BenchShape(name: $0.name, hidden: 0, layers: 0, heads: 0, kvHeads: 0, intermediate: 0,
                                                 vocab: 0, seqLen: 512, batch: 1, json: $0.json) }

    static func named(_ n: String) -> BenchShape? { all.first { $0.name == n } }

    /// The `config.json` of this shape (what `Scripts/bench_vs_torch.py` gives `Qwen2Config`).
    func config() throws -> ModelConfig {
        if let json { return try ModelConfig(json: Array(json.utf8), path: "bench shape \(name)") }
        let text = """
        {"model_type": "qwen2", "hidden_size": \(hidden), "num_hidden_layers": \(layers), \
        "num_attention_heads": \(heads), "num_key_value_heads": \(kvHeads), "intermediate_size": \(intermediate), \
        "vocab_size": \(vocab), "max_position_embeddings": 32768, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0, \
        "tie_word_embeddings": true, "hidden_act": "silu"}
        """
        return try ModelConfig(json: Array(text.utf8), path: "bench shape \(name)")
    }
}

/// Median `cblas_sgemm` GFLOP/s on 1024³ with the engine's thread setting — the practical peak
/// that achieved GFLOP/s is compared with (measured in the same process, so under the same load).
func measureSgemmPeak(n: Int = 1024) -> Double {
    let a = randomTensor([n, n]), b = randomTensor([n, n]), c = Tensor(zeros: [n, n])
    let seconds = median(0.6) { sgemm(m: n, n: n, k: n, a: a.data, lda: n, b: b.data, ldb: n, c: c.data, ldc: n) }
    return 2 * Double(n * n * n) / seconds / 1e9
}

#if canImport(Glibc)
private let RUSAGE_SELF_ID = __rusage_who_t(RUSAGE_SELF.rawValue)
#endif

/// A `/proc/self/status` field given in kB (e.g. `VmHWM`, `VmRSS`), in bytes; nil off Linux.
func procStatusBytes(_ key: String) -> Int? { ProcStatus.bytes(key) }

/// Peak resident set size of this process (Linux `VmHWM`, else `getrusage`), in bytes.
func peakResidentBytes() -> Int {
    if let peak = procStatusBytes("VmHWM") { return peak }
    var usage = rusage()
    #if canImport(Glibc)
    getrusage(RUSAGE_SELF_ID, &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    #if canImport(Darwin)
    return Int(usage.ru_maxrss)          // bytes on Darwin
    #else
    return Int(usage.ru_maxrss) * 1024   // KiB on Linux
    #endif
}

/// Seconds since an arbitrary origin (monotonic).
func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// The median of a non-empty list (upper median for even counts).
func middle(_ xs: [Double]) -> Double { xs.isEmpty ? 0 : xs.sorted()[xs.count / 2] }

/// An ordered list of named figures, printed as a table or one JSON object (Support's writer; a
/// figure that is not finite is `null`, numbers keep 6 significant digits).
struct BenchResult {
    enum Value {
        case string(String), int(Int), double(Double), bool(Bool)
        var json: JSONValue {
            switch self {
            case .string(let s): return .string(s)
            case .int(let i): return .int(i)
            case .double(let d): return d.isFinite ? .number(String(format: "%.6g", d)) : .null
            case .bool(let b): return .bool(b)
            }
        }
        var text: String {
            switch self {
            case .string(let s): return s
            case .double(let d): return String(format: d >= 100 ? "%.1f" : "%.4g", d)
            default: return JSONWriter.compact(json)
            }
        }
    }
    let fields: [(String, Value)]
    var json: String { jsonLine(JSONObject(fields.map { (key: $0.0, value: $0.1.json) })) }
    func printTable() {
        for (k, v) in fields {
            if k == "peak_rss_bytes", case .int(let n) = v { print(pad(k, 22), String(format: "%.1f MiB", Double(n) / 1048576)); continue }
            print(pad(k, 22), v.text)
        }
    }
}
