#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only, private memory map of a whole file. Pages are read from disk when first touched;
/// `release(_:)` drops touched pages from this process's resident set once their bytes have been
/// copied out (so loading a model does not keep both the file pages and the f32 copy resident).
public final class MappedFile {
    public let path: String
    /// Size of the file in bytes.
    public let size: Int
    /// Start of the mapping (nil for an empty file).
    public let base: UnsafeRawPointer?

    public init(path: String) throws {
        self.path = path
        // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever; the
        // regular-file check below then refuses it.
        let fd = open(path, O_RDONLY | O_NONBLOCK)
        guard fd >= 0 else { throw ModelsError.io(path: path, detail: "cannot open: \(Self.errnoText())") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw ModelsError.io(path: path, detail: "cannot stat: \(Self.errnoText())") }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw ModelsError.io(path: path, detail: "not a regular file (a directory, FIFO or device); point at the file itself")
        }
        size = Int(st.st_size)
        if size == 0 {
            base = nil
            return
        }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw ModelsError.io(path: path, detail: "cannot memory-map \(size) bytes: \(Self.errnoText())")
        }
        base = UnsafeRawPointer(p)
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), size) }
    }

    /// The bytes `range` (caller guarantees it lies inside the file).
    public func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        guard let base, !range.isEmpty else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count)
    }

    /// Tells the kernel the pages fully inside `range` are no longer needed by this process.
    /// The mapping stays valid: a later read faults the pages back in from the file.
    public func release(_ range: Range<Int>) {
        guard let base, !range.isEmpty else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard page > 0 else { return }
        let start = (range.lowerBound + page - 1) / page * page
        let end = range.upperBound / page * page
        guard end > start else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, MADV_DONTNEED)
    }

    /// The whole contents of the regular file `path`, refusing FIFOs, devices and directories
    /// (which would block or never end) and files over `maxBytes`.
    public static func contents(of path: String, maxBytes: Int, what: String) throws -> [UInt8] {
        let map = try MappedFile(path: path)
        guard map.size <= maxBytes else {
            throw ModelsError.io(path: path, detail: "\(what) is \(map.size) bytes, over the \(maxBytes)-byte limit; this is not a real \(what)")
        }
        return Array(map.bytes(0..<map.size))
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
