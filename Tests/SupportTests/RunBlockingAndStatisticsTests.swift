import Foundation
import Support
import XCTest

/// `runBlocking` (the one sync-to-async bridge) and `SampleStatistics` (the arithmetic behind
/// SafeKey's `MeanInterval` and SafetyEval's `Spread`; both types are also checked against
/// NumPy/SciPy fixtures in their own tests).
final class RunBlockingAndStatisticsTests: XCTestCase {
    private struct Refused: Error, Equatable { let code: Int }

    func testRunBlockingReturnsTheValueAndRethrowsTheTypedError() {
        let value = runBlocking { () async -> Int in
            try? await Task.sleep(nanoseconds: 1_000_000)
            return 42
        }
        XCTAssertEqual(value, 42)
        do {
            _ = try runBlocking { () async throws(Refused) -> Int in throw Refused(code: 7) }
            XCTFail("no error")
        } catch {
            XCTAssertEqual(error, Refused(code: 7))  // `error` is `Refused`, not `any Error`
        }
    }

    func testRunBlockingFromManyThreadsAtOnce() {
        final class Sums: @unchecked Sendable { var values = [Int](repeating: 0, count: 8); let lock = NSLock() }
        let sums = Sums(), group = DispatchGroup()
        for t in 0..<8 {
            group.enter()
            Thread {
                let s = runBlocking { () async -> Int in (0...t).reduce(0, +) }
                sums.lock.lock(); sums.values[t] = s; sums.lock.unlock()
                group.leave()
            }.start()
        }
        XCTAssertEqual(group.wait(timeout: .now() + 30), .success, "runBlocking deadlocked")
        XCTAssertEqual(sums.values, (0..<8).map { t in t * (t + 1) / 2 })
    }

    func testSampleMeanAndVariance() {
        XCTAssertEqual(SampleStatistics.mean([1, 2, 3, 4]), 2.5)
        XCTAssertEqual(SampleStatistics.variance([1, 2, 3, 4], mean: 2.5), 5.0 / 3.0)   // Σ(v − 2.5)² = 5, over n − 1 = 3
        XCTAssertEqual(SampleStatistics.variance([2, 4, 4, 4, 5, 5, 7, 9], mean: 5), 32.0 / 7.0)
        XCTAssertEqual(SampleStatistics.variance([3], mean: 3), 0, "one value: no spread")
        XCTAssertEqual(SampleStatistics.variance([], mean: .nan), 0)
        XCTAssertTrue(SampleStatistics.mean([]).isNaN)
    }
}
