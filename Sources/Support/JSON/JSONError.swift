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
