import XCTest
import Tensor

/// The one-row fast path (GEMV) gives the same result as the GEMM path; the few-rows path
/// (`FewRowsGemm.swift`, up to 48 rows against an `[n, k]` weight) equals a double-precision product.
final class MatmulTests: XCTestCase {
    func testFewRowsPathMatchesDoublePrecisionOverOddSizes() throws {
        for (m, n, k) in [(2, 1, 8), (3, 5, 64), (31, 130, 136), (48, 7, 128), (47, 9, 16), (49, 6, 8)] {
            let av = (0..<(m * k)).map { Float(sin(Double($0) * 0.61)) }, wv = (0..<(n * k)).map { Float(cos(Double($0) * 0.37)) }
            let got = try matmul(Tensor(shape: [m, k], values: av), Tensor(shape: [n, k], values: wv), transposeB: true).values
            var worst = 0.0
            for i in 0..<m {
                for j in 0..<n {
                    var exact = 0.0
                    for p in 0..<k { exact += Double(av[i * k + p]) * Double(wv[j * k + p]) }
                    worst = max(worst, abs(Double(got[i * n + j]) - exact))
                }
            }
            XCTAssertLessThan(worst, 1e-5 * Double(k).squareRoot(), "m \(m) n \(n) k \(k): worst |error| \(worst)")
        }
    }

    func testSingleRowUsesTheSameMathAsManyRows() throws {
        let w = Tensor(shape: [5, 3], values: (0..<15).map { Float($0) * 0.1 - 0.7 })
        let x2 = Tensor(shape: [2, 3], values: [0.5, -1, 2, 0.5, -1, 2])
        let x1 = Tensor(shape: [1, 3], values: [0.5, -1, 2])
        for transposed in [true, false] {
            let b = transposed ? w : try w.reshaped([3, 5])
            let two = try matmul(x2, b, transposeB: transposed).values
            let one = try matmul(x1, b, transposeB: transposed).values
            assertClose(one, Array(two.prefix(5)), atol: 1e-6, rtol: 1e-6, "transposeB \(transposed)")
        }
    }
}
