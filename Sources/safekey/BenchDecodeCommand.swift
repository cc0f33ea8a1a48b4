import ArgumentParser
import Foundation
import Models
import Serve
import Tensor

/// `safekey bench decode --model DIR`: the model side of continuous batching, without HTTP.
/// For each batch size B (default 1, 8, 32) it fills B slots of a ``SlotKVCache`` with prompts of
/// `--prompt-len` tokens whose lengths differ by row (as a server's sequences do), timing that
/// prefill (one prompt at a time, as `serve` does) apart from `--steps` batched
/// ``DecoderModel/decodeStep`` calls (greedy argmax per row, no sampling policies). Levels
/// alternate for `--rounds` rounds and each reports its median round: tokens/s, the speed-up over
/// the first level, milliseconds a step, and the prefill's time and prompt tokens/s. `--profile`
/// adds the per-op table of the last round. This separates the model's batching gain from
/// `bench serve`'s HTTP and streaming costs, which share the same two cores.
struct BenchDecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode", abstract: "Batched decoding steps without HTTP (tokens/s at several batch sizes).")

    @OptionGroup var modelOptions: ServedModelOptions
    @Option(parsing: .upToNextOption, help: "Batch sizes to measure.") var batch: [Int] = [1, 8, 32]
    @Option(help: "Prompt tokens of the first row (row i has prompt-len + 3·i, so lengths differ).") var promptLen = 48
    @Option(help: "Timed decoding steps at each batch size and round.") var steps = 64
    @Option(help: "Rounds over all batch sizes (the median round is reported).") var rounds = 3
    @Flag(help: "Also print wall time per op for the last round of each batch size.") var profile = false

    func run() throws {
        guard batch.allSatisfy({ $0 >= 1 }), promptLen >= 1, steps >= 1, rounds >= 1 else {
            throw ValidationError("--batch values, --prompt-len, --steps and --rounds must be ≥ 1")
        }
        let served = try modelOptions.load()
        let model = served.local.model
        let v = model.config.vocabSize
        let longest = promptLen + 3 * (batch.max()! - 1) + steps + 1
        guard longest <= served.contextLength else {
            throw ValidationError("the longest row needs \(longest) positions; the context is \(served.contextLength): lower --prompt-len or --steps")
        }
        var seconds = [[Double]](repeating: [], count: batch.count), prefillSeconds = seconds
        for round in 0..<rounds {
            for (level, b) in batch.enumerated() {
                let cache = SlotKVCache(config: model.config, slots: b, maxLength: served.contextLength)
                let slots = (0..<b).map { _ in cache.acquire()! }
                let prompts = (0..<b).map { r in (0..<(promptLen + 3 * r)).map { (($0 + 1) * 7919 + r * 104729) % v } }
                let prefillStart = DispatchTime.now().uptimeNanoseconds
                let firsts = try zip(prompts, slots).map { try model.prefill(ids: $0, slot: $1, cache: cache) }
                prefillSeconds[level].append(Double(DispatchTime.now().uptimeNanoseconds - prefillStart) * 1e-9)
                var last = firsts.map { row in row.withUnsafeBufferPointer { argmax($0.baseAddress!, v) } }
                let profiling = profile && round == rounds - 1
                if profiling { OpProfile.isEnabled = true; OpProfile.reset() }
                let start = DispatchTime.now().uptimeNanoseconds
                for _ in 0..<steps {
                    let logits = try model.decodeStep(tokens: last, slots: slots, cache: cache)
                    for r in 0..<b { last[r] = argmax(logits.data + r * v, v) }
                }
                seconds[level].append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
                if profiling {
                    OpProfile.isEnabled = false
                    print("batch \(b):")
                    printOpProfile(steps: steps)
                }
            }
        }
        print("bench decode: \(served.name), \(steps) batched steps a level, rows' prompts \(promptLen)+3·i tokens, \(Parallel.threads) threads, median of \(rounds) alternating rounds")
        print("prefill: the B prompts one at a time (as the server does), timed apart from the steps")
        print("batch  tokens/s  speed-up  ms/step  prefill ms  prefill tokens/s")
        var base = 0.0
        for (level, b) in batch.enumerated() {
            let median = seconds[level].sorted()[rounds / 2], prefill = prefillSeconds[level].sorted()[rounds / 2]
            let rate = Double(b * steps) / median
            let prompted = (0..<b).reduce(0) { $0 + promptLen + 3 * $1 }
            if level == 0 { base = rate }
            print(String(format: "%5d  %8.1f  %7.2fx  %7.3f  %10.1f  %16.1f", b, rate, rate / base, 1000 * median / Double(steps),
                         1000 * prefill, Double(prompted) / prefill))
        }
    }
}

/// Index of the largest of `n` floats (the first on ties).
private func argmax(_ p: UnsafePointer<Float>, _ n: Int) -> Int {
    var best = 0
    for i in 1..<n where p[i] > p[best] { best = i }
    return best
}
