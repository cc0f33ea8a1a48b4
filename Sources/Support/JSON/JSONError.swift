/// Why a JSON document could not be read: the source (`path`, a file or a name such as
/// "response body"), the byte offset where parsing stopped (0-based, counted in UTF-8 bytes of
/// the input) and what was expected there.
public struct JSONError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var offset: Int
    public var detail: String

    public init(path: String, offset: Int, detail: String) {
        self.path = path
        self.offset = offset
        self.detail = detail
    }

    public var description: String {
        "\(path): invalid JSON at byte \(offset): \(detail) — check the file is complete, strict JSON (no comments or trailing commas)"
    }
}

extension JSONError {
    /// Where ``offset`` falls in `bytes` (the text that was parsed): 1-based line and 1-based
    /// column, the column counted in bytes from the line's start. For messages about multi-line
    /// files, where a line number helps more than a byte offset.
    public func lineAndColumn(in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1, lineStart = 0
        for k in 0..<min(max(offset, 0), bytes.count) where bytes[k] == 0x0A {
            line += 1
            lineStart = k + 1
        }
        return (line, offset - lineStart + 1)
    }
}
