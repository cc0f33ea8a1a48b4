import Foundation
import XCTest
import Models
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Load time and peak resident memory of a real-sized model. Opt-in (it needs a model folder):
/// `SAFEKEY_BENCH_MODEL=/path/to/model swift test -c release --filter LoadMemoryTests`.
/// The README figure comes from a random-weight Qwen2.5-0.5B-shaped BF16 model.
final class LoadMemoryTests: XCTestCase {
    func testLoadCostsAtMostAboutItsF32Bytes() throws {
        guard let folder = ProcessInfo.processInfo.environment["SAFEKEY_BENCH_MODEL"] else {
            throw XCTSkip("set SAFEKEY_BENCH_MODEL to a model folder to measure load time and peak memory")
        }
        let before = Self.peakRSSBytes()
        let start = Date()
        let model = try DecoderModel(folder: folder)
        let seconds = Date().timeIntervalSince(start)
        let peak = Self.peakRSSBytes()
        let f32Bytes = model.parameterCount * 4
        let ratio = Double(peak - before) / Double(f32Bytes)
        print(String(format: "load %@: %d parameters (%.2f GB f32) in %.2f s; peak RSS %.2f GB (+%.2f GB over the %.2f GB before) = %.2f× the f32 bytes",
                     folder, model.parameterCount, Double(f32Bytes) / 1e9, seconds, Double(peak) / 1e9,
                     Double(peak - before) / 1e9, Double(before) / 1e9, ratio))
        XCTAssertLessThanOrEqual(ratio, 1.3)
    }

    /// Prefill and per-token decode speed with the KV cache (batch 1, greedy), same opt-in.
    func testDecodeSpeed() throws {
        guard let folder = ProcessInfo.processInfo.environment["SAFEKEY_BENCH_MODEL"] else {
            throw XCTSkip("set SAFEKEY_BENCH_MODEL to a model folder to measure decode speed")
        }
        let model = try DecoderModel(folder: folder)
        let prompt = (0..<64).map { 100 + $0 }
        let t0 = Date()
        _ = try model.generate(prompts: [prompt], params: SamplingParameters(maxNewTokens: 1))
        let prefill = Date().timeIntervalSince(t0)
        let t1 = Date()
        let out = try model.generate(prompts: [prompt], params: SamplingParameters(maxNewTokens: 33))
        let decode = (Date().timeIntervalSince(t1) - prefill) / Double(out[0].count - 1)
        print(String(format: "decode %@: prefill of 64 tokens %.2f s; %.1f ms per generated token (%.1f tokens/s)",
                     folder, prefill, decode * 1000, 1 / decode))
    }

    /// Peak resident set size of this process so far.
    static func peakRSSBytes() -> Int {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss) * 1024
        #else
        getrusage(RUSAGE_SELF, &usage)
        return Int(usage.ru_maxrss)
        #endif
    }
}
