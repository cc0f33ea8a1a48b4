import CZlib
import Foundation

/// Reads gzip files (RFC 1952) through the system zlib (`inflate` with automatic gzip/zlib header
/// detection). Concatenated gzip members are read one after another, as `gzip -d` does; the CRC-32
/// and length in every member's trailer are checked by zlib.
///
/// ```swift
/// let text = String(decoding: try GzipFile.read("HumanEval.jsonl.gz"), as: UTF8.self)
/// ```
public enum GzipFile {
    /// True when `data` starts with the gzip magic bytes 1f 8b.
    public static func isGzip(_ data: Data) -> Bool {
        data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B
    }

    /// The decompressed bytes of the gzip file at `path`. Errors name the file and what zlib said.
    public static func read(_ path: String) throws -> Data {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw SafetyEvalError.unreadable(path: path, reason: error.localizedDescription)
        }
        return try decompress(data, path: path)
    }

    /// Inflates gzip (or zlib) bytes; `path` is only used in error messages.
    public static func decompress(_ data: Data, path: String = "<memory>") throws -> Data {
        guard isGzip(data) else {
            throw SafetyEvalError.badResults(path: path, detail: "not a gzip file (no 1f 8b header); pass the .gz file as distributed or an uncompressed .jsonl")
        }
        var out = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        try data.withUnsafeBytes { (src: UnsafeRawBufferPointer) in
            guard let base = src.baseAddress?.assumingMemoryBound(to: Bytef.self) else { return }
            var offset = 0
            // One pass per gzip member.
            while offset < src.count {
                var stream = z_stream()
                // 15 + 32: largest window, detect the gzip or zlib header automatically.
                guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                    throw SafetyEvalError.badResults(path: path, detail: "zlib could not start inflating")
                }
                defer { inflateEnd(&stream) }
                stream.next_in = UnsafeMutablePointer(mutating: base + offset)
                stream.avail_in = uInt(src.count - offset)
                var status: Int32 = Z_OK
                while status != Z_STREAM_END {
                    status = chunk.withUnsafeMutableBufferPointer { buf -> Int32 in
                        stream.next_out = buf.baseAddress
                        stream.avail_out = uInt(buf.count)
                        let s = inflate(&stream, Z_NO_FLUSH)
                        out.append(buf.baseAddress!, count: buf.count - Int(stream.avail_out))
                        return s
                    }
                    if status == Z_BUF_ERROR && stream.avail_in == 0 {
                        throw SafetyEvalError.badResults(path: path, detail: "gzip data ends early (truncated file at byte \(src.count)); download it again")
                    }
                    guard status == Z_OK || status == Z_STREAM_END else {
                        let msg = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                        throw SafetyEvalError.badResults(path: path, detail: "corrupt gzip data near byte \(offset + Int(stream.total_in)) (\(msg)); download it again")
                    }
                }
                offset += Int(stream.total_in)
                // Trailing zero padding after the last member is allowed (as gzip does).
                if src[offset...].allSatisfy({ $0 == 0 }) { break }
            }
        }
        return out
    }
}
