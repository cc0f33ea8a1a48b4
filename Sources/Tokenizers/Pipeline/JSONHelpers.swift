import Foundation
import Support

/// Parses a JSON file into an object (Support's ordered JSON), with errors naming the file: an
/// unreadable file is ``TokenizerError/unreadableFile(path:reason:)``, bad JSON
/// ``TokenizerError/invalidJSON(source:offset:reason:)`` with the byte offset.
func readJSONObject(_ path: String) throws -> JSONObject {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw TokenizerError.unreadableFile(path: path, reason: "cannot read the file")
    }
    let value: JSONValue
    do { value = try JSONParser.parse(data, path: path) } catch let e as JSONError {
        throw TokenizerError.invalidJSON(source: e.path, offset: e.offset, reason: e.detail)
    }
    guard case let .object(obj) = value else {
        throw TokenizerError.unreadableFile(path: path, reason: "top level is \(value.typeName), not a JSON object")
    }
    return obj
}

/// A pipeline stage object of `tokenizer.json` (`{"type": ..., ...}`): nil when the key is null or
/// absent, else the object and its type; throws when it is not such an object.
func stageSpec(_ spec: JSONValue?, key: String, file: String) throws -> (dict: JSONObject, type: String)? {
    guard let spec = spec, !spec.isNull else { return nil }
    guard let dict = spec.objectValue, let type = dict["type"]?.stringValue else {
        throw TokenizerError.malformedConfig(file: file, key: key, reason: "expected an object with 'type'")
    }
    return (dict, type)
}

/// UTF-8: the allowed range of the byte after `lead` (RFC 3629 table 3-7; excludes overlongs and surrogates).
func utf8SecondByteRange(lead: UInt8) -> ClosedRange<UInt8> {
    switch lead {
    case 0xE0: return 0xA0...0xBF
    case 0xED: return 0x80...0x9F
    case 0xF0: return 0x90...0xBF
    case 0xF4: return 0x80...0x8F
    default: return 0x80...0xBF
    }
}
