import Foundation
import Support
import TestSupport
import XCTest

/// SafetyEval's fixtures and shared data, through TestSupport's ``RepoPaths``.
enum TestPaths {
    static let repoRoot = RepoPaths.root
    static let sharedData = RepoPaths.sharedData
    static let fixtures = RepoPaths.fixtures.appendingPathComponent("eval")

    /// A file under ../shared/data, or XCTSkip when the shared data is absent.
    static func shared(_ rel: String) throws -> String { try RepoPaths.shared(rel) }

    static func fixture(_ name: String) -> String { RepoPaths.fixture("eval/" + name) }

    /// The reference fixture written by Scripts/eval_make_fixtures.py.
    static func reference() throws -> JSONValue { try FixtureJSON.load(fixture("reference.json")) }

    /// A fresh temporary folder.
    static func tempDir() throws -> String { try TempDir.make("safetyeval") }
}
