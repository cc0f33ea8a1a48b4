import Foundation
import XCTest
import Tensor

/// `attentionWeights` against the attention op itself: with one key/value head shared by every
/// query head (GQA, Hkv = 1), the head-mean of the attention outputs equals the head-averaged
/// probabilities times V — so the probabilities, their causal cut and the grouping are checked by
/// the tiled FlashAttention forward (itself checked against PyTorch in OpParityTests).
final class AttentionWeightsTests: XCTestCase {
    func testHeadAveragedProbabilitiesReproduceTheAttentionOutput() throws {
        let t = 37, hq = 4, d = 8
        func values(_ n: Int, _ a: Int) -> [Float] { (0..<n).map { Float(sin(Double($0 * a) * 0.37)) * 1.5 } }
        let q = Tensor(shape: [1, t, hq, d], values: values(t * hq * d, 3))
        let k = Tensor(shape: [1, t, 1, d], values: values(t * d, 5))
        let v = Tensor(shape: [1, t, 1, d], values: values(t * d, 7))
        let queries = [0, 5, 17, 36]
        let w = try attentionWeights(q: q, k: k, queries: queries)
        XCTAssertEqual(w.shape, [1, queries.count, t])
        let out = try GradMode.noGrad { try attention(q: q, k: k, v: v) }
        let p = w.values, o = out.values, vv = v.values
        var worst: Float = 0
        for (r, i) in queries.enumerated() {
            var rowSum: Float = 0
            for j in 0..<t {
                rowSum += p[r * t + j]
                if j > i { XCTAssertEqual(p[r * t + j], 0, "query \(i) sees key \(j) after it") }
            }
            XCTAssertEqual(rowSum, 1, accuracy: 1e-5)
            for c in 0..<d {
                var viaWeights: Float = 0
                for j in 0..<t { viaWeights += p[r * t + j] * vv[j * d + c] }
                var meanOut: Float = 0
                for h in 0..<hq { meanOut += o[(i * hq + h) * d + c] }
                worst = max(worst, abs(viaWeights - meanOut / Float(hq)))
            }
        }
        XCTAssertLessThan(worst, 1e-5, "worst |P·V − mean_h attention| = \(worst)")
    }

    func testBadQueriesAreTypedErrors() {
        let q = Tensor(zeros: [1, 3, 2, 4]), k = Tensor(zeros: [1, 3, 1, 4])
        XCTAssertThrowsError(try attentionWeights(q: q, k: k, queries: [3])) { XCTAssertTrue("\($0)".contains("outside 0..<3")) }
        XCTAssertThrowsError(try attentionWeights(q: q, k: k, queries: []))
        XCTAssertThrowsError(try attentionWeights(q: q, k: Tensor(zeros: [1, 4, 1, 4]), queries: [0]))
    }
}
