import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The package's one way to write a file durably: the bytes go to a temporary sibling
/// (`.<name>.tmp-<pid>-<n>` in the same folder, so the rename stays on one file system), the
/// temporary file is `fsync`ed, renamed over the destination, and the folder is `fsync`ed so the
/// rename itself survives a crash. A reader sees the old file or the new one, never a part; on any
/// failure the temporary file is removed and the destination is untouched.
///
///     try AtomicFile.write("hello\n", to: "out/greeting.txt")
///     try AtomicFile.write(to: "big.bin") { sink in try sink.write(header); try sink.write(body) }
public enum AtomicFile {
    /// Writes through `body`, which may call `sink.write` any number of times (for files too large
    /// to build in memory first). A missing destination folder is created when `createFolders` is
    /// true, else it is an error (for writers whose contract is "the folder must exist").
    public static func write(to path: String, createFolders: Bool = true, _ body: (FileSink) throws -> Void) throws {
        let dir = (path as NSString).deletingLastPathComponent
        let folder = dir.isEmpty ? "." : dir
        if !createFolders, !FileManager.default.fileExists(atPath: folder) {
            throw FileError(path: folder, detail: "no such folder — create it first or check the path")
        }
        if !FileManager.default.fileExists(atPath: folder) {
            do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                throw FileError(path: folder, detail: "cannot create the folder (\(error.localizedDescription)) — check the path and its permissions")
            }
        }
        let tmp = folder + "/." + (path as NSString).lastPathComponent + ".tmp-\(getpid())-\(TempCounter.next())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw FileError(path: tmp, detail: "cannot create: \(errnoText()) — check that the folder is writable") }
        let sink = FileSink(fd: fd, path: tmp)
        var fdOpen = true   // the descriptor is closed exactly once (a second close could hit a reused fd)
        do {
            try body(sink)
            guard fsync(fd) == 0 else { throw FileError(path: tmp, detail: "fsync failed: \(errnoText())") }
            fdOpen = false
            guard close(fd) == 0 else { throw FileError(path: tmp, detail: "close failed: \(errnoText())") }
            guard rename(tmp, path) == 0 else {
                throw FileError(path: path, detail: "cannot rename \(tmp) over it: \(errnoText()) — is it a folder or on a read-only file system?")
            }
        } catch {
            if fdOpen { close(fd) }
            unlink(tmp)
            throw error
        }
        let dfd = open(folder, O_RDONLY)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }

    public static func write(_ bytes: [UInt8], to path: String) throws {
        try write(to: path) { try $0.write(bytes) }
    }

    public static func write(_ data: Data, to path: String) throws {
        try write(to: path) { try $0.write(data) }
    }

    /// Writes `text` as UTF-8.
    public static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}

/// A distinct suffix per write in this process, so two threads writing the same path never share
/// a temporary file.
private enum TempCounter {
    nonisolated(unsafe) private static var value = 0
    private static let lock = NSLock()
    static func next() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
}

/// An open temporary file being written by ``AtomicFile/write(to:_:)``.
public final class FileSink {
    let fd: Int32
    /// The temporary file's path (for error messages).
    public let path: String
    init(fd: Int32, path: String) { self.fd = fd; self.path = path }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard var p = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            #if canImport(Glibc) || canImport(Musl)
            let n = Glibc.write(fd, p, left)
            #else
            let n = Darwin.write(fd, p, left)
            #endif
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw FileError(path: path, detail: "write failed: \(AtomicFile.errnoText()) — is the disk full?") }
            p += n
            left -= n
        }
    }

    public func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }
    public func write(_ data: Data) throws { try data.withUnsafeBytes { try write($0) } }
    public func write(_ text: String) throws { try write(Array(text.utf8)) }
}

/// A file could not be written: which file and why, with what to check.
public struct FileError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var detail: String
    public init(path: String, detail: String) { self.path = path; self.detail = detail }
    public var description: String { "\(path): \(detail)" }
}
