import Foundation
import Support
import XCTest

/// `runBlocking`, the one sync-to-async bridge (`SampleStatistics` has its own SampleStatisticsTests).
final class RunBlockingTests: XCTestCase {
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
}
