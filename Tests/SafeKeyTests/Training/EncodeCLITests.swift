import Foundation
import XCTest

/// `safekey encode` on bad input: bad records are reported with their lines and counted; a file
/// with no usable record fails with a clear message and exit code 1.
final class EncodeCLITests: XCTestCase {
    private var executable: String { SafekeyCLI.executable }
    private func run(_ args: [String]) throws -> (Int32, String, String) { try SafekeyCLI.run(args) }

    func testBadRecordsAreReportedAndAFullyBadFileFails() throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else { throw XCTSkip("safekey executable not built at \(executable)") }
        guard FileManager.default.fileExists(atPath: TrainerFixture.sharedTokenizer + "/tokenizer.json") else {
            throw XCTSkip("needs ../shared/data/tokenizers/deepseek-r1-distill-qwen beside the checkout")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("safekey-encode-cli-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = try String(contentsOf: TrainerFixture.directory.appendingPathComponent("records.jsonl"), encoding: .utf8)
            .split(separator: "\n").first.map(String.init) ?? ""
        let bad = [
            #"{"response": "<think>\nx\n</think>\n\ny", "source": "a"}"#,                               // no question
            #"{"question": "q", "response": "no think block", "source": "a"}"#,                         // no think block
            #"{"question": "q", "response": "<think>\nabc\n</think>\n\ny", "source": "a", "summary_end_idx": 9, "next_sentence_end_idx": 5}"#,
        ]
        let mixed = dir.appendingPathComponent("mixed.jsonl")
        try ([good] + bad).joined(separator: "\n").write(to: mixed, atomically: true, encoding: .utf8)
        let (code, out, err) = try run(["encode", "--model", TrainerFixture.sharedTokenizer, "--data", mixed.path])
        XCTAssertEqual(code, 0, err)
        XCTAssertEqual(out.split(separator: "\n").count, 1, "one good record encoded")
        for line in 2...4 { XCTAssertTrue(err.contains(":\(line)"), "warning names line \(line): \(err)") }
        XCTAssertTrue(err.contains("3 skipped"), err)

        let allBad = dir.appendingPathComponent("bad.jsonl")
        try bad.joined(separator: "\n").write(to: allBad, atomically: true, encoding: .utf8)
        let (code2, out2, err2) = try run(["encode", "--model", TrainerFixture.sharedTokenizer, "--data", allBad.path])
        XCTAssertEqual(code2, 1)
        XCTAssertTrue(out2.isEmpty)
        XCTAssertTrue(err2.contains("error:"), err2)
    }
}
