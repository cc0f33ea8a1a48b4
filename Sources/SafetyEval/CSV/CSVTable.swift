import Foundation

/// A CSV file read as a header plus data records, with column look-up that fails helpfully.
///
/// Every data record must have exactly as many fields as the header (an error names the line
/// otherwise). Use ``column(_:benchmark:)`` for required columns and ``optionalColumn(_:)`` for the
/// rest; ``value(_:_:)`` reads a field by index.
public struct CSVTable: Sendable {
    public let path: String
    public let header: [String]
    public let records: [CSVRecord]

    /// Reads and parses `path`. A `.tsv` extension selects tab as the delimiter. A file that
    /// starts with `[` or `{` is rejected as JSON (`benchmark` names the loader in the error).
    public init(contentsOf path: String, benchmark: String? = nil) throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw SafetyEvalError.unreadable(path: path, reason: error.localizedDescription)
        }
        let delimiter = path.lowercased().hasSuffix(".tsv") ? UInt8(ascii: "\t") : UInt8(ascii: ",")
        let bytes = [UInt8](data)
        // A JSON document is not a CSV file; say so instead of reporting a quoting error deep inside it.
        if let first = bytes.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF }),
           first == UInt8(ascii: "[") || first == UInt8(ascii: "{") {
            throw SafetyEvalError.wrongFormat(path: path, benchmark: benchmark ?? "csv", expected: "CSV", found: "JSON")
        }
        try self.init(bytes: bytes, path: path, delimiter: delimiter)
    }

    /// Parses CSV bytes; the first record is the header.
    public init(bytes: [UInt8], path: String, delimiter: UInt8 = UInt8(ascii: ",")) throws {
        let all = try CSVParser.parse(bytes, path: path, delimiter: delimiter)
        guard let first = all.first else {
            throw SafetyEvalError.emptyFile(path: path, detail: "no header line")
        }
        self.path = path
        self.header = first.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        self.records = Array(all.dropFirst())
        for r in records where r.fields.count != header.count {
            throw SafetyEvalError.csvSyntax(
                path: path, line: r.line, column: 1,
                detail: "this row has \(r.fields.count) fields but the header has \(header.count) (\(header.joined(separator: ",")))")
        }
    }

    /// Index of a required column; throws ``SafetyEvalError/missingColumn`` naming what exists.
    public func column(_ name: String, benchmark: String) throws -> Int {
        guard let i = optionalColumn(name) else {
            throw SafetyEvalError.missingColumn(path: path, column: name, available: header, benchmark: benchmark)
        }
        return i
    }

    /// Index of the first of `names` that exists (aliases), or throws naming the first.
    public func column(anyOf names: [String], benchmark: String) throws -> Int {
        for n in names { if let i = optionalColumn(n) { return i } }
        throw SafetyEvalError.missingColumn(path: path, column: names.joined(separator: "' or '"), available: header, benchmark: benchmark)
    }

    /// Index of a column if present (exact, case-sensitive match).
    public func optionalColumn(_ name: String) -> Int? { header.firstIndex(of: name) }

    /// The field at `column` of `record`, required to be non-empty after trimming whitespace.
    public func required(_ record: CSVRecord, _ column: Int) throws -> String {
        let v = record.fields[column]
        if v.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw SafetyEvalError.emptyField(path: path, line: record.line, column: header[column])
        }
        return v
    }

    /// The field at an optional column; nil when the column is absent or the field empty.
    public func value(_ record: CSVRecord, _ column: Int?) -> String? {
        guard let c = column else { return nil }
        let v = record.fields[c]
        return v.isEmpty ? nil : v
    }
}
