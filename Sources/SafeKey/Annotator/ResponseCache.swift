import Foundation

/// On-disk cache of API answers keyed by the request (endpoint + exact body bytes), so reruns are
/// free. One file per request, `<FNV-1a-64 of endpoint+body>.json`, holding the request itself so a
/// hash collision is detected (the entry is ignored), written atomically.
public struct ResponseCache: Sendable {
    public let directory: String

    public init(directory: String) throws {
        self.directory = directory
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw AnnotatorError.io(path: directory, reason: "cannot create the cache folder (\(error.localizedDescription)) — pass --cache-dir to a writable place")
        }
    }

    func path(_ key: String) -> String { (directory as NSString).appendingPathComponent(ScalarText.fingerprint(key) + ".json") }

    static func key(endpoint: URL, body: Data) -> String { endpoint.absoluteString + "\n" + String(decoding: body, as: UTF8.self) }

    /// The cached answer content for this request, if any.
    public func get(endpoint: URL, body: Data) -> String? {
        let key = Self.key(endpoint: endpoint, body: body)
        guard let data = FileManager.default.contents(atPath: path(key)),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: String],
              obj["request"] == key else { return nil }
        return obj["content"]
    }

    /// Stores an answer; a failure to write only costs a future request, so it is ignored.
    public func put(endpoint: URL, body: Data, content: String) {
        let key = Self.key(endpoint: endpoint, body: body)
        if let data = try? JSONSerialization.data(withJSONObject: ["request": key, "content": content], options: [.sortedKeys]) {
            try? data.write(to: URL(fileURLWithPath: path(key)), options: .atomic)
        }
    }
}
