import Foundation
import XCTest
import SafeKey
import TestSupport

final class RecordsTests: XCTestCase {
    /// Normalisation equals the reference trainer's, checked against CPython on tricky inputs.
    func testNormalizationMatchesPythonFixture() throws {
        let fx = try AnnotatorPaths.fixtureJSON("segmentation_reference.json")
        let cases = try XCTUnwrap(fx["normalize"]?.arrayValue)
        XCTAssertGreaterThanOrEqual(cases.count, 10)
        for c in cases {
            let raw = try XCTUnwrap(c["raw"]?.stringValue)
            switch NormalizedResponse.normalize(raw) {
            case .success(let n):
                let want = try XCTUnwrap(c["normalized"]?.stringValue, "Python found no think block in \(raw.debugDescription)")
                XCTAssertEqual(Array(n.string.unicodeScalars), Array(want.unicodeScalars), "raw: \(raw.debugDescription)")
                XCTAssertEqual(n.text.count, c["length"]?.intValue, "len() must count code points: \(raw.debugDescription)")
                XCTAssertEqual(n.text.string(0..<8), "<think>\n")
                XCTAssertEqual(n.text.string(n.thinkingRange.upperBound..<n.answerRange.lowerBound), "\n</think>\n\n")
            case .failure:
                XCTAssertTrue(c["normalized"]?.isNull ?? false, "Python normalised \(raw.debugDescription) but Swift did not")
            }
        }
    }

    /// Offsets are code-point indices: emoji with modifiers, flags and combining marks count as
    /// Python counts them, not as Swift Characters or UTF-16 units.
    func testOffsetsCountUnicodeScalars() throws {
        let response = "<think>\n👍🏽 e\u{301} 🇯🇵. Next one.\n</think>\n\nok"
        // Python: a[:8+9] = "<think>\n👍🏽 é 🇯🇵." (👍🏽 = 2, e+◌́ = 2, 🇯🇵 = 2, 2 spaces, ".")
        let json = #"{"question": "q", "response": \#(jsonString(response)), "source": "x", "summary_end_idx": 17, "next_sentence_end_idx": 27}"#
        let path = try AnnotatorPaths.tempFile(self, json + "\n")
        let (records, report) = try RecordReader.read(path: path, options: .init(requireOffsets: true))
        XCTAssertEqual(report.kept, 1)
        let r = try XCTUnwrap(records.first)
        XCTAssertEqual(r.understanding, "<think>\n👍🏽 e\u{301} 🇯🇵.")
        XCTAssertEqual(r.keySentence, " Next one.")
        XCTAssertEqual(r.response.text.count, 40)
        XCTAssertNotEqual(r.response.string.count, r.response.text.count, "test needs text where Characters ≠ scalars")
        XCTAssertNotEqual(r.response.string.utf16.count, r.response.text.count, "test needs text where UTF-16 ≠ scalars")
    }

    func testLabelsCategoriesAndIds() throws {
        let lines = [
            #"{"id": "7", "question": "q", "response": "<think>a.</think>b", "source": "SaladBench", "category": "['Illicit / Criminal Behavior', \"Privacy / Personal Data\"]"}"#,
            #"{"id": 8, "question": "q", "response": "<think>a.</think>b", "source": "4o_rewrite", "category": ["Self-Harm"]}"#,
            #"{"question": "q", "response": "<think>a.</think>b", "source": "4o_rewrite", "unsafe": 1}"#,
            #"{"question": "q", "response": "<think>a.</think>b", "unsafe": false}"#,
        ]
        let (records, report) = try RecordReader.read(path: try AnnotatorPaths.tempFile(self, lines.joined(separator: "\n")))
        XCTAssertEqual(report.kept, 4)
        XCTAssertEqual(records.map(\.unsafe), [true, false, true, false])
        XCTAssertEqual(records[0].category, ["Illicit / Criminal Behavior", "Privacy / Personal Data"])
        XCTAssertEqual(records[1].category, ["Self-Harm"])
        XCTAssertEqual(records.map(\.id), ["7", "8", nil, nil])
        XCTAssertEqual(records.map(\.line), [1, 2, 3, 4])
    }

    /// Every kind of bad record is skipped with its line named and counted; strict stops on the first.
    func testBadRecordsAreReportedByLineAndCounted() throws {
        let good = #"{"question": "q", "response": "<think>\nU. K.\n</think>\n\nA", "source": "s", "summary_end_idx": 10, "next_sentence_end_idx": 13}"#
        let lines = [
            good,                                                                   // 1 ok
            "{not json",                                                            // 2 invalid JSON
            "",                                                                     // 3 blank: ignored
            "[1, 2]",                                                               // 4 not an object
            #"{"response": "<think>a</think>b", "source": "s"}"#,                   // 5 missing question
            #"{"question": "q", "response": "no block", "source": "s"}"#,           // 6 no think block
            #"{"question": "q", "response": "<think>a</think>b", "source": "s"}"#,  // 7 missing offsets (required)
            #"{"question": "q", "response": "<think>a.</think>b", "source": "s", "summary_end_idx": 12, "next_sentence_end_idx": 10}"#,  // 8 order
            #"{"question": "q", "response": "<think>a.</think>b", "source": "s", "summary_end_idx": 5, "next_sentence_end_idx": 99}"#,   // 9 range
            #"{"question": "q", "response": "<think>a.</think>b", "source": "s", "summary_end_idx": 5}"#,  // 10 only one
            #"{"question": "q", "response": "<think>a.</think>b", "source": "s", "summary_end_idx": 5.5, "next_sentence_end_idx": 9}"#,  // 11 not int
        ]
        let path = try AnnotatorPaths.tempFile(self, lines.joined(separator: "\n"))
        var warned: [RecordIssue] = []
        let (records, report) = try RecordReader.read(path: path, options: .init(requireOffsets: true)) { warned.append($0) }
        XCTAssertEqual(records.count, 1)
        XCTAssertEqual(report.total, 10)
        XCTAssertEqual(warned.map(\.line), [2, 4, 5, 6, 7, 8, 9, 10, 11])
        XCTAssertEqual(warned.map(\.kind), [.invalidJSON, .notAnObject, .missingField, .noThinkBlock, .missingOffsets,
                                            .badOffsets, .badOffsets, .missingOffsets, .badOffsets])
        XCTAssertTrue(report.summary.hasPrefix("10 records: 1 kept, 9 skipped"), report.summary)
        XCTAssertTrue(warned[0].description.contains("\(path):2:"), warned[0].description)

        XCTAssertThrowsError(try RecordReader.read(path: path, options: .init(requireOffsets: true, strict: true))) { e in
            guard case RecordError.badRecord(let issue)? = e as? RecordError else { return XCTFail("\(e)") }
            XCTAssertEqual(issue.line, 2)
        }
        let allBad = try AnnotatorPaths.tempFile(self, lines.dropFirst().joined(separator: "\n"))
        XCTAssertThrowsError(try RecordReader.read(path: allBad, options: .init(requireOffsets: true))) { e in
            guard case RecordError.noUsableRecords(_, let total, _)? = e as? RecordError else { return XCTFail("\(e)") }
            XCTAssertEqual(total, 9)
        }
    }

    /// JSON arrays report the line each element starts on.
    func testJSONArrayLineNumbers() throws {
        let text = "[\n  {\"question\": \"q\", \"response\": \"<think>a</think>b\", \"source\": \"s\"},\n  {\"question\": \"brace { and \\\" quote\",\n   \"response\": \"none\", \"source\": \"s\"},\n\n  {\"question\": 3, \"response\": \"<think>a</think>\", \"source\": \"s\"}\n]"
        var warned: [RecordIssue] = []
        let (records, report) = try RecordReader.read(path: try AnnotatorPaths.tempFile(self, text, ext: "json")) { warned.append($0) }
        XCTAssertEqual(records.map(\.line), [2])
        XCTAssertEqual(warned.map(\.line), [3, 6])
        XCTAssertEqual(warned.map(\.index), [1, 2])
        XCTAssertEqual(report.total, 3)
        XCTAssertThrowsError(try RecordReader.read(path: try AnnotatorPaths.tempFile(self, "[{\"a\": 1}", ext: "json"))) { e in
            guard case RecordError.notJSON? = e as? RecordError else { return XCTFail("\(e)") }
        }
        // A syntax error deep in an array file is located by line and column.
        XCTAssertThrowsError(try RecordReader.read(path: try AnnotatorPaths.tempFile(self, "[\n  {\"a\": 1},\n  {\"b\" 2}\n]", ext: "json"))) { e in
            XCTAssertTrue("\(e)".contains("line 3, column 8"), "\(e)")
        }
        XCTAssertThrowsError(try RecordReader.read(path: "/nonexistent/records.json")) { e in
            XCTAssertTrue("\(e)".contains("/nonexistent/records.json"), "\(e)")
        }
    }

    /// All of STAR-1 reads, and each normalised response matches Python's (length and FNV hash).
    func testStar1NormalizationMatchesPython() throws {
        let path = try AnnotatorPaths.star1OrSkip()
        let fx = try AnnotatorPaths.fixtureJSON("segmentation_reference.json")
        let rows = try XCTUnwrap(fx["star1"]?.arrayValue)
        let (records, report) = try RecordReader.read(path: path)
        XCTAssertEqual(report.kept, 1000)
        XCTAssertEqual(records.count, rows.count)
        for (r, row) in zip(records, rows) {
            XCTAssertEqual(ScalarText.fingerprint(r.question), row["question_fp"]?.stringValue, "record \(r.index)")
            XCTAssertEqual(r.response.text.count, row["length"]?.intValue, "record \(r.index)")
            XCTAssertEqual(ScalarText.fingerprint(r.response.string), row["normalized_fp"]?.stringValue, "record \(r.index)")
            XCTAssertEqual(r.response.thinkingRange.upperBound, row["thinking"]?.intArray?.last, "record \(r.index)")
            XCTAssertTrue(r.unsafe)
            XCTAssertFalse(r.category.isEmpty, "record \(r.index): STAR-1 category is a Python-repr list")
        }
    }

    private func jsonString(_ s: String) -> String {
        JSONWriter.quoted(s)
    }
}
