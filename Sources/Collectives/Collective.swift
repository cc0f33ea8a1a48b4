import Foundation

/// The communication seam of data-parallel training (docs/ARCHITECTURE.md, Distributed): the few
/// collectives the trainer needs, over float and double buffers, with a single-process
/// implementation (every call is the identity) and an MPI one (`MPICollective`, Open MPI loaded
/// at run time). A GPU backend (NCCL) would implement the same protocol.
///
/// Contract (as MPI's): every rank calls the same collectives in the same order with buffers of
/// the same length; a reduction's result is the element-wise sum over ranks, identical on every
/// rank. Calls come from one thread (the training loop's).
public protocol Collective: AnyObject {
    /// This process's index, `0..<size`; rank 0 alone writes files.
    var rank: Int { get }
    /// Number of processes in the job.
    var size: Int { get }
    /// A short name for logs ("single process", "MPI (Open MPI 4.1.4), 2 ranks").
    var description: String { get }
    /// In place: every element becomes its sum over all ranks.
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws
    /// Starts an in-place sum and returns at once; the buffer must stay alive and untouched
    /// until the returned reduction is complete (`wait`, or `test` returned true).
    func startAllReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws -> PendingReduction
    /// Copies `root`'s bytes into every other rank's buffer.
    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws
    func barrier() throws
    /// Ends the whole job at once with `code` (a rank that failed calls this so that no other rank
    /// waits forever in a collective).
    func abort(code: Int32) -> Never
    /// Leaves the job cleanly (MPI_Finalize); no collective may follow.
    func finish()
}

/// A non-blocking reduction in flight.
public protocol PendingReduction: AnyObject {
    /// Advances it; true once it is complete.
    func test() throws -> Bool
    /// Blocks until it is complete.
    func wait() throws
}

/// One process: rank 0 of 1, every collective the identity.
public final class SingleProcess: Collective {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public var description: String { "single process" }
    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {}
    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws {}
    public func startAllReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws -> PendingReduction { Done() }
    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws {}
    public func barrier() throws {}
    public func abort(code: Int32) -> Never { exit(code) }
    public func finish() {}

    private final class Done: PendingReduction {
        func test() throws -> Bool { true }
        func wait() throws {}
    }
}

/// How this process was started: alone, or as one rank of an `mpirun` job.
public enum Launch {
    /// The job size `mpirun` announced (`OMPI_COMM_WORLD_SIZE`), or nil when not under mpirun.
    public static var mpiWorldSize: Int? {
        ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"].flatMap { Int($0) }
    }

    /// This process's rank as `mpirun` announced it (`OMPI_COMM_WORLD_RANK`), 0 when alone.
    /// Readable before MPI is initialised (e.g. to let only rank 0 check the output folder).
    public static var announcedRank: Int {
        ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_RANK"].flatMap { Int($0) } ?? 0
    }

    /// The collective for this process: `MPICollective` when `mpirun` started more than one rank
    /// (Open MPI is then loaded; a missing library is a `DistributedError` naming the package),
    /// otherwise `SingleProcess` — a plain run never touches MPI.
    public static func collective() throws -> Collective {
        guard let n = mpiWorldSize, n > 1 else { return SingleProcess() }
        return try MPICollective(expectedSize: n)
    }
}

/// What went wrong in the distributed layer, with what to do.
public enum DistributedError: Error, CustomStringConvertible {
    /// Open MPI's library could not be loaded or lacks a symbol.
    case library(String)
    /// An MPI call returned an error code.
    case call(String, code: Int32)
    /// Ranks disagree (different weights, options or checkpoint).
    case mismatch(String)

    public var description: String {
        switch self {
        case let .library(d): return "MPI: \(d)"
        case let .call(name, code): return "MPI: \(name) failed with error code \(code); see Open MPI's message above"
        case let .mismatch(d): return "ranks disagree: \(d)"
        }
    }
}
