import Foundation
import Tensor

/// Sums the gradients of every rank, bucket by bucket, starting each bucket's reduction while
/// backward still runs (the scheme of PyTorch DDP's reducer).
///
/// Buckets: the parameters in the order given (pass them in the order backward completes them —
/// the reverse of the forward order), packed into contiguous f32 buffers of about `bucketBytes`.
/// A bucket is copied in and its `MPI_Iallreduce` started once all its parameters are reported
/// ready (`leafReady`, the tape's hook) *and* every earlier bucket has started: all ranks then
/// start the same reductions in the same order, as MPI requires, whichever parameters each rank
/// happened to touch. `finish` starts what is left, waits, and copies the sums back.
///
/// Presence: a parameter no rank gave a gradient this step (e.g. the safety heads before the
/// last-k epochs) keeps no gradient — AdamW then skips it, as in a single process; one that any
/// rank gave a gradient gets the sum (zeros from ranks that did not), so every rank's AdamW
/// creates and advances the same state.
///
/// Normalisation: none here. Each rank scales its micro-batch losses by 1 / (micro-batches in
/// the whole step, all ranks), so the sum is exactly the single-process accumulated gradient.
public final class GradientReducer {
    public let collective: Collective
    public let parameters: [Tensor]
    private struct Bucket {
        var members: Range<Int>
        var offsets: [Int]
        var buffer: UnsafeMutableBufferPointer<Float>
    }
    private var buckets: [Bucket] = []
    private var index: [ObjectIdentifier: Int] = [:]
    private var bucketOf: [Int] = []
    private var readyCount: [Int] = []
    private var isReady: [Bool] = []
    private var started: [PendingReduction?] = []
    private var nextBucket = 0
    private var presence: UnsafeMutableBufferPointer<Float>

    /// Totals since creation: for `safekey train`'s summary and docs/SCALING.md.
    public private(set) var stats = Stats()
    public struct Stats {
        /// Reduction steps (optimizer steps).
        public var steps = 0
        /// Buckets started while backward ran / after it returned.
        public var startedDuringBackward = 0, startedAfterBackward = 0
        /// Seconds `finish` spent waiting for reductions (communication not hidden by backward).
        public var exposedSeconds = 0.0
        /// Bytes all-reduced per step (gradients, f32).
        public var bytesPerStep = 0
    }

    public init(parameters: [Tensor], collective: Collective, bucketBytes: Int = 25 << 20) {
        self.collective = collective
        self.parameters = parameters
        let limit = max(1, bucketBytes / MemoryLayout<Float>.stride)
        var lo = 0
        while lo < parameters.count {
            var hi = lo, total = 0
            var offsets: [Int] = []
            while hi < parameters.count && (hi == lo || total + parameters[hi].count <= limit) {
                offsets.append(total)
                total += parameters[hi].count
                hi += 1
            }
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: total)
            buffer.initialize(repeating: 0)
            buckets.append(Bucket(members: lo..<hi, offsets: offsets, buffer: buffer))
            lo = hi
        }
        for (b, bucket) in buckets.enumerated() { for _ in bucket.members { bucketOf.append(b) } }
        for (i, p) in parameters.enumerated() { index[ObjectIdentifier(p)] = i }
        presence = .allocate(capacity: parameters.count)
        presence.initialize(repeating: 0)
        stats.bytesPerStep = parameters.reduce(0) { $0 + $1.count } * MemoryLayout<Float>.stride
        begin()
    }

    deinit {
        for b in buckets { b.buffer.deallocate() }
        presence.deallocate()
    }

    /// Number of buckets (each one all-reduce per step).
    public var bucketCount: Int { buckets.count }

    /// Resets the per-step state; call before the step's last backward.
    public func begin() {
        readyCount = Array(repeating: 0, count: buckets.count)
        isReady = Array(repeating: false, count: parameters.count)
        started = Array(repeating: nil, count: buckets.count)
        nextBucket = 0
    }

    /// The tape's hook: `leaf`'s gradient is complete. Starts every bucket now fully ready in
    /// order, and lets MPI progress the ones in flight. Leaves that are not parameters are ignored.
    public func leafReady(_ leaf: Tensor) throws {
        guard let i = index[ObjectIdentifier(leaf)], !isReady[i] else { return }
        isReady[i] = true
        readyCount[bucketOf[i]] += 1
        while nextBucket < buckets.count && readyCount[nextBucket] == buckets[nextBucket].members.count {
            try start(nextBucket)
            stats.startedDuringBackward += 1
        }
        for b in 0..<nextBucket { if let p = started[b], try p.test() { started[b] = nil } }
    }

    /// Starts the remaining buckets, waits for all, and leaves the summed gradient in every
    /// parameter that any rank gave one.
    public func finish() throws {
        let t0 = Date()
        while nextBucket < buckets.count {
            try start(nextBucket)
            stats.startedAfterBackward += 1
        }
        for (i, p) in parameters.enumerated() { presence[i] = p.gradStorage == nil ? 0 : 1 }
        try collective.allReduceSum(presence)
        for (b, bucket) in buckets.enumerated() {
            try started[b]?.wait()
            for (k, i) in bucket.members.enumerated() {
                let p = parameters[i]
                guard presence[i] > 0 else { p.dropGrad(); continue }
                p.materializedGradient().update(from: bucket.buffer.baseAddress! + bucket.offsets[k], count: p.count)
            }
        }
        stats.exposedSeconds += Date().timeIntervalSince(t0)
        stats.steps += 1
    }

    /// Copies bucket `b`'s gradients (zeros for a parameter without one) in and starts its sum.
    private func start(_ b: Int) throws {
        let bucket = buckets[b]
        for (k, i) in bucket.members.enumerated() {
            let p = parameters[i], dst = bucket.buffer.baseAddress! + bucket.offsets[k]
            if let g = p.gradStorage?.pointer { dst.update(from: g, count: p.count) } else { dst.update(repeating: 0, count: p.count) }
        }
        started[b] = try collective.startAllReduceSum(bucket.buffer)
        nextBucket = b + 1
    }
}
