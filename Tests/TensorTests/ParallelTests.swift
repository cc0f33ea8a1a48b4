import Foundation
import Tensor
import XCTest

/// `Parallel.forRange` on the engine's worker pool: every index once, nested regions, and two
/// threads driving kernels at the same time (the pool serves one region at a time; the other
/// runs on its own thread) — results must equal the sequential ones (to rounding).
final class ParallelTests: XCTestCase {
    func testEveryIndexOnceAndNestedRegions() {
        for n in [1, 2, 3, 17, 1000] {
            let counts = UnsafeMutablePointer<Int>.allocate(capacity: n)
            counts.initialize(repeating: 0, count: n)
            defer { counts.deallocate() }
            Parallel.forRange(n) { r in
                for i in r {
                    // A nested region runs serially inside its chunk.
                    Parallel.forRange(3) { inner in for _ in inner { counts[i] += 1 } }
                }
            }
            XCTAssertEqual(Array(UnsafeBufferPointer(start: counts, count: n)), [Int](repeating: 3, count: n), "n = \(n)")
        }
    }

    func testTwoThreadsDrivingMatmulsAtOnce() throws {
        let m = 256, k = 128, n = 160   // m·n·k > 2²⁰: sgemm cuts it into bands on the pool
        // `Tensor` is not `Sendable` (its module stays in Swift 5 mode); both threads only read
        // `a` and `b`, and `matmul` writes a fresh output, so sharing them is safe.
        nonisolated(unsafe) let a = Tensor(shape: [m, k], values: (0..<(m * k)).map { Float(($0 * 37) % 101) / 50 - 1 })
        nonisolated(unsafe) let b = Tensor(shape: [k, n], values: (0..<(k * n)).map { Float(($0 * 53) % 89) / 44 - 1 })
        let expected = try matmul(a, b).values
        final class Results: @unchecked Sendable { var values: [[Float]] = [[], []] }
        let results = Results()
        let done = DispatchGroup()
        for t in 0..<2 {
            done.enter()
            Thread {
                var last: [Float] = []
                for _ in 0..<400 { last = (try? matmul(a, b).values) ?? [] }
                results.values[t] = last
                done.leave()
            }.start()
        }
        XCTAssertEqual(done.wait(timeout: .now() + 60), .success, "concurrent regions deadlocked")
        // The thread that finds the pool busy runs its GEMM as one BLAS call instead of two bands,
        // which may round differently in the last bits; corruption would be far larger.
        for t in 0..<2 {
            XCTAssertEqual(results.values[t].count, expected.count)
            let worst = zip(results.values[t], expected).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThan(worst, 1e-5, "thread \(t): largest difference \(worst)")
        }
    }
}
