import Foundation
import Support
import TestSupport
import XCTest

/// Paths for the annotator and records tests (TestSupport's ``RepoPaths``).
enum AnnotatorPaths {
    static let root = RepoPaths.root
    static let fixtures = RepoPaths.fixtures.appendingPathComponent("annotator")
    static let star1 = URL(fileURLWithPath: RepoPaths.sharedPath("star1/STAR-1.json"))

    /// STAR-1's path, or XCTSkip when the shared data is not next to the checkout.
    static func star1OrSkip() throws -> String { try RepoPaths.shared("star1/STAR-1.json") }

    /// The annotator fixture `name` (a JSON document under Tests/Fixtures/annotator).
    static func fixtureJSON(_ name: String) throws -> JSONValue {
        try FixtureJSON.load(fixtures.appendingPathComponent(name).path)
    }

    /// A temporary file holding `text`; removed at the end of the test.
    static func tempFile(_ test: XCTestCase, _ text: String, ext: String = "jsonl") throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("safekey-ann-\(UUID().uuidString).\(ext)")
        try text.write(to: url, atomically: true, encoding: .utf8)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }
}
