import Foundation
import TestSupport
import XCTest
import SafeKey
import Tokenizers

/// `RecordEncoder` against the PyTorch/transformers encoding of Scripts/make_trainer_fixtures.py
/// (real DeepSeek-R1-Distill-Qwen tokenizer and chat template, thinking kept): field for field.
final class EncodeParityTests: XCTestCase {
    private func tokenizer() throws -> Tokenizer {
        guard FileManager.default.fileExists(atPath: TrainerFixture.sharedTokenizer + "/tokenizer.json") else {
            throw XCTSkip("needs ../shared/data/tokenizers/deepseek-r1-distill-qwen beside the checkout")
        }
        return try Tokenizer(path: TrainerFixture.sharedTokenizer)
    }

    func testEncodingMatchesTransformers() throws {
        let encoder = try RecordEncoder(tokenizer: tokenizer(), referenceSpans: true)
        let (records, report) = try RecordReader.read(path: TrainerFixture.directory.appendingPathComponent("records.jsonl").path)
        XCTAssertEqual(report.skipped.count, 0)
        let expected = try TrainerFixture.json("expected.json")["encoded"]?.arrayValue ?? []
        XCTAssertEqual(records.count, expected.count)
        var lateByOne = 0
        for (r, x) in zip(records, expected) {
            let e = try encoder.encode(r)
            let ints = { (k: String) in x[k]?.intArray ?? [] }
            XCTAssertEqual(e.inputIds, ints("input_ids"), "input_ids, line \(r.line)")
            XCTAssertEqual(e.labels, ints("labels"), "labels, line \(r.line)")
            XCTAssertEqual(e.keyMask, ints("key_mask"), "key_mask, line \(r.line)")
            XCTAssertEqual(e.queryMask, ints("query_mask"), "query_mask, line \(r.line)")
            XCTAssertEqual([e.promptLength, e.keyStart], ints("understanding_span"), "understanding_span, line \(r.line)")
            XCTAssertEqual(e.unsafe ? 1 : 0, x["unsafe"]?.intValue)
            let ref = ints("reference_key_span")
            XCTAssertEqual(e.referenceKeySpan.map { [$0.0, $0.1] }, ref, "reference span, line \(r.line)")
            if ref.first == e.keyStart + 1 { lateByOne += 1 }
        }
        // METHOD.md: the reference's arithmetic puts K one token late on R1 templates.
        XCTAssertEqual(lateByOne, records.count)
    }

    func testTruncationDropsAuxiliaryTermsButKeepsSFT() throws {
        let encoder = try RecordEncoder(tokenizer: tokenizer(), maxSequenceLength: 40)
        let (records, _) = try RecordReader.read(path: TrainerFixture.directory.appendingPathComponent("records.jsonl").path)
        let e = try encoder.encode(records[0])
        XCTAssertEqual(e.length, 40)
        XCTAssertFalse(e.auxiliary)
        XCTAssertEqual(e.keyMask, [Int](repeating: 0, count: 40))
        XCTAssertTrue(e.labels.contains { $0 != -100 })
    }
}
