import ArgumentParser
import Tensor

/// `safekey bench ops`: engine op throughput vs bare `cblas_sgemm`.
struct BenchOpsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ops", abstract: "Benchmark tensor ops.")
    func run() throws {
        print("bench ops: threads \(Parallel.threads)")
    }
}
