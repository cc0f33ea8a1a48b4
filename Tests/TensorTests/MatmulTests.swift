import XCTest
import Tensor

/// The one-row fast path (GEMV) gives the same result as the GEMM path.
final class MatmulTests: XCTestCase {
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
