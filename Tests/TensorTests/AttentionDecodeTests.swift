import Foundation
import XCTest
import Tensor

/// `attentionDecode` (per-row key/value buffers of different lengths, the continuous-batching
/// decoding step) against `attention` on the same keys laid out as one `[B, Tk, Hkv, D]` block,
/// left-aligned, with each row's padding hidden — the layout the slot cache used to copy into.
/// `attention` itself is checked against PyTorch in OpParityTests.
final class AttentionDecodeTests: XCTestCase {
    func testPerRowBuffersEqualThePaddedMaskedBlock() throws {
        let lengths = [1, 7, 30, 64, 13], hq = 6, hkv = 2, d = 16, b = lengths.count, tk = lengths.max()!
        func values(_ n: Int, _ a: Int) -> [Float] { (0..<n).map { Float(sin(Double($0 * a) * 0.173 + Double(a))) * 2 } }
        let q = Tensor(shape: [b, 1, hq, d], values: values(b * hq * d, 3))
        // Row r's own buffers: lengths[r] positions of [Hkv, D], the newest last.
        let rowKeys = lengths.enumerated().map { values($1 * hkv * d, 5 + $0) }
        let rowValues = lengths.enumerated().map { values($1 * hkv * d, 11 + $0) }
        // The padded block: row r's first n−1 keys left-aligned, its newest key at the end, gaps hidden.
        var k = [Float](repeating: 0, count: b * tk * hkv * d), v = k
        var hidden = [Bool](repeating: false, count: b * tk)
        for (r, n) in lengths.enumerated() {
            let w = hkv * d
            for j in 0..<n {
                let at = j == n - 1 ? tk - 1 : j
                for c in 0..<w { k[(r * tk + at) * w + c] = rowKeys[r][j * w + c]; v[(r * tk + at) * w + c] = rowValues[r][j * w + c] }
            }
            for j in (n - 1)..<(tk - 1) { hidden[r * tk + j] = true }
        }
        let expected = try GradMode.noGrad {
            try attention(q: q, k: Tensor(shape: [b, tk, hkv, d], values: k), v: Tensor(shape: [b, tk, hkv, d], values: v), hiddenKeys: hidden)
        }.values
        let got = try withPointers(rowKeys) { kp in
            try withPointers(rowValues) { vp in
                try GradMode.noGrad { try attentionDecode(q: q, keys: kp, values: vp, lengths: lengths, kvHeads: hkv) }.values
            }
        }
        XCTAssertEqual(got.count, expected.count)
        var worst: Float = 0
        for i in got.indices { worst = max(worst, abs(got[i] - expected[i])) }
        XCTAssertLessThan(worst, 1e-6, "worst |attentionDecode − masked attention| = \(worst)")
        // A single key: the output is that key's value exactly (softmax of one score is 1).
        XCTAssertEqual(Array(got[0..<d]), Array(rowValues[0][0..<d]))
    }

    func testBadArgumentsAreTypedErrors() throws {
        let key: [Float] = [1, 2, 3, 4]
        try withPointers([key]) { kp in
            XCTAssertThrowsError(try GradMode.noGrad { try attentionDecode(q: Tensor(zeros: [1, 1, 1, 4]), keys: kp, values: kp, lengths: [0], kvHeads: 1) })
            XCTAssertThrowsError(try GradMode.noGrad { try attentionDecode(q: Tensor(zeros: [2, 1, 1, 4]), keys: kp, values: kp, lengths: [1], kvHeads: 1) })
            XCTAssertThrowsError(try GradMode.noGrad { try attentionDecode(q: Tensor(zeros: [1, 2, 1, 4]), keys: kp, values: kp, lengths: [1], kvHeads: 1) })
            XCTAssertThrowsError(try attentionDecode(q: Tensor(zeros: [1, 1, 1, 4], requiresGrad: true), keys: kp, values: kp, lengths: [1], kvHeads: 1)) {
                XCTAssertTrue("\($0)".contains("inference only"), "\($0)")
            }
        }
    }
}

/// Stable base addresses of each array for the duration of `body`.
private func withPointers<R>(_ arrays: [[Float]], _ body: ([UnsafePointer<Float>]) throws -> R) rethrows -> R {
    let copies = arrays.map { a -> UnsafeMutablePointer<Float> in
        let p = UnsafeMutablePointer<Float>.allocate(capacity: max(1, a.count))
        p.initialize(from: a, count: a.count)
        return p
    }
    defer { copies.forEach { $0.deallocate() } }
    return try body(copies.map { UnsafePointer($0) })
}
