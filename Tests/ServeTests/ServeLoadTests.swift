import Foundation
import Serve
import XCTest

/// The load test (issue 18): 32 concurrent streaming clients on loopback, two rounds — no errors,
/// every stream well-formed, peak RSS stable from the first round to the second; bounded to 60 s.
final class ServeLoadTests: XCTestCase {
    func testThirtyTwoStreamingClientsTwoRounds() async throws {
        let server = try await ServeHarness(maxBatch: 32)
        defer { Task { await server.stop() } }
        let base = server.base.appendingPathComponent("v1")
        let start = Date()
        var peaks: [Int] = []
        for round in 0..<2 {
            let r = await LoadGenerator.run(base: base, model: "world-base", prompts: worldPrompts, clients: 32, requestsPerClient: 2, maxTokens: 32)
            XCTAssertEqual(r.errors, [], "round \(round)")
            XCTAssertEqual(r.requests, 64)
            XCTAssertEqual(r.completionTokens, 64 * 32, "ignore_eos: every request generates max_tokens")
            peaks.append(peakRSS())
        }
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertLessThan(elapsed, 60, "the load test is bounded to 60 s")
        XCTAssertGreaterThanOrEqual(server.service.scheduler.counters.peakActive, 16, "clients should share decoding steps")
        // Peak RSS: the second round may not raise the high-water mark by more than 32 MiB.
        XCTAssertLessThanOrEqual(peaks[1], peaks[0] + (32 << 20), "peak RSS grew from \(peaks[0] >> 20) MiB to \(peaks[1] >> 20) MiB")
        print("load test: 2 × 64 streams in \(String(format: "%.1f", elapsed)) s; peak RSS \(peaks[0] >> 20) → \(peaks[1] >> 20) MiB; peak batch \(server.service.scheduler.counters.peakActive)")
    }

    /// VmHWM of this process in bytes (Linux); 0 elsewhere.
    func peakRSS() -> Int {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
    }
}
