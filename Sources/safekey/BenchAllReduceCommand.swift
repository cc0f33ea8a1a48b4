import ArgumentParser
import Collectives
import Foundation

/// `mpirun -np N safekey bench allreduce`: the bandwidth of the in-place f32 sum that data-parallel
/// training runs on its gradients (issue 19), for buffers of 1 MB to 256 MB. Rank 0 prints, per
/// size, the median time of the repetitions, the algorithm bandwidth (buffer bytes / time) and the
/// bus bandwidth (× 2(N−1)/N, the bytes a ring all-reduce moves through each rank's link; the
/// convention of nccl-tests), which docs/SCALING.md uses for its projections.
struct BenchAllReduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allreduce",
        abstract: "All-reduce bandwidth over MPI ranks (run under mpirun -np N).",
        discussion: "Example: mpirun --oversubscribe -np 2 safekey bench allreduce --sizes-mb 1,16,256")

    @Option(help: "Comma-separated buffer sizes in MB (10^6 bytes).") var sizesMb = CommaList<Double>([1, 4, 16, 64, 256])
    @Option(help: "Timed repetitions per size (after one warm-up).") var repetitions = 5

    func validate() throws {
        guard sizesMb.values.allSatisfy({ $0 > 0 && $0 <= 4096 }) else {
            throw ValidationError("--sizes-mb takes sizes in MB between 0 and 4096, e.g. 1,16,256; got \(sizesMb)")
        }
        try OptionRange.atLeast("--repetitions", repetitions, 1)
    }

    func run() throws {
        let sizes = sizesMb.values
        let c = try Launch.collective()
        defer { c.finish() }
        if c.rank == 0 {
            print("safekey bench allreduce — \(c.description), in-place f32 sum, median of \(repetitions)")
            if c.size == 1 { print("(one process: nothing to exchange; start it with mpirun -np N for figures)") }
            print("    size MB    time ms   algbw GB/s   busbw GB/s")
        }
        for mb in sizes {
            let count = max(1, Int(mb * 1e6) / MemoryLayout<Float>.stride)
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
            defer { buffer.deallocate() }
            buffer.initialize(repeating: Float(c.rank + 1))
            var times: [Double] = []
            for r in 0...repetitions {
                try c.barrier()
                let t0 = DispatchTime.now().uptimeNanoseconds
                try c.allReduceSum(buffer)
                let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                if r > 0 { times.append(dt) }
                // The warm-up's result is checked: rank k contributed k + 1 everywhere.
                let expected = Float(c.size * (c.size + 1) / 2)
                if r == 0 && (buffer[0] != expected || buffer[count - 1] != expected) {
                    throw ValidationError("all-reduce returned \(buffer[0]) where \(expected) was expected; the MPI installation is broken")
                }
            }
            // Each rank's median, averaged over ranks (one more small all-reduce).
            var median = [times.sorted()[times.count / 2]]
            try median.withUnsafeMutableBufferPointer { try c.allReduceSum($0) }
            let seconds = median[0] / Double(c.size)
            let bytes = Double(count * MemoryLayout<Float>.stride)
            let alg = bytes / seconds / 1e9
            let bus = alg * (c.size > 1 ? 2 * Double(c.size - 1) / Double(c.size) : 0)
            if c.rank == 0 { print(String(format: "%11.0f %10.2f %12.2f %12.2f", mb, seconds * 1e3, alg, bus)) }
        }
    }
}
