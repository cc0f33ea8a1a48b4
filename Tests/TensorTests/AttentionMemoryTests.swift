import Foundation
import XCTest
import Tensor

/// A T = 8192 single-head attention forward + backward must not allocate a T×T matrix
/// (8192² floats = 256 MiB). Measured as the growth of the process's peak resident set
/// (VmHWM, reset through /proc/self/clear_refs) while the op runs: it must stay under 48 MiB.
final class AttentionMemoryTests: XCTestCase {
    private func status(_ key: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            return Int(line.split(separator: " ").dropFirst().first ?? "").map { $0 * 1024 }
        }
        return nil
    }

    func testLongSequenceNeedsNoQuadraticMemory() throws {
        guard FileManager.default.isWritableFile(atPath: "/proc/self/clear_refs"), status("VmHWM") != nil else {
            throw XCTSkip("needs Linux /proc/self/clear_refs to reset the peak RSS")
        }
        let t = 8192, d = 64
        let values = (0..<(t * d)).map { Float(($0 * 7919) % 1000) / 1000 - 0.5 }
        let q = Tensor(shape: [1, t, 1, d], values: values, requiresGrad: true)
        let k = Tensor(shape: [1, t, 1, d], values: values.reversed(), requiresGrad: true)
        let v = Tensor(shape: [1, t, 1, d], values: values, requiresGrad: true)
        let dy = Tensor(shape: [1, t, 1, d], values: values)
        Storage.releaseFreeMemory()
        try "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        let before = status("VmRSS") ?? 0
        let out = try attention(q: q, k: k, v: v)
        try mul(out, dy).sum().backward()
        let peak = status("VmHWM") ?? 0
        let growth = peak - before
        XCTAssertLessThan(growth, 48 << 20, "attention at T=\(t) grew the peak RSS by \(growth >> 20) MiB (a T×T matrix is 256 MiB)")
        XCTAssertNotNil(q.gradValues)
        XCTAssertFalse((k.gradValues ?? []).allSatisfy { $0 == 0 })
    }
}
