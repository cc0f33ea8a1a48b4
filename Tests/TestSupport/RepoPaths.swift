import Foundation
import XCTest

/// Where the test targets find the checkout and the shared data: the repository root (three
/// levels above this file: Tests/TestSupport/RepoPaths.swift), its committed fixtures, and
/// `../shared/data` beside the checkout, read in place and never copied.
///
///     let p = try RepoPaths.shared("star1/STAR-1.json")   // or XCTSkip with the reason
public enum RepoPaths {
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static let sharedData: URL = root.appendingPathComponent("../shared/data").standardizedFileURL
    public static let fixtures: URL = root.appendingPathComponent("Tests/Fixtures")

    /// A path under the repository root.
    public static func path(_ rel: String) -> String { root.appendingPathComponent(rel).path }

    /// A committed fixture, `Tests/Fixtures/<rel>`.
    public static func fixture(_ rel: String) -> String { fixtures.appendingPathComponent(rel).path }

    /// The path of `../shared/data/<rel>` (which may be absent).
    public static func sharedPath(_ rel: String) -> String { sharedData.appendingPathComponent(rel).path }

    /// `../shared/data/<rel>`, or an `XCTSkip` saying what is absent and where it was looked for.
    public static func shared(_ rel: String) throws -> String {
        let p = sharedPath(rel)
        guard FileManager.default.fileExists(atPath: p) else { throw XCTSkip(skipMessage(p, rel: rel)) }
        return p
    }

    /// The one wording of "shared data absent" for tests that check several files themselves.
    public static func skipMessage(_ path: String, rel: String) -> String {
        "shared data file \(path) is absent (the tests read ../shared/data/\(rel) in place beside the checkout)"
    }
}

/// Fresh temporary folders, removed when the test ends (pass the test case) or left to the OS.
public enum TempDir {
    /// Creates `<tmp>/<prefix>-<uuid>`; with `testCase`, removes it in the test's teardown.
    public static func make(_ prefix: String = "safekey-test", removedAfter testCase: XCTestCase? = nil) throws -> String {
        let p = (NSTemporaryDirectory() as NSString).appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        testCase?.addTeardownBlock { try? FileManager.default.removeItem(atPath: p) }
        return p
    }
}
