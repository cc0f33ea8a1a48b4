import ArgumentParser
import SafetyEval

/// `--start`, `--stride`, `--sample`, `--seed`, `--limit`: which items of a benchmark to run,
/// producing SafetyEval's ``BenchmarkSelection`` (applied in that order).
struct BenchmarkSelectionOptions: ParsableArguments {
    @Option(help: "Keep the first N selected items.") var limit: Int?
    @Option(help: "Skip the first N items.") var start: Int = 0
    @Option(help: "Keep every N-th item (STAR-1 in the reference: 5).") var stride: Int = 1
    @Option(help: "Draw N items at random (seeded; kept in file order), e.g. WildJailbreak 250.") var sample: Int?
    @Option(help: "Seed of --sample and of sampling when --temperature > 0.") var seed: UInt64 = 42

    func validate() throws {
        try OptionRange.atLeast("--start", start, 0)
        try OptionRange.atLeast("--stride", stride, 1)
        if let n = limit { try OptionRange.atLeast("--limit", n, 1) }
        if let n = sample { try OptionRange.atLeast("--sample", n, 1) }
    }

    var selection: BenchmarkSelection { BenchmarkSelection(start: start, stride: stride, sample: sample, seed: seed, limit: limit) }
}
