import Foundation
import TestSupport
import XCTest

/// Paths for the annotator and records tests (TestSupport's ``RepoPaths``).
enum AnnotatorPaths {
    static let root = RepoPaths.root
    static let fixtures = RepoPaths.fixtures.appendingPathComponent("annotator")
    static let star1 = URL(fileURLWithPath: RepoPaths.sharedPath("star1/STAR-1.json"))

    /// STAR-1's path, or XCTSkip when the shared data is not next to the checkout.
    static func star1OrSkip() throws -> String { try RepoPaths.shared("star1/STAR-1.json") }

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
