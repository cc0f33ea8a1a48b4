import Foundation
import Support

/// An on-disk cache of chat completions keyed by the request: the endpoint URL plus the request
/// body in canonical form (object keys sorted, compact), so the same question to the same server
/// and model is asked once. One file per request, named by two FNV-1a-64 hashes of that key,
/// holding the key itself (a hash collision is a miss, never a wrong answer) and the completion;
/// written with ``AtomicFile``. The API key is never part of the key or the file.
public struct ResponseCache: Sendable {
    public let directory: String

    public init(directory: String) throws {
        self.directory = directory
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw FileError(path: directory, detail: "cannot create the cache folder (\(error.localizedDescription)) — pass a writable cache folder")
        }
    }

    /// The text a request is cached under.
    public static func key(url: URL, body: JSONValue) -> String {
        url.absoluteString + "\n" + JSONWriter.compact(canonical(body))
    }

    /// `v` with every object's keys sorted (the last of a repeated key kept).
    public static func canonical(_ v: JSONValue) -> JSONValue {
        switch v {
        case let .array(items): return .array(items.map(canonical))
        case let .object(o): return .object(JSONObject(o.dictionary.mapValues(canonical)))
        default: return v
        }
    }

    func path(forKey key: String) -> String {
        let h1 = FNV1a.hash64(key), h2 = FNV1a.hash64(key.utf8, from: 0x8422_2325_cbf2_9ce4)
        return (directory as NSString).appendingPathComponent(FNV1a.hex(h1) + FNV1a.hex(h2) + ".json")
    }

    private struct Entry: Codable {
        var request: String
        var completion: ChatCompletion
    }

    /// The stored completion for this request, if any.
    public func get(url: URL, body: JSONValue) -> ChatCompletion? {
        let key = Self.key(url: url, body: body)
        guard let data = FileManager.default.contents(atPath: path(forKey: key)),
              let entry = try? JSONDecoder().decode(Entry.self, from: data), entry.request == key else { return nil }
        return entry.completion
    }

    /// Stores a completion; a failed write only costs a future request, so it is ignored.
    public func put(url: URL, body: JSONValue, completion: ChatCompletion) {
        let key = Self.key(url: url, body: body)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? enc.encode(Entry(request: key, completion: completion)) else { return }
        try? AtomicFile.write(data, to: path(forKey: key))
    }
}
