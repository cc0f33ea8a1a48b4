import ArgumentParser
import Foundation
import Models
import Tensor

/// `safekey bench generate`: greedy decoding speed of a randomly initialised Qwen2-shaped model,
/// batch 1, with a KV cache — transformers `generate(do_sample=False)`'s work. Prints decode
/// tokens/s (prefill excluded), per-token latency, achieved GFLOP/s against the `sgemm` peak and
/// GB/s of weights streamed against a memory-read bandwidth measured in the same run (a decode
/// step reads every weight once, so that bandwidth bounds it), and peak resident memory.
///
/// `--weights bf16`: the matrices (projections, embedding, LM head) are stored as BF16 and widened
/// to f32 on the fly (`WeightStorage.bf16`), so a step streams 2 bytes a weight; the GB/s and
/// bandwidth-bound figures count 2 bytes a weight in that mode.
struct BenchGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate", abstract: "Greedy decoding speed of a Qwen2-shaped model (tokens/s, GB/s, peak RSS).")

    @Option(help: "Model shape (random weights).") var shape = BenchShape.named("qwen05b")!
    @Option(help: "Weight storage: f32 or bf16 (matrices kept as BF16, computed in f32).") var weights = WeightStorage.f32
    @Option(help: "New tokens to generate.") var newTokens = 64
    @Option(help: "Prompt length (random tokens).") var promptLen = 32
    @Flag(help: "Print one JSON object instead of the table.") var json = false

    func run() throws {
        let spec = shape
        guard newTokens >= 2, promptLen >= 1 else { throw ValidationError("--new-tokens must be ≥ 2 and --prompt-len ≥ 1") }
        let peak = measureSgemmPeak()
        let bandwidth = measureReadBandwidth()
        // The 512 MiB probe buffer is freed; reset the peak-RSS mark so it does not count (Linux).
        Storage.releaseFreeMemory()
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        let model = DecoderModel(config: try spec.config(), weightStorage: weights)
        model.initializeRandomly(seed: 2002)
        let cfg = model.config
        var rng = UInt64(7)
        let prompt = (0..<promptLen).map { _ -> Int in
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            return Int(rng >> 33) % cfg.vocabSize
        }
        _ = try model.generate(prompts: [prompt], params: SamplingParameters(maxNewTokens: 2))   // warm-up
        var stamps: [Double] = []
        let start = now()
        _ = try model.generate(prompts: [prompt], params: SamplingParameters(maxNewTokens: newTokens)) { _ in
            stamps.append(now())
            return true
        }
        guard let first = stamps.first, let last = stamps.last, stamps.count >= 2 else {
            throw ValidationError("generation stopped after \(stamps.count) tokens")
        }
        let decoded = stamps.count - 1
        let tokenSeconds = (last - first) / Double(decoded)
        // Work of the average decode step: every matmul weight once, attention over the cache.
        let context = promptLen + stamps.count / 2
        let flops = forwardFlops(cfg, seqLen: 1, batch: 1, context: context)
        let weightBytes = Double(model.matrixWeightBytes)
        let result = BenchResult(fields: [
            ("benchmark", .string("generate")), ("shape", .string(spec.name)), ("weights", .string(weights.rawValue)),
            ("weight_storage", .string(model.weightStorage.rawValue)), ("threads", .int(Parallel.threads)),
            ("prompt_len", .int(promptLen)), ("new_tokens", .int(stamps.count)), ("parameters", .int(model.parameterCount)),
            ("tokens_per_s", .double(1 / tokenSeconds)), ("token_s", .double(tokenSeconds)), ("prefill_s", .double(first - start)),
            ("gflops", .double(flops / tokenSeconds / 1e9)), ("sgemm_peak_gflops", .double(peak)),
            ("fraction_of_peak", .double(flops / tokenSeconds / 1e9 / peak)),
            ("weight_gb_per_s", .double(weightBytes / tokenSeconds / 1e9)), ("read_bandwidth_gb_per_s", .double(bandwidth)),
            ("bandwidth_bound_tokens_per_s", .double(bandwidth * 1e9 / weightBytes)),
            ("fraction_of_bandwidth_bound", .double(weightBytes / tokenSeconds / 1e9 / bandwidth)),
            ("peak_rss_bytes", .int(peakResidentBytes())),
        ])
        if json { print(result.json); return }
        print("safekey bench generate — shape \(spec.name), \(model.parameterCount) parameters, greedy, batch 1, \(Parallel.threads) threads")
        result.printTable()
    }
}

/// Main-memory read bandwidth in GB/s: the median time to sum a 512 MiB buffer on the engine's
/// threads (far beyond any cache), as a decode step streams its weights.
func measureReadBandwidth(bytes: Int = 512 << 20) -> Double {
    let n = bytes / 4
    let buf = UnsafeMutablePointer<Float>.allocate(capacity: n)
    defer { buf.deallocate() }
    buf.initialize(repeating: 1, count: n)
    var sink: Float = 0
    let lock = NSLock()
    let seconds = median(0.6) {
        Parallel.forRange(n / 16, grain: 1 << 16) { r in
            var acc = SIMD16<Float>()
            for i in r { acc += UnsafeRawPointer(buf + 16 * i).loadUnaligned(as: SIMD16<Float>.self) }
            lock.lock(); sink += acc.sum(); lock.unlock()
        }
    }
    if sink == -1 { print("") }   // keeps the reads alive
    return Double(bytes) / seconds / 1e9
}
