import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Open MPI's C API, loaded at run time with `dlopen` so that the `safekey` binary does not link
/// `libmpi` and a single-process run needs no MPI installed (issue 19, item 3).
///
/// Open MPI's handles are addresses of predefined global objects (`MPI_COMM_WORLD` is
/// `&ompi_mpi_comm_world`, `MPI_FLOAT` is `&ompi_mpi_float`, `MPI_SUM` is `&ompi_mpi_op_sum`;
/// mpi.h of Open MPI 4/5), `MPI_IN_PLACE` is `(void *) 1` and `MPI_STATUS_IGNORE` is NULL, so
/// `dlsym` gives every handle the trainer needs without the header. MPICH-family libraries use
/// integer handles and are refused with a message saying so.
final class MPILibrary {
    typealias Handle = UnsafeMutableRawPointer
    typealias Request = UnsafeMutableRawPointer?

    let initThread: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, Int32, UnsafeMutablePointer<Int32>) -> Int32
    let initialized: @convention(c) (UnsafeMutablePointer<Int32>) -> Int32
    let commRank: @convention(c) (Handle, UnsafeMutablePointer<Int32>) -> Int32
    let commSize: @convention(c) (Handle, UnsafeMutablePointer<Int32>) -> Int32
    let allreduce: @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int32, Handle, Handle, Handle) -> Int32
    let iallreduce: @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int32, Handle, Handle, Handle,
                                    UnsafeMutablePointer<Request>) -> Int32
    let test: @convention(c) (UnsafeMutablePointer<Request>, UnsafeMutablePointer<Int32>, UnsafeMutableRawPointer?) -> Int32
    let wait: @convention(c) (UnsafeMutablePointer<Request>, UnsafeMutableRawPointer?) -> Int32
    let bcast: @convention(c) (UnsafeMutableRawPointer?, Int32, Handle, Int32, Handle) -> Int32
    let barrier: @convention(c) (Handle) -> Int32
    let finalize: @convention(c) () -> Int32
    let abort: @convention(c) (Handle, Int32) -> Int32
    let getLibraryVersion: @convention(c) (UnsafeMutablePointer<CChar>, UnsafeMutablePointer<Int32>) -> Int32

    let commWorld: Handle, float: Handle, double: Handle, byte: Handle, sum: Handle
    /// `MPI_IN_PLACE` of Open MPI.
    let inPlace = UnsafeRawPointer(bitPattern: 1)
    /// `MPI_THREAD_FUNNELED` of Open MPI: only the thread that initialised MPI calls it.
    let threadFunneled: Int32 = 1

    /// The library's file name; `SAFEKEY_MPI_LIBRARY` overrides it (another Open MPI install).
    static var fileName: String { ProcessInfo.processInfo.environment["SAFEKEY_MPI_LIBRARY"] ?? "libmpi.so.40" }

    /// Loads the library (RTLD_GLOBAL: Open MPI's plug-ins resolve their symbols against it).
    init() throws {
        let name = Self.fileName
        guard let lib = dlopen(name, RTLD_NOW | RTLD_GLOBAL) else {
            let why = dlerror().map { String(cString: $0) } ?? "not found"
            throw DistributedError.library("mpirun started this process (OMPI_COMM_WORLD_SIZE=\(Launch.mpiWorldSize ?? 0)) but Open MPI's "
                + "library \(name) could not be loaded (\(why)). Install it on every machine of the job: "
                + "apt-get install openmpi-bin libopenmpi3 (Debian/Ubuntu; `make deps` does this), or set SAFEKEY_MPI_LIBRARY to its path; "
                + "a single-process run needs no MPI (start safekey without mpirun)")
        }
        func symbol(_ s: String) throws -> UnsafeMutableRawPointer {
            guard let p = dlsym(lib, s) else {
                throw DistributedError.library("\(name) has no symbol \(s): SafeKey needs Open MPI 4 or later (MPICH-family libraries use other handles); "
                    + "install openmpi-bin and libopenmpi3 or point SAFEKEY_MPI_LIBRARY at Open MPI's libmpi")
            }
            return p
        }
        func fn<F>(_ s: String, _: F.Type) throws -> F { unsafeBitCast(try symbol(s), to: F.self) }
        initThread = try fn("MPI_Init_thread", type(of: initThread))
        initialized = try fn("MPI_Initialized", type(of: initialized))
        commRank = try fn("MPI_Comm_rank", type(of: commRank))
        commSize = try fn("MPI_Comm_size", type(of: commSize))
        allreduce = try fn("MPI_Allreduce", type(of: allreduce))
        iallreduce = try fn("MPI_Iallreduce", type(of: iallreduce))
        test = try fn("MPI_Test", type(of: test))
        wait = try fn("MPI_Wait", type(of: wait))
        bcast = try fn("MPI_Bcast", type(of: bcast))
        barrier = try fn("MPI_Barrier", type(of: barrier))
        finalize = try fn("MPI_Finalize", type(of: finalize))
        abort = try fn("MPI_Abort", type(of: abort))
        getLibraryVersion = try fn("MPI_Get_library_version", type(of: getLibraryVersion))
        commWorld = try symbol("ompi_mpi_comm_world")
        float = try symbol("ompi_mpi_float")
        double = try symbol("ompi_mpi_double")
        byte = try symbol("ompi_mpi_byte")
        sum = try symbol("ompi_mpi_op_sum")
    }

    /// Throws `DistributedError.call` for a non-zero return code (`MPI_SUCCESS` is 0).
    @inline(__always) func check(_ code: Int32, _ name: String) throws {
        if code != 0 { throw DistributedError.call(name, code: code) }
    }
}
