#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// Thin wrapper over `cblas_sgemm` (row-major): `C = alpha · op(A) · op(B) + beta · C`.
///
/// - A is `m × k` (or `k × m` when `transA`), leading dimension `lda`;
///   B is `k × n` (or `n × k` when `transB`), leading dimension `ldb`; C is `m × n`, `ldc`.
@inline(__always)
public func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                  alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                  b: UnsafePointer<Float>, ldb: Int,
                  beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
    if m == 0 || n == 0 { return }
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// `y = alpha · op(A) · x + beta · y` (row-major `cblas_sgemv`); A is `rows × cols`.
@inline(__always)
public func sgemv(trans: Bool = false, rows: Int, cols: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                  x: UnsafePointer<Float>, beta: Float = 0, y: UnsafeMutablePointer<Float>) {
    if rows == 0 || cols == 0 { return }
    cblas_sgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, Int32(rows), Int32(cols), alpha, a, Int32(lda),
                x, 1, beta, y, 1)
}

/// BLAS threading control: OpenBLAS threads are switched to one inside our own parallel regions
/// that call BLAS per task, and restored afterwards, so the two pools never oversubscribe cores.
public enum BLASThreads {
    /// Runs `body` with BLAS single-threaded.
    public static func singleThreaded<R>(_ body: () throws -> R) rethrows -> R {
        #if canImport(Accelerate)
        return try body()
        #else
        let previous = openblas_get_num_threads()
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(previous) }
        return try body()
        #endif
    }

    /// Sets OpenBLAS's thread count (no-op with Accelerate).
    public static func set(_ n: Int) {
        #if !canImport(Accelerate)
        openblas_set_num_threads(Int32(n))
        #endif
    }
}
