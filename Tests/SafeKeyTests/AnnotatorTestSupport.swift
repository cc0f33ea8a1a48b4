import Foundation
import XCTest

/// Paths for the annotator and records tests: the repository root is three levels above this file
/// (Tests/SafeKeyTests/…); shared data sits beside the repository in ../shared/data.
enum AnnotatorPaths {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = root.appendingPathComponent("Tests/Fixtures/annotator")
    static let star1 = root.appendingPathComponent("../shared/data/star1/STAR-1.json").standardizedFileURL

    /// STAR-1's path, or XCTSkip when the shared data is not next to the checkout.
    static func star1OrSkip() throws -> String {
        guard FileManager.default.fileExists(atPath: star1.path) else {
            throw XCTSkip("STAR-1 not found at \(star1.path) (shared/data is not beside this checkout); skipping the real-data check")
        }
        return star1.path
    }

    static func fixtureJSON(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent(name))
        guard let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw NSError(domain: "fixture", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(name) is not a JSON object"])
        }
        return obj
    }

    /// A temporary file holding `text`; removed at the end of the test.
    static func tempFile(_ test: XCTestCase, _ text: String, ext: String = "jsonl") throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("safekey-ann-\(UUID().uuidString).\(ext)")
        try text.write(to: url, atomically: true, encoding: .utf8)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }
}
