import Foundation

/// One CSV record with the physical line (1-based) on which it starts, for error messages.
public struct CSVRecord: Equatable, Sendable {
    public let line: Int
    public let fields: [String]
    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }
}

/// An RFC 4180 CSV reader written for this project.
///
/// Contract (RFC 4180 plus the leniencies of Python's `csv` module that real benchmark files rely on):
/// - records end at CRLF, LF or a lone CR; a final line break is optional;
/// - a field that starts with `"` is quoted: it may contain the delimiter, line breaks (kept verbatim,
///   CRLF stays CRLF) and `""` (one literal quote); after the closing quote only the delimiter, a
///   line break or the end of input may follow;
/// - a `"` inside an unquoted field is kept literally (Python does the same);
/// - a UTF-8 byte-order mark at the start is skipped; fields must be valid UTF-8;
/// - blank lines (no characters at all) are skipped, as pandas and Python's csv do.
/// Errors carry the physical line and the column (in characters) where the problem is.
///
/// ```swift
/// let records = try CSVParser.parse(Array("a,b\n1,\"x\ny\"\n".utf8), path: "demo.csv")
/// // records[1].fields == ["1", "x\ny"], records[1].line == 2
/// ```
public enum CSVParser {
    /// Parses `bytes` into records. `path` only labels errors.
    public static func parse(_ bytes: [UInt8], path: String, delimiter: UInt8 = UInt8(ascii: ",")) throws -> [CSVRecord] {
        var records: [CSVRecord] = []
        var fields: [String] = []
        var field: [UInt8] = []
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        let n = bytes.count
        var i = 0
        if n >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        var line = 1, lineStart = i
        var recordLine = 1
        var recordHasContent = false

        /// Column (1-based, in Unicode scalars) of byte offset `at` on the current physical line.
        func column(_ at: Int) -> Int {
            var c = 1, k = lineStart
            while k < at && k < n { if bytes[k] & 0xC0 != 0x80 { c += 1 }; k += 1 }
            return c
        }
        func finishField(at: Int) throws {
            guard let s = String(validating: field, as: UTF8.self) else {
                throw SafetyEvalError.csvSyntax(path: path, line: line, column: column(at), detail: "field is not valid UTF-8 (save the file as UTF-8)")
            }
            fields.append(s)
            field.removeAll(keepingCapacity: true)
        }
        func finishRecord() {
            if recordHasContent || fields.count > 1 || !(fields.first ?? "").isEmpty {
                records.append(CSVRecord(line: recordLine, fields: fields))
            }
            fields.removeAll(keepingCapacity: true)
            recordHasContent = false
        }
        /// Consumes a line break at `i` (CRLF, LF or CR) and advances the line counter.
        func consumeBreak() {
            if bytes[i] == cr, i + 1 < n, bytes[i + 1] == lf { i += 2 } else { i += 1 }
            line += 1
            lineStart = i
        }

        while i < n {
            // Start of a field.
            if field.isEmpty && bytes[i] == quote {
                recordHasContent = true
                let openLine = line, openColumn = column(i)
                i += 1
                var closed = false
                while i < n {
                    let b = bytes[i]
                    if b == quote {
                        if i + 1 < n, bytes[i + 1] == quote { field.append(quote); i += 2; continue }
                        i += 1
                        closed = true
                        break
                    }
                    if b == lf || b == cr {
                        // Keep the break verbatim, but count lines for error positions.
                        if b == cr, i + 1 < n, bytes[i + 1] == lf { field.append(cr); field.append(lf); i += 2 } else { field.append(b); i += 1 }
                        line += 1
                        lineStart = i
                        continue
                    }
                    field.append(b)
                    i += 1
                }
                if !closed {
                    throw SafetyEvalError.csvSyntax(path: path, line: openLine, column: openColumn, detail: "quoted field opened here is never closed (a missing closing '\"')")
                }
                if i < n, bytes[i] != delimiter, bytes[i] != lf, bytes[i] != cr {
                    throw SafetyEvalError.csvSyntax(path: path, line: line, column: column(i), detail: "unexpected character after a closing quote (write a literal quote inside a quoted field as \"\")")
                }
                if i >= n { try finishField(at: i); finishRecord(); break }
                if bytes[i] == delimiter { try finishField(at: i); i += 1; recordHasContent = true; continue }
                try finishField(at: i); finishRecord(); consumeBreak(); recordLine = line
                continue
            }
            let b = bytes[i]
            if b == delimiter {
                try finishField(at: i); recordHasContent = true; i += 1
            } else if b == lf || b == cr {
                try finishField(at: i); finishRecord(); consumeBreak(); recordLine = line
            } else {
                field.append(b); recordHasContent = true; i += 1
            }
        }
        if i >= n && (recordHasContent || !field.isEmpty || !fields.isEmpty) {
            // Input ended without a final line break.
            if !(fields.isEmpty && field.isEmpty && !recordHasContent) {
                try finishField(at: n)
                finishRecord()
            }
        }
        return records
    }
}
