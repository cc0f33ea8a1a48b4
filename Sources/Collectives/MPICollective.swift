import Foundation

/// `Collective` over Open MPI's `MPI_COMM_WORLD` (loaded at run time, see `MPILibrary`).
///
/// One per process: `init` calls `MPI_Init_thread(MPI_THREAD_FUNNELED)` (only the training
/// thread calls MPI; the kernels' worker threads never do), `finish` calls `MPI_Finalize`.
/// MPI's default error handler (`MPI_ERRORS_ARE_FATAL`) stays in force: a failed transfer ends
/// the job with Open MPI's own report. A rank that dies is reported by `mpirun`, which then ends
/// every other rank ("mpirun noticed that process rank 1 … exited on signal 9").
public final class MPICollective: Collective {
    private let mpi: MPILibrary
    public let rank: Int
    public let size: Int
    public let description: String
    private var finished = false
    /// Largest element count per MPI call (MPI counts are `int`).
    private let maxCount = Int(Int32.max)

    /// Joins the job; `expectedSize` is what `mpirun` announced in the environment.
    public init(expectedSize: Int) throws {
        mpi = try MPILibrary()
        var flag: Int32 = 0
        try mpi.check(mpi.initialized(&flag), "MPI_Initialized")
        if flag == 0 {
            var provided: Int32 = 0
            try mpi.check(mpi.initThread(nil, nil, mpi.threadFunneled, &provided), "MPI_Init_thread")
        }
        var r: Int32 = 0, n: Int32 = 0
        try mpi.check(mpi.commRank(mpi.commWorld, &r), "MPI_Comm_rank")
        try mpi.check(mpi.commSize(mpi.commWorld, &n), "MPI_Comm_size")
        rank = Int(r)
        size = Int(n)
        var version = [CChar](repeating: 0, count: 512)
        var len: Int32 = 0
        _ = mpi.getLibraryVersion(&version, &len)
        let name = String(cString: version).split(separator: ",").first.map(String.init) ?? "MPI"
        description = "MPI (\(name)), \(size) ranks"
        guard size == expectedSize else {
            throw DistributedError.mismatch("mpirun announced \(expectedSize) ranks but MPI_COMM_WORLD has \(size); "
                + "start every rank with the same mpirun from the same Open MPI install")
        }
    }

    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        try chunks(buffer.count) { lo, n in
            try mpi.check(mpi.allreduce(mpi.inPlace, buffer.baseAddress! + lo, n, mpi.float, mpi.sum, mpi.commWorld), "MPI_Allreduce")
        }
    }

    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws {
        try chunks(buffer.count) { lo, n in
            try mpi.check(mpi.allreduce(mpi.inPlace, buffer.baseAddress! + lo, n, mpi.double, mpi.sum, mpi.commWorld), "MPI_Allreduce")
        }
    }

    public func startAllReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws -> PendingReduction {
        let pending = Pending(mpi: mpi)
        try chunks(buffer.count) { lo, n in
            var request: MPILibrary.Request = nil
            try mpi.check(mpi.iallreduce(mpi.inPlace, buffer.baseAddress! + lo, n, mpi.float, mpi.sum, mpi.commWorld, &request),
                          "MPI_Iallreduce")
            pending.requests.append(request)
        }
        return pending
    }

    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws {
        try chunks(buffer.count) { lo, n in
            try mpi.check(mpi.bcast(buffer.baseAddress! + lo, n, mpi.byte, Int32(root), mpi.commWorld), "MPI_Bcast")
        }
    }

    public func barrier() throws { try mpi.check(mpi.barrier(mpi.commWorld), "MPI_Barrier") }

    public func abort(code: Int32) -> Never {
        _ = mpi.abort(mpi.commWorld, code)
        exit(code)
    }

    public func finish() {
        guard !finished else { return }
        finished = true
        _ = mpi.finalize()
    }

    /// Calls `body(offset, count)` over `0..<total` in pieces MPI's `int` counts can hold.
    private func chunks(_ total: Int, _ body: (Int, Int32) throws -> Void) throws {
        guard total > 0 else { return }
        var lo = 0
        repeat {
            let n = min(maxCount, total - lo)
            try body(lo, Int32(n))
            lo += n
        } while lo < total
    }

    /// The requests of one `startAllReduceSum` (one per `int`-sized piece).
    private final class Pending: PendingReduction {
        let mpi: MPILibrary
        var requests: [MPILibrary.Request] = []
        init(mpi: MPILibrary) { self.mpi = mpi }

        func test() throws -> Bool {
            for i in requests.indices where requests[i] != nil {
                var flag: Int32 = 0
                try mpi.check(mpi.test(&requests[i], &flag, nil), "MPI_Test")
                if flag == 0 { return false }
                requests[i] = nil        // MPI_Test set it to MPI_REQUEST_NULL; mark it done here
            }
            return true
        }

        func wait() throws {
            for i in requests.indices where requests[i] != nil {
                try mpi.check(mpi.wait(&requests[i], nil), "MPI_Wait")
                requests[i] = nil
            }
        }
    }
}
