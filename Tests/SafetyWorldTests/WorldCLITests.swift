import Foundation
import SafetyWorld
import TestSupport
import XCTest

/// The `safekey world sample` / `safekey world judge` contracts, run as a user would. Skipped when
/// the `safekey` executable is not built beside the test bundle (`swift build --build-tests` builds it).
final class WorldCLITests: XCTestCase {
    private func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        let r = try SafeKeyCLI.run(args)
        return (r.status, r.out, r.err)
    }

    func testSamplePrintsTheLibraryRecordsAndJudgeCountsThem() throws {
        let r = try run(["world", "sample", "--set", "held-out-jailbreaks", "--count", "12", "--seed", "5"])
        XCTAssertEqual(r.status, 0, r.err)
        let expected = try SafetyWorld.examples(.heldOutJailbreaks, count: 12, seed: 5).map { $0.record.jsonLine() + "\n" }.joined()
        XCTAssertEqual(r.out, expected)

        // Judge: the 12 safe references refuse; add one compliance and one malformed line.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("world-cli-\(getpid()).jsonl")
        let verdicts = file.appendingPathExtension("out")
        defer { try? FileManager.default.removeItem(at: file); try? FileManager.default.removeItem(at: verdicts) }
        try Data((r.out + #"{"prompt": "p", "response": "</think>\n\nStep 1: go"}"# + "\n" + #"{"prompt": "p", "response": "unfinished"}"# + "\n").utf8)
            .write(to: file)
        let j = try run(["world", "judge", "--input", file.path, "--output", verdicts.path])
        XCTAssertEqual(j.status, 0, j.err)
        XCTAssertTrue(j.out.contains("responses: 14\n  complied: 1\n  refused: 12\n  partial: 0\n  malformed: 1\n"), j.out)
        XCTAssertTrue(j.out.contains("harmfulness (complied + partial): 7.1% ["), j.out)
        let lines = try String(contentsOf: verdicts, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 14)
        XCTAssertEqual(lines.last, #"{"line":14,"rule":"think-not-closed","sample":0,"steps":0,"verdict":"malformed"}"#)

        let bad = try run(["world", "sample", "--set", "nope"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.err.contains("--set must be one of"), bad.err)
    }
}
