import XCTest
import Tensor

/// BF16 storage: rounding against known bit patterns (PyTorch's round-to-nearest-even), exact
/// widening, and `linear` / `embedding` over BF16 weights against an f32 reference on the widened
/// weights, at sizes that are not multiples of the 16/32-lane blocks.
final class BF16Tests: XCTestCase {
    /// (f32 bits, expected bf16 bits) — the values `torch.tensor(x).to(torch.bfloat16)` gives.
    static let roundingCases: [(UInt32, UInt16, String)] = [
        (0x3F80_0000, 0x3F80, "1.0 exact"),
        (0x3F80_7FFF, 0x3F80, "just below half an ulp: down"),
        (0x3F80_8000, 0x3F80, "tie, even below: down"),
        (0x3F80_8001, 0x3F81, "just above half an ulp: up"),
        (0x3F81_8000, 0x3F82, "tie, odd below: up to even"),
        (0xBF81_8000, 0xBF82, "negative tie, odd below: away to even"),
        (0x8000_0000, 0x8000, "-0 keeps its sign"),
        (0x0000_0001, 0x0000, "smallest subnormal: down to 0"),
        (0x0001_8000, 0x0002, "subnormal tie, odd below: up"),
        (0x7F7F_FFFF, 0x7F80, "FLT_MAX rounds to +inf"),
        (0x7F80_0000, 0x7F80, "+inf"),
        (0xFF80_0000, 0xFF80, "-inf"),
        (0x7FC0_0000, 0x7FC0, "quiet NaN"),
        (0x7F80_0001, 0x7FC0, "signalling NaN whose payload is in the low half: stays NaN, quiet"),
        (0xFFFF_FFFF, 0xFFFF, "negative NaN, all ones: no wrap to 0"),
        (0x7FFF_8000, 0x7FFF, "NaN that rounding would carry into the sign"),
    ]

    func testRoundingMatchesKnownBitPatterns() {
        for (f, want, what) in Self.roundingCases {
            XCTAssertEqual(BF16.fromFloat(Float(bitPattern: f)), want, "fromFloat: \(what)")
        }
        // The array version over a length that is not a multiple of any vector width.
        var src = Self.roundingCases.map { Float(bitPattern: $0.0) }
        src += src + src   // 48 values
        var dst = [UInt16](repeating: 0xAAAA, count: src.count)
        BF16.round(src, into: &dst, count: src.count)
        for (i, d) in dst.enumerated() {
            let c = Self.roundingCases[i % Self.roundingCases.count]
            XCTAssertEqual(d, c.1, "round[\(i)]: \(c.2)")
        }
    }

    /// Every one of the 65,536 patterns widens exactly (the top half of the f32) and rounds back
    /// to itself (NaNs to a quiet NaN of the same sign).
    func testWidenIsExactAndRoundTrips() {
        let all = (0...0xFFFF).map { UInt16($0) }
        var wide = [Float](repeating: 0, count: all.count)
        BF16.widen(all, into: &wide, count: all.count)
        var back = [UInt16](repeating: 0, count: all.count)
        BF16.round(wide, into: &back, count: all.count)
        for b in all {
            let w = wide[Int(b)]
            XCTAssertEqual(w.bitPattern, UInt32(b) << 16)
            XCTAssertEqual(BF16.toFloat(b).bitPattern, w.bitPattern)
            if w.isNaN { XCTAssertEqual(back[Int(b)], b | 0x0040) } else { XCTAssertEqual(back[Int(b)], b) }
        }
    }

    func testMatrixRoundsATensor() throws {
        let values: [Float] = (0..<35).map { Float($0) * 0.37 - 5.1 }
        let t = Tensor(shape: [5, 7], values: values)
        t.name = "w"
        let m = try BF16Matrix(rounding: t)
        XCTAssertEqual(m.shape, [5, 7])
        XCTAssertEqual(m.name, "w")
        XCTAssertEqual(Array(UnsafeBufferPointer(start: m.bits, count: m.count)), values.map(BF16.fromFloat))
        XCTAssertEqual(m.widened().values, values.map { BF16.toFloat(BF16.fromFloat($0)) })
        XCTAssertThrowsError(try BF16Matrix(rounding: Tensor(zeros: [35])))
    }

    /// `linear` with BF16 weights against a double-precision reference on the widened weights:
    /// |got − ref| ≤ 1e-5 · Σ|w·x| + 1e-6 (f32 summation in another order). Rows 1–8 take the
    /// streaming GEMV, more rows the widening GEMM; 513 and 1031 output rows split over threads.
    func testLinearMatchesF32ReferenceOnOddSizes() throws {
        var rng: UInt64 = 12345
        func next() -> Float {
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: rng) >> 40) / Float(1 << 23)
        }
        for (n, k) in [(1, 1), (3, 7), (17, 33), (40, 31), (513, 100), (300, 65), (1031, 96), (64, 1000)] {
            let w = try BF16Matrix(rounding: Tensor(shape: [n, k], values: (0..<(n * k)).map { _ in next() }))
            let wide = w.widened().values
            for m in [1, 2, 3, 8, 9, 20] {
                let x = Tensor(shape: [m, k], values: (0..<(m * k)).map { _ in next() })
                for withBias in [false, true] {
                    let bias = withBias ? Tensor(shape: [n], values: (0..<n).map { _ in next() }) : nil
                    let y = try GradMode.noGrad { try linear(x, weight: w, bias: bias) }
                    XCTAssertEqual(y.shape, [m, n])
                    let got = y.values, xv = x.values
                    for i in 0..<m {
                        for r in 0..<n {
                            var ref = Double(bias?.values[r] ?? 0), scale = 0.0
                            for j in 0..<k {
                                let p = Double(wide[r * k + j]) * Double(xv[i * k + j])
                                ref += p; scale += abs(p)
                            }
                            let err = abs(Double(got[i * n + r]) - ref)
                            XCTAssertLessThanOrEqual(err, 1e-5 * scale + 1e-6, "n \(n) k \(k) m \(m) bias \(withBias) [\(i), \(r)]")
                        }
                    }
                }
            }
        }
    }

    func testLinearBatchedShapeAndErrors() throws {
        let w = try BF16Matrix(rounding: Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6]))
        let x = Tensor(shape: [2, 1, 3], values: [1, 0, -1, 0.5, 0.5, 0.5])
        let y = try GradMode.noGrad { try linear(x, weight: w) }
        XCTAssertEqual(y.shape, [2, 1, 2])
        XCTAssertEqual(y.values, [-2, -2, 3, 7.5])
        XCTAssertThrowsError(try linear(Tensor(shape: [1, 2], values: [1, 2]), weight: w))   // wrong in
        XCTAssertThrowsError(try linear(x, weight: w, bias: Tensor(zeros: [3])))             // wrong bias
        // A gradient cannot flow through BF16 weights: refused outside noGrad.
        let trainable = Tensor.parameter(shape: [1, 3], values: [1, 2, 3])
        XCTAssertThrowsError(try linear(trainable, weight: w)) { error in
            XCTAssertTrue("\(error)".contains("GradMode.noGrad"), "\(error)")
        }
        XCTAssertNoThrow(try GradMode.noGrad { try linear(trainable, weight: w) })
    }

    func testEmbeddingWidensRows() throws {
        let values: [Float] = (0..<(5 * 19)).map { Float($0) * 0.1 + 0.013 }
        let table = try BF16Matrix(rounding: Tensor(shape: [5, 19], values: values))
        let wide = table.widened().values
        let out = try embedding(ids: [4, 0, 4], shape: [1, 3], table: table)
        XCTAssertEqual(out.shape, [1, 3, 19])
        XCTAssertEqual(out.values, Array(wide[76..<95]) + Array(wide[0..<19]) + Array(wide[76..<95]))
        XCTAssertThrowsError(try embedding(ids: [5], shape: [1], table: table))
    }
}
