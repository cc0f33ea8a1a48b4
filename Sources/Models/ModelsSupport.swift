// Models re-exports Support, so `import Models` keeps giving JSONValue, JSONParser, JSONWriter,
// AtomicFile and FileSink to code that used them from here.
@_exported import Support

extension ModelsError {
    /// Parses JSON, reporting a syntax error as ``ModelsError/invalidJSON(path:offset:detail:)``.
    static func parseJSON(_ bytes: [UInt8], path: String) throws -> JSONValue {
        do { return try JSONParser.parse(bytes, path: path) } catch let e as JSONError {
            throw ModelsError.invalidJSON(path: e.path, offset: e.offset, detail: e.detail)
        }
    }

    /// Runs an ``AtomicFile`` write, reporting a file error as ``ModelsError/io(path:detail:)``.
    static func writing(_ body: () throws -> Void) throws {
        do { try body() } catch let e as FileError { throw ModelsError.io(path: e.path, detail: e.detail) }
    }
}
