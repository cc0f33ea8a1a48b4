import Foundation
import XCTest

/// Paths computed from this file: repo root = three levels up; shared data beside the repo.
enum TestPaths {
    static let repoRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let sharedData = repoRoot.appendingPathComponent("../shared/data").standardizedFileURL
    static let fixtures = repoRoot.appendingPathComponent("Tests/Fixtures/eval")

    /// A file under ../shared/data, or XCTSkip when the shared data is absent.
    static func shared(_ rel: String) throws -> String {
        let p = sharedData.appendingPathComponent(rel).path
        guard FileManager.default.fileExists(atPath: p) else {
            throw XCTSkip("shared data file \(p) is absent (the tests read ../shared/data/\(rel) in place)")
        }
        return p
    }

    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    /// The reference fixture written by Scripts/eval_make_fixtures.py.
    static func reference() throws -> [String: Any] {
        let d = try Data(contentsOf: URL(fileURLWithPath: fixture("reference.json")))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: d) as? [String: Any])
    }

    /// A fresh temporary folder.
    static func tempDir() throws -> String {
        let p = NSTemporaryDirectory() + "safetyeval-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }
}
