import Foundation
#if os(Linux)
import Synchronization

/// The engine's worker threads: `Parallel.threads − 1` persistent threads that, after finishing a
/// region, busy-wait briefly for the next one before going to sleep.
///
/// Why not `DispatchQueue.concurrentPerform`: its idle workers sleep at once, and waking one
/// takes 20–40 µs on this machine. A training step opens ~400 regions and a 0.5B-parameter decode
/// step ~170 (one per projection), so that latency cost up to 8% of a decode step. OpenBLAS's own
/// threads avoid it by spinning, but then they spin while our kernels run (BLAS is pinned to one
/// thread, see `BLASThreads`); here a single pool serves both, as OpenMP does for llm.c.
///
/// Protocol: the caller publishes the region's body, then one atomic word `claim` packing
/// `(chunk count << 32) | next chunk` with release ordering. Every participant (the caller too)
/// claims chunks with a fetch-add and runs them; a claim at or past the count means the region is
/// exhausted. The caller returns once `finished` reaches the count, so a body never outlives its
/// region, and it publishes the next body only after every chunk of this one was claimed and run.
/// One region at a time: a region opened while another thread holds the pool (two threads driving
/// kernels at once, or a nested call from a worker) runs all its chunks on its own thread.
final class WorkerPool: @unchecked Sendable {
    let workers: Int
    private let claim = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let generation = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    private var body: ((Int) -> Void)?
    /// Heap-allocated so their addresses never change (pthread objects must not move).
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Spins (atomic loads) a worker makes before sleeping: some tens of microseconds.
    private let spinLimit = 1 << 16

    init(workers: Int) {
        self.workers = workers
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
        for _ in 0..<workers {
            let thread = Thread { [unowned self] in self.workerLoop() }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// Runs `body(i)` for every `i` in `0..<chunks` on the caller and the workers; returns when
    /// all have finished.
    func run(chunks: Int, _ body: (Int) -> Void) {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for c in 0..<chunks { body(c) }
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        withoutActuallyEscaping(body) { escaping in
            self.body = escaping
            finished.store(0, ordering: .relaxed)
            claim.store(chunks << 32, ordering: .releasing)
            generation.add(1, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(mutex)
                pthread_cond_broadcast(wake)
                pthread_mutex_unlock(mutex)
            }
            work()
            while finished.load(ordering: .acquiring) < chunks {}
            self.body = nil
        }
    }

    /// Claims and runs chunks until the region is exhausted.
    private func work() {
        while true {
            let word = claim.add(1, ordering: .acquiringAndReleasing).oldValue
            let next = word & 0xFFFF_FFFF, count = word >> 32
            if next >= count { return }
            body.unsafelyUnwrapped(next)
            finished.add(1, ordering: .releasing)
        }
    }

    private func workerLoop() {
        var seen = generation.load(ordering: .acquiring)
        while true {
            var spins = 0
            while generation.load(ordering: .acquiring) == seen {
                spins += 1
                if spins < spinLimit { continue }
                pthread_mutex_lock(mutex)
                sleepers.add(1, ordering: .sequentiallyConsistent)
                while generation.load(ordering: .sequentiallyConsistent) == seen {
                    pthread_cond_wait(wake, mutex)
                }
                sleepers.subtract(1, ordering: .sequentiallyConsistent)
                pthread_mutex_unlock(mutex)
            }
            seen = generation.load(ordering: .acquiring)
            work()
        }
    }
}
#endif
