import XCTest
import Tensor

/// The BF16 × BF16 → F32 kernels (`BF16Gemm`, Sources/CBF16) against a double-precision reference
/// over odd sizes: every edge of the 12 × 32 tiles, odd k (the last pair padded), both layouts of B,
/// beta 0 and beta ≠ 0. The reference rounds A and B to bf16 the same way (`BF16.fromFloat`, PyTorch's
/// round-to-nearest-even) and sums their exact products in Double, so the only error left is the
/// kernels' f32 summation: checked within 1e-5 of Σ|a·b| per element.
final class BF16GemmTests: XCTestCase {
    /// Deterministic values in [-1, 1) with a spread of magnitudes.
    private func values(_ n: Int, seed: UInt64) -> [Float] {
        var s = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<n).map { _ in
            s ^= s << 13; s ^= s >> 7; s ^= s << 17
            let u = Float(s >> 40) / Float(1 << 24)
            return (u * 2 - 1) * (u < 0.1 ? 8 : 1)
        }
    }

    private func check(m: Int, k: Int, n: Int, layout: BF16Gemm.Layout, beta: Float, kernel: BF16Gemm.Kernel,
                       file: StaticString = #filePath, line: UInt = #line) {
        let a = values(m * k, seed: UInt64(m * 131 + k * 7 + n))
        let bRows = layout == .nk ? n : k, bCols = layout == .nk ? k : n
        let bf = values(bRows * bCols, seed: UInt64(n * 977 + k)).map(BF16.fromFloat)
        let c0 = values(m * n, seed: 5)
        var c = c0
        bf.withUnsafeBufferPointer { bp in
            BF16Gemm.multiply(a: a, m: m, k: k, b: bp.baseAddress!, layout: layout, n: n, beta: beta, c: &c, kernel: kernel)
        }
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0, mag = 0.0
                for p in 0..<k {
                    let av = Double(BF16.toFloat(BF16.fromFloat(a[i * k + p])))
                    let bv = Double(BF16.toFloat(layout == .nk ? bf[j * k + p] : bf[p * n + j]))
                    sum += av * bv
                    mag += abs(av * bv)
                }
                let want = Double(beta) * Double(c0[i * n + j]) + sum
                let err = abs(Double(c[i * n + j]) - want) / max(mag + abs(Double(beta * c0[i * n + j])), 1e-30)
                worst = max(worst, err)
            }
        }
        XCTAssertLessThan(worst, 1e-5, "\(kernel) m=\(m) k=\(k) n=\(n) \(layout) beta=\(beta): worst relative error \(worst)", file: file, line: line)
    }

    private let sizes: [(Int, Int, Int)] = [(1, 1, 1), (1, 7, 33), (11, 13, 31), (12, 64, 32), (13, 65, 33), (25, 3, 70), (37, 129, 95), (5, 256, 1)]

    func testPortableKernelMatchesDoubleReference() {
        for (m, k, n) in sizes {
            for layout in [BF16Gemm.Layout.nk, .kn] {
                check(m: m, k: k, n: n, layout: layout, beta: 0, kernel: .portable)
            }
        }
        check(m: 13, k: 65, n: 33, layout: .kn, beta: 0.5, kernel: .portable)
    }

    func testAVX512KernelMatchesDoubleReference() throws {
        guard BF16Gemm.avx512Available else { throw XCTSkip("this CPU has no AVX512-BF16; the portable kernel is checked instead") }
        for (m, k, n) in sizes + [(100, 1000, 200)] {
            for layout in [BF16Gemm.Layout.nk, .kn] {
                check(m: m, k: k, n: n, layout: layout, beta: 0, kernel: .avx512)
            }
        }
        check(m: 13, k: 65, n: 33, layout: .nk, beta: 1, kernel: .avx512)
        check(m: 37, k: 129, n: 95, layout: .kn, beta: -2, kernel: .avx512)
    }

    /// Beta 0 overwrites whatever C held (NaN included); rows and columns outside C are untouched.
    func testBetaZeroOverwritesAndEdgesStayInside() {
        let m = 13, k = 5, n = 33, ldc = 40
        let a = values(m * k, seed: 1), b = values(n * k, seed: 2).map(BF16.fromFloat)
        var c = [Float](repeating: .nan, count: (m + 1) * ldc)
        for kernel in [BF16Gemm.Kernel.portable, .avx512] {
            c = [Float](repeating: .nan, count: (m + 1) * ldc)
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                BF16Gemm.multiply(a: ap.baseAddress!, m: m, k: k, b: bp.baseAddress!, layout: .nk, n: n, c: cp.baseAddress!, ldc: ldc, kernel: kernel)
            } } }
            for i in 0..<(m + 1) {
                for j in 0..<ldc {
                    let inside = i < m && j < n
                    XCTAssertEqual(c[i * ldc + j].isNaN, !inside, "\(kernel) (\(i), \(j))")
                }
            }
        }
    }
}
