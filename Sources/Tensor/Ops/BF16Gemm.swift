import CBF16
import Foundation

/// BF16 × BF16 → F32 matrix products against frozen BF16 weights (issue 14, item 4), on the C
/// kernels of `Sources/CBF16` (layouts and arithmetic: `CBF16.h`).
///
/// `C = beta · C + A · B`: `A` `[m, k]` f32, rounded to bf16 as it is packed (as PyTorch's bf16
/// matmul rounds its activations); `B` a bf16 matrix, either row-major `[k, n]` (``Layout/kn``,
/// e.g. `W` in the input gradient `g · W`) or a row-major `[n, k]` weight used transposed
/// (``Layout/nk``, the forward `x · Wᵀ`). Products are exact in f32 and sums are f32, so the
/// result differs from f32 arithmetic on the same bf16 weights only by `A`'s rounding (relative
/// ~2⁻⁹ per product).
///
/// Kernels (``Kernel``): `vdpbf16ps` (AVX512-BF16; 12 × 32 register tiles, each pair of `k`
/// broadcast from `A` against 32 columns of `B`) where the CPU has it (run-time detection), and a
/// portable C loop with the same arithmetic for tests. The models use the AVX512 kernel when asked
/// to (``BF16Gemm/isEnabled``) and otherwise keep their f32 path over widened weights.
///
/// ```swift
/// let w = try BF16Matrix(rounding: Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6]))
/// var y = [Float](repeating: 0, count: 2)
/// BF16Gemm.multiply(a: [1, 0, -1], m: 1, k: 3, b: w.bits, layout: .nk, n: 2, c: &y)   // y = [-2, -2]
/// ```
public enum BF16Gemm {
    /// How `B` is stored.
    public enum Layout: Sendable {
        /// Row-major `[k, n]`.
        case kn
        /// Row-major `[n, k]` (a weight `[out, in]`), used as its transpose.
        case nk
    }

    public enum Kernel: String, Sendable {
        /// AVX512-BF16 `vdpbf16ps`.
        case avx512
        /// Plain C, the same arithmetic (any CPU).
        case portable
    }

    /// Whether this CPU runs the AVX512-BF16 kernel.
    public static let avx512Available: Bool = sk_bf16_avx512_available() != 0

    /// Whether matmuls against BF16 weights (forward of more than 8 rows, and the input gradient)
    /// use the AVX512-BF16 kernel, only where the CPU has it. Off by default in the library and for
    /// inference; on with `SAFEKEY_BF16_MATMUL=bf16`, and set by `safekey train` / `bench train|memory`
    /// for LoRA training on a bf16 base (there on by default where the CPU has the kernel; `--base-matmul
    /// f32` or `SAFEKEY_BF16_MATMUL=f32` turns it off). It changes the arithmetic: a BF16 model otherwise computes
    /// exactly what an f32 model with bf16-rounded weights computes (what transformers gives for a
    /// BF16 checkpoint loaded in f32, and what the parity fixtures hold); with the kernel the
    /// activations are rounded to bf16 too (as a PyTorch bf16 matmul does), which moved LoRA training
    /// losses and gradient norms by up to 3.5e-4 relative in `LoRAParityTests` (12 steps). Process-wide;
    /// set it before any such matmul runs.
    nonisolated(unsafe) public static var isEnabled: Bool =
        avx512Available && ProcessInfo.processInfo.environment["SAFEKEY_BF16_MATMUL"] == "bf16"

    /// `C = beta · C + A · B` (see the type's documentation). `A` has leading dimension `lda`
    /// (default `k`), `C` `ldc` (default `n`); `B` is dense. With `kernel: .avx512` on a CPU
    /// without AVX512-BF16 the portable kernel runs instead. Packs `B` for this call; a `B` used
    /// for many calls can be packed once (``PackedB``).
    public static func multiply(a: UnsafePointer<Float>, m: Int, k: Int, lda: Int? = nil, b: UnsafePointer<UInt16>, layout: Layout,
                                n: Int, beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil, kernel: Kernel = .avx512) {
        guard m > 0, n > 0 else { return }
        PackedB(b, layout: layout, k: k, n: n).multiply(a: a, m: m, lda: lda, beta: beta, c: c, ldc: ldc, kernel: kernel)
    }

    /// `B` packed into the kernels' column panels (`CBF16.h`): `2 · k · n` bytes (k and n
    /// rounded up to 2 and 32), held until this object goes.
    public final class PackedB {
        public let k: Int
        public let n: Int
        let panels: Int
        let buffer: PackBuffer
        var data: UnsafeMutablePointer<UInt16> { buffer.pointer }

        /// Packs `b` (dense, in `layout`), in parallel over column panels.
        public init(_ b: UnsafePointer<UInt16>, layout: Layout, k: Int, n: Int) {
            self.k = k
            self.n = n
            panels = (n + Int(SK_BF16_NR) - 1) / Int(SK_BF16_NR)
            buffer = PackBuffer.take(count: max(sk_bf16_packed_b_count(Int32(k), Int32(n)), 1))
            let k32 = Int32(k), n32 = Int32(n), out = buffer.pointer
            Parallel.forRange(panels, grain: 2) { r in
                switch layout {
                case .kn: sk_bf16_pack_b_kn(b, k32, n32, n32, Int32(r.lowerBound), Int32(r.upperBound), out)
                case .nk: sk_bf16_pack_b_nk(b, n32, k32, k32, Int32(r.lowerBound), Int32(r.upperBound), out)
                }
            }
        }

        deinit { buffer.giveBack() }

        /// `C = beta · C + A · B` for `m` rows of `A` (`[m, k]`, leading dimension `lda`, default k).
        public func multiply(a: UnsafePointer<Float>, m: Int, lda: Int? = nil, beta: Float = 0, c: UnsafeMutablePointer<Float>,
                             ldc: Int? = nil, kernel: Kernel = .avx512) {
            guard m > 0, n > 0 else { return }
            let lda = lda ?? k, ldc = ldc ?? n
            if k == 0 {
                for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
                return
            }
            let packedA = PackBuffer.take(count: sk_bf16_packed_a_count(Int32(m), Int32(k)))
            defer { packedA.giveBack() }
            let pa = packedA.pointer
            let m32 = Int32(m), n32 = Int32(n), k32 = Int32(k), pb = UnsafePointer(data)
            Parallel.forRange(m, grain: 64) { r in
                sk_bf16_pack_a(a, m32, k32, Int32(lda), Int32(r.lowerBound), Int32(r.upperBound), pa)
            }
            let fast = kernel == .avx512 && avx512Available
            Parallel.forRange(panels, grain: 1) { r in
                if fast {
                    sk_bf16_gemm_avx512(pa, pb, m32, n32, k32, Int32(r.lowerBound), Int32(r.upperBound), beta, c, Int32(ldc))
                } else {
                    sk_bf16_gemm_portable(pa, pb, m32, n32, k32, Int32(r.lowerBound), Int32(r.upperBound), beta, c, Int32(ldc))
                }
            }
        }
    }

    /// Array form of ``multiply(a:m:k:lda:b:layout:n:beta:c:ldc:kernel:)``.
    public static func multiply(a: [Float], m: Int, k: Int, b: UnsafePointer<UInt16>, layout: Layout, n: Int, beta: Float = 0,
                                c: inout [Float], kernel: Kernel = .avx512) {
        precondition(a.count >= m * k && c.count >= m * n, "BF16Gemm.multiply: a has \(a.count) of \(m * k), c \(c.count) of \(m * n)")
        a.withUnsafeBufferPointer { ap in
            c.withUnsafeMutableBufferPointer { cp in
                multiply(a: ap.baseAddress!, m: m, k: k, b: b, layout: layout, n: n, beta: beta, c: cp.baseAddress!, kernel: kernel)
            }
        }
    }
}

/// A 64-byte-aligned buffer of bf16 values for packed operands, from a small pool so that the
/// per-call packing of a training step reuses memory instead of faulting in fresh pages each call
/// (page zeroing was ~15% of a LoRA step's CPU time before). Buffers over ``retainLimit`` bytes
/// (an LM head's whole packed matrix) are freed, not kept.
final class PackBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<UInt16>
    let capacity: Int

    private init(capacity: Int) {
        self.capacity = capacity
        // Huge pages from 32 MiB up (`Storage.allocateBytes`): the packed LM head (2 · V · C bytes, too
        // large to keep in the pool) is allocated every pass, and with 4 KiB pages its page faults and
        // zeroing were ~30% of a qwen05b LoRA step's samples in `perf`.
        pointer = Storage.allocateBytes(2 * capacity, alignment: 64).bindMemory(to: UInt16.self, capacity: capacity)
    }

    deinit { free(pointer) }

    static let retainLimit = 64 << 20
    /// At most this many free buffers are kept.
    static let poolSize = 8
    private static let lock = NSLock()
    nonisolated(unsafe) private static var pool: [PackBuffer] = []

    /// The smallest free buffer holding `count` values, or a new one.
    static func take(count: Int) -> PackBuffer {
        lock.lock()
        defer { lock.unlock() }
        if let i = pool.indices.filter({ pool[$0].capacity >= count }).min(by: { pool[$0].capacity < pool[$1].capacity }) {
            return pool.remove(at: i)
        }
        return PackBuffer(capacity: count)
    }

    /// Returns the buffer to the pool (or lets it go when it is too large or the pool is full:
    /// the smallest free one then makes room).
    func giveBack() {
        guard 2 * capacity <= Self.retainLimit else { return }
        Self.lock.lock()
        defer { Self.lock.unlock() }
        Self.pool.append(self)
        if Self.pool.count > Self.poolSize, let i = Self.pool.indices.min(by: { Self.pool[$0].capacity < Self.pool[$1].capacity }) {
            Self.pool.remove(at: i)
        }
    }
}
