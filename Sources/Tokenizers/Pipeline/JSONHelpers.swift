import Foundation

/// An integer from a `JSONSerialization` value (Int on Linux, NSNumber on Apple platforms); nil
/// for a number with a fraction (a token id of 1.5 is an error, not id 1).
func jsonInt(_ value: Any?) -> Int? {
    if value is Double || value is Float { return (value as? Double).flatMap { Int(exactly: $0) } }
    if let i = value as? Int { return i }
    if let n = value as? NSNumber { let i = n.intValue; return Double(i) == n.doubleValue ? i : nil }
    return nil
}

/// Parses a JSON file into an object, with errors naming the file.
func readJSONObject(_ path: String) throws -> [String: Any] {
    let data: Data
    do {
        data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
        throw TokenizerError.unreadableFile(path: path, reason: "\(error.localizedDescription)")
    }
    return try parseJSONObject(data, name: path)
}

func parseJSONObject(_ data: Data, name: String) throws -> [String: Any] {
    let object: Any
    do {
        object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    } catch {
        throw TokenizerError.unreadableFile(path: name, reason: "not valid JSON (\(error.localizedDescription))")
    }
    guard let dict = object as? [String: Any] else {
        throw TokenizerError.unreadableFile(path: name, reason: "top level is not a JSON object")
    }
    return dict
}

/// A pipeline stage object of `tokenizer.json` (`{"type": ..., ...}`): nil when the key is null or
/// absent, else the object and its type; throws when it is not such an object.
func stageSpec(_ spec: Any?, key: String, file: String) throws -> (dict: [String: Any], type: String)? {
    guard let spec = spec, !(spec is NSNull) else { return nil }
    guard let dict = spec as? [String: Any], let type = dict["type"] as? String else {
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
