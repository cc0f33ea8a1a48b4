import Foundation
import XCTest
import Tensor

/// Attention's register-blocked tile products (`AttentionKernel.tile`, TileKernel.swift, and
/// `.avx512`, CTile) against its `sgemm` path (`AttentionKernel.blas`) on the same inputs: outputs and the gradients of q, k and v,
/// at the paper's head dims (64, 128) and the world model's (32), with GQA, a hidden-key mask,
/// ragged tiles (T not a multiple of 4, 16 or 128: partial row blocks and zero-padded key panels)
/// and decoding-shaped `Tq < Tk`. The `sgemm` path is itself checked against PyTorch in
/// OpParityTests (whose D = 16 cases now run on the tile kernel, so both paths meet PyTorch).
///
/// Tolerance: 2e-5 relative to the largest magnitude of each result — the two paths sum the same
/// products in different orders (f32, depth ≤ 300), which moves results by a few ulps of the sums.
final class AttentionTileKernelTests: XCTestCase {
    private struct Case { let b, tq, tk, hq, hkv, d: Int; let masked: Bool }

    func testTileKernelEqualsSgemmForwardAndBackward() throws {
        try compare(.tile)
    }

    /// The AVX-512 kernel (CTile, 12 × 32 blocks; also dV, dQ and dK, with `Pᵀ`/`dSᵀ` read in place
    /// and causal depth skipped) against `sgemm`, and its forward against the Swift kernel's bits:
    /// both sum each score and each output element in the same order.
    func testAVX512KernelEqualsSgemmAndForwardEqualsSwiftKernelBitForBit() throws {
        try XCTSkipUnless(AttentionKernel.avx512Available, "this CPU has no AVX-512F; the avx512 attention kernel cannot run here")
        try compare(.avx512)
        let saved = AttentionKernel.current
        defer { AttentionKernel.current = saved }
        for c in cases {
            let wide = try run(c, .avx512), swift = try run(c, .tile)
            XCTAssertEqual(wide[0], swift[0], "\(c): forward outputs differ between the AVX-512 and Swift kernels")
        }
    }

    private let cases = [Case(b: 1, tq: 300, tk: 300, hq: 4, hkv: 2, d: 64, masked: true),
                         Case(b: 2, tq: 37, tk: 37, hq: 2, hkv: 1, d: 128, masked: false),
                         Case(b: 1, tq: 131, tk: 259, hq: 3, hkv: 3, d: 32, masked: true),
                         Case(b: 1, tq: 1, tk: 17, hq: 2, hkv: 1, d: 64, masked: false),
                         Case(b: 1, tq: 269, tk: 269, hq: 2, hkv: 2, d: 48, masked: true)]

    private func compare(_ kernel: AttentionKernel) throws {
        let saved = AttentionKernel.current
        defer { AttentionKernel.current = saved }
        for c in cases {
            let tile = try run(c, kernel), blas = try run(c, .blas)
            for (i, name) in ["out", "dq", "dk", "dv"].enumerated() {
                let got = tile[i], want = blas[i]
                XCTAssertEqual(got.count, want.count, "\(c) \(name)")
                let scale = max(want.map(abs).max() ?? 0, 1e-6)
                var worst: Float = 0
                for j in got.indices { worst = max(worst, abs(got[j] - want[j])) }
                XCTAssertLessThanOrEqual(worst / scale, 2e-5, "\(kernel) \(c) \(name): worst |tile − sgemm| = \(worst), scale \(scale)")
                XCTAssertGreaterThan(scale, 1e-3, "\(c) \(name): result is all zeros; the comparison would prove nothing")
            }
        }
    }

    /// Output and gradients of `Σ attention(q, k, v) ⊙ dy` with the chosen kernel.
    private func run(_ c: Case, _ kernel: AttentionKernel) throws -> [[Float]] {
        AttentionKernel.current = kernel
        func values(_ n: Int, _ a: Int) -> [Float] { (0..<n).map { Float(sin(Double($0 * a) * 0.0731 + Double(a))) } }
        let q = Tensor(shape: [c.b, c.tq, c.hq, c.d], values: values(c.b * c.tq * c.hq * c.d, 3), requiresGrad: true)
        let k = Tensor(shape: [c.b, c.tk, c.hkv, c.d], values: values(c.b * c.tk * c.hkv * c.d, 5), requiresGrad: true)
        let v = Tensor(shape: [c.b, c.tk, c.hkv, c.d], values: values(c.b * c.tk * c.hkv * c.d, 7), requiresGrad: true)
        let hidden: [Bool]? = c.masked ? (0..<(c.b * c.tk)).map { $0 % 7 == 3 } : nil
        let out = try attention(q: q, k: k, v: v, hiddenKeys: hidden)
        let dy = Tensor(shape: out.shape, values: values(out.count, 11))
        try mul(out, dy).sum().backward()
        return [out.values, q.gradValues ?? [], k.gradValues ?? [], v.gradValues ?? []]
    }
}
