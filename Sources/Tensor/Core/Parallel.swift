import Foundation

/// A small parallel-for over rows. Thread count: `SAFEKEY_THREADS` if set, else the core count
/// divided by the ranks that `mpirun` started on this machine (`OMPI_COMM_WORLD_LOCAL_SIZE`), so
/// data-parallel ranks sharing a machine do not oversubscribe its cores.
public enum Parallel {
    /// Number of worker threads our kernels use.
    nonisolated(unsafe) public static var threads: Int = {
        let env = ProcessInfo.processInfo.environment
        if let s = env["SAFEKEY_THREADS"], let n = Int(s), n > 0 { return n }
        let local = env["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap { Int($0) }.map { max(1, $0) } ?? 1
        return max(1, ProcessInfo.processInfo.activeProcessorCount / local)
    }()

    /// True while a `forRange` spreads work over threads. Kernels are driven from one thread, so
    /// the flag is written only by that thread, before and after the region; a nested `forRange`
    /// (or a BLAS call) from inside a region reads it and runs serially on its worker.
    nonisolated(unsafe) public private(set) static var isInsideRegion = false

    /// Calls `body(range)` over contiguous chunks of `0..<n` on up to `threads` threads.
    /// Work below `grain` items per chunk, or a call nested in another region, runs on the
    /// calling thread.
    public static func forRange(_ n: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
        if n <= 0 { return }
        let chunks = isInsideRegion ? 1 : min(threads, max(1, n / max(grain, 1)))
        if chunks <= 1 { body(0..<n); return }
        let per = (n + chunks - 1) / chunks
        isInsideRegion = true
        defer { isInsideRegion = false }
        let chunk = { (c: Int) in
            let lo = c * per
            let hi = min(n, lo + per)
            if lo < hi { body(lo..<hi) }
        }
        #if os(Linux)
        if let pool { pool.run(chunks: chunks, chunk); return }
        #endif
        DispatchQueue.concurrentPerform(iterations: chunks, execute: chunk)
    }

    #if os(Linux)
    /// The engine's own worker threads (see `WorkerPool`), created on first use.
    private static let pool: WorkerPool? = threads > 1 ? WorkerPool(workers: threads - 1) : nil
    #endif

    /// Calls `body(i)` for every i in `0..<n`, spread over the worker threads.
    public static func forEach(_ n: Int, grain: Int = 1, _ body: (Int) -> Void) {
        forRange(n, grain: grain) { r in for i in r { body(i) } }
    }
}
