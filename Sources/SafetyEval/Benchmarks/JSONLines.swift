import Foundation
import Support

/// Reads JSON Lines files (one JSON object per line; blank lines skipped), gzip-compressed or not
/// (detected by the 1f 8b magic bytes, not the file name). Errors name the file and the line.
enum JSONLines {
    /// The objects of the file with their 1-based physical line numbers.
    static func read(_ path: String, benchmark: String) throws -> [(line: Int, object: JSONObject)] {
        var data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw SafetyEvalError.unreadable(path: path, reason: error.localizedDescription)
        }
        if GzipFile.isGzip(data) { data = try GzipFile.decompress(data, path: path) }
        return try parse(data, path: path, benchmark: benchmark)
    }

    static func parse(_ data: Data, path: String, benchmark: String) throws -> [(line: Int, object: JSONObject)] {
        var out: [(line: Int, object: JSONObject)] = []
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
            let value: JSONValue
            do { value = try JSONParser.parse([UInt8](line), path: path) } catch let e as JSONError {
                throw SafetyEvalError.badJSON(path: path, location: "line \(lineNo), column \(e.offset + 1)",
                                              detail: "not valid JSON (\(e.detail)); each line must be one complete {...} object")
            }
            guard let obj = value.objectValue else {
                throw SafetyEvalError.badJSON(path: path, location: "line \(lineNo)", detail: "not a JSON object (each line must be one {...} object)")
            }
            out.append((lineNo, obj))
        }
        if out.isEmpty { throw SafetyEvalError.emptyFile(path: path, detail: "no JSON lines") }
        return out
    }
}
