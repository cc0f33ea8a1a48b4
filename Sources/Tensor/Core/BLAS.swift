import Foundation
#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// `C = alpha · op(A) · op(B) + beta · C` (row-major `cblas_sgemm`), spread over our threads.
///
/// - A is `m × k` (or `k × m` when `transA`), leading dimension `lda`;
///   B is `k × n` (or `n × k` when `transB`), leading dimension `ldb`; C is `m × n`, `ldc`.
///
/// Threading: BLAS itself runs single-threaded (see `BLASThreads`); a product big enough to share
/// is cut into `Parallel.threads` bands of C rows (or of columns when C has few rows), one BLAS
/// call per band on our own worker threads. Called inside a parallel region (attention tiles),
/// it runs whole on the calling thread.
public func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                  alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                  b: UnsafePointer<Float>, ldb: Int,
                  beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
    if m == 0 || n == 0 { return }
    _ = BLASThreads.pinned
    if OpProfile.isEnabled && !Parallel.isInsideRegion {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { OpProfile.recordGemm(transA: transA, transB: transB, m: m, n: n, k: k, since: start) }
        sgemmBands(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    } else {
        sgemmBands(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }
}

/// `sgemm`'s work: one call, or bands over the threads.
private func sgemmBands(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
    let parts = Parallel.isInsideRegion || m * n * k < 1 << 20 ? 1 : Parallel.threads
    if parts > 1 && m >= 32 * parts {
        // Bands of rows: A's rows (columns of the stored A when transposed) and C's rows.
        Parallel.forRange(m, grain: 32) { r in
            sgemmSerial(transA, transB, r.count, n, k, alpha, transA ? a + r.lowerBound : a + r.lowerBound * lda, lda,
                        b, ldb, beta, c + r.lowerBound * ldc, ldc)
        }
    } else if parts > 1 && n >= 32 * parts {
        // Bands of columns: B's columns (rows of the stored B when transposed) and C's columns.
        Parallel.forRange(n, grain: 32) { r in
            sgemmSerial(transA, transB, m, r.count, k, alpha, a, lda, transB ? b + r.lowerBound * ldb : b + r.lowerBound, ldb,
                        beta, c + r.lowerBound, ldc)
        }
    } else {
        sgemmSerial(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }
}

@inline(__always)
private func sgemmSerial(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                         _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                         _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// `y = alpha · op(A) · x + beta · y` (row-major `cblas_sgemv`); A is `rows × cols`. Threaded like
/// `sgemm`: bands of `y` (rows of A, or columns of A when `trans`), so each thread streams its own
/// share of the matrix once — the decode-step path.
public func sgemv(trans: Bool = false, rows: Int, cols: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                  x: UnsafePointer<Float>, beta: Float = 0, y: UnsafeMutablePointer<Float>) {
    if rows == 0 || cols == 0 { return }
    _ = BLASThreads.pinned
    let outputs = trans ? cols : rows
    // Small products run whole on the calling thread (as does any call inside a region).
    let grain = rows * cols < 1 << 16 ? outputs : max(16, outputs / Parallel.threads)
    Parallel.forRange(outputs, grain: grain) { r in
        if trans {   // y[r] = A[:, r]ᵀ x
            cblas_sgemv(CblasRowMajor, CblasTrans, Int32(rows), Int32(r.count), alpha, a + r.lowerBound, Int32(lda),
                        x, 1, beta, y + r.lowerBound, 1)
        } else {     // y[r] = A[r, :] x
            cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(r.count), Int32(cols), alpha, a + r.lowerBound * lda, Int32(lda),
                        x, 1, beta, y + r.lowerBound, 1)
        }
    }
}

/// BLAS threading: OpenBLAS is pinned to one thread on first use and `sgemm`/`sgemv` share work
/// over our own `Parallel` threads instead. OpenBLAS's own workers busy-wait (`sched_yield`) for a
/// while after every call; on a 2-core machine they took ~12–16% of a training step's CPU time
/// from our element-wise kernels and attention tiles (`perf`, docs/PERFORMANCE.md).
public enum BLASThreads {
    /// Pins BLAS to one thread (evaluated once).
    static let pinned: Bool = {
        #if !canImport(Accelerate)
        openblas_set_num_threads(1)
        #endif
        return true
    }()
}
