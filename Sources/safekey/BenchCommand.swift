import ArgumentParser

/// `safekey bench …` — performance benchmarks (ratios, never timed tests).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Performance benchmarks.",
        subcommands: [BenchOpsCommand.self, BenchAllReduceCommand.self, BenchMemoryCommand.self, BenchTrainCommand.self, BenchGenerateCommand.self, BenchServeCommand.self, BenchDecodeCommand.self]
    )
}
