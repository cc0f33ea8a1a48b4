import Foundation
import Support
import TestSupport
import XCTest

/// The committed fixture of `Scripts/make_analyze_fixtures.py` (Tests/Fixtures/analyze): two tiny
/// Qwen2 models, their tokenizer, 13 records and what PyTorch + transformers computed on them.
/// `folders(for:)` assembles loadable model folders (weights + the shared tokenizer) in a
/// temporary directory.
enum AnalyzeFixture {
    static let directory = RepoPaths.fixture("analyze")
    static var records: String { directory + "/records.jsonl" }

    static func expected() throws -> JSONValue { try FixtureJSON.load(directory + "/expected.json") }

    /// Temporary `model-a` and `model-b` folders, each with its weights and the tokenizer files.
    static func folders(for test: XCTestCase) throws -> (a: String, b: String) {
        let root = try TempDir.make("safekey-analyze", removedAfter: test)
        let fm = FileManager.default
        var out: [String] = []
        for name in ["model-a", "model-b"] {
            let dst = root + "/" + name
            try fm.createDirectory(atPath: dst, withIntermediateDirectories: true)
            for src in [directory + "/" + name, directory + "/tokenizer"] {
                for file in try fm.contentsOfDirectory(atPath: src) {
                    try fm.copyItem(atPath: src + "/" + file, toPath: dst + "/" + file)
                }
            }
            out.append(dst)
        }
        return (out[0], out[1])
    }

    /// `[[Double]]` or `[Double]` values of a JSON array (nulls as nil).
    static func doubles(_ v: JSONValue?) -> [Double?] {
        (v?.arrayValue ?? []).map(\.doubleValue)
    }
}

/// Asserts `|a − b| ≤ tol` with a message naming what and where.
func assertNear(_ a: Double, _ b: Double, _ tol: Double, _ what: @autoclosure () -> String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertLessThanOrEqual(abs(a - b), tol, "\(what()): Swift \(a), PyTorch \(b), |diff| \(abs(a - b)) > \(tol)", file: file, line: line)
}
