import Foundation

/// Reads JSON Lines files (one JSON object per line; blank lines skipped), gzip-compressed or not
/// (detected by the 1f 8b magic bytes, not the file name). Errors name the file and the line.
enum JSONLines {
    /// The objects of the file with their 1-based physical line numbers.
    static func read(_ path: String, benchmark: String) throws -> [(line: Int, object: [String: Any])] {
        var data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw SafetyEvalError.unreadable(path: path, reason: error.localizedDescription)
        }
        if GzipFile.isGzip(data) { data = try GzipFile.decompress(data, path: path) }
        return try parse(data, path: path, benchmark: benchmark)
    }

    static func parse(_ data: Data, path: String, benchmark: String) throws -> [(line: Int, object: [String: Any])] {
        var out: [(line: Int, object: [String: Any])] = []
        var lineNo = 0
        var start = data.startIndex
        while start < data.endIndex {
            let end = data[start...].firstIndex(of: 0x0A) ?? data.endIndex
            lineNo += 1
            let line = data[start..<end]
            start = end < data.endIndex ? end + 1 : end
            guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
            if out.isEmpty, let first = line.first(where: { $0 != 0x20 && $0 != 0x09 }), first != UInt8(ascii: "{") {
                throw SafetyEvalError.wrongFormat(path: path, benchmark: benchmark, expected: "JSON Lines (one {...} object per line)",
                                                  found: first == UInt8(ascii: "[") ? "a JSON array" : "CSV or text")
            }
            guard let obj = (try? JSONSerialization.jsonObject(with: line)) as? [String: Any] else {
                throw SafetyEvalError.badJSON(path: path, location: "line \(lineNo)", detail: "not a JSON object (each line must be one {...} object)")
            }
            out.append((lineNo, obj))
        }
        if out.isEmpty { throw SafetyEvalError.emptyFile(path: path, detail: "no JSON lines") }
        return out
    }
}
