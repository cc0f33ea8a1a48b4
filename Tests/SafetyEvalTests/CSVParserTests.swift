import Foundation
import SafetyEval
import TestSupport
import XCTest

final class CSVParserTests: XCTestCase {
    /// Tricky inputs against the records Python's csv module reads (Scripts/eval_make_fixtures.py).
    func testCasesMatchPythonCSV() throws {
        let cases = try XCTUnwrap(TestPaths.reference()["csv_cases"]?.objectValue?.dictionary)
        XCTAssertGreaterThanOrEqual(cases.count, 10)
        for (name, c) in cases.sorted(by: { $0.key < $1.key }) {
            let input = try XCTUnwrap(c["input"]?.stringValue)
            let expected = try XCTUnwrap(c["records"]?.arrayValue).map { try XCTUnwrap($0.stringArray) }
            let got = try CSVParser.parse(Array(input.utf8), path: name).map(\.fields)
            XCTAssertEqual(got, expected, "case \(name)")
        }
    }

    /// Every real CSV: record count, header, FNV-1a hash over all fields, first and last rows.
    func testRealFilesMatchPythonCSV() throws {
        let files = try XCTUnwrap(TestPaths.reference()["csv_files"]?.objectValue?.dictionary)
        XCTAssertEqual(files.count, 8)
        for (rel, ref) in files.sorted(by: { $0.key < $1.key }) {
            let t = try CSVTable(contentsOf: TestPaths.shared(rel))
            XCTAssertEqual(t.records.count, ref["records"]?.intValue, rel)
            XCTAssertEqual(t.header, ref["header"]?.stringArray, rel)
            XCTAssertEqual(t.records.first?.fields, ref["first"]?.stringArray, rel)
            XCTAssertEqual(t.records.last?.fields, ref["last"]?.stringArray, rel)
            let rows = [t.header] + t.records.map(\.fields)
            let blob = Array(rows.map { $0.joined(separator: "\u{1F}") }.joined(separator: "\u{1E}").utf8)
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in blob { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
            XCTAssertEqual(String(format: "%016llx", h), ref["hash"]?.stringValue, rel)
        }
    }

    func testRecordLinesCountEmbeddedNewlines() throws {
        let r = try CSVParser.parse(Array("a,b\n\"x\ny\nz\",1\r\nq,2\n".utf8), path: "t.csv")
        XCTAssertEqual(r.map(\.line), [1, 2, 5])
        XCTAssertEqual(r[1].fields, ["x\ny\nz", "1"])
    }

    func testUnterminatedQuoteNamesOpeningLineAndColumn() {
        XCTAssertThrowsError(try CSVParser.parse(Array("a,b\n1,\"open\n2,3\n".utf8), path: "bad.csv")) { e in
            XCTAssertEqual(e as? SafetyEvalError, .csvSyntax(path: "bad.csv", line: 2, column: 3, detail: "quoted field opened here is never closed (a missing closing '\"')"))
            XCTAssertTrue("\(e)".hasPrefix("bad.csv:2:3:"), "\(e)")
        }
    }

    func testGarbageAfterClosingQuote() {
        XCTAssertThrowsError(try CSVParser.parse(Array("a,b\n\"x\"y,1\n".utf8), path: "g.csv")) { e in
            guard case let .csvSyntax(_, line, column, _)? = e as? SafetyEvalError else { return XCTFail("\(e)") }
            XCTAssertEqual(line, 2)
            XCTAssertEqual(column, 4)
        }
    }

    func testInvalidUTF8IsAnError() {
        XCTAssertThrowsError(try CSVParser.parse([0x61, 0x0A, 0xFF, 0xFE, 0x0A], path: "u.csv")) { e in
            guard case let .csvSyntax(_, line, _, detail)? = e as? SafetyEvalError else { return XCTFail("\(e)") }
            XCTAssertEqual(line, 2)
            XCTAssertTrue(detail.contains("UTF-8"))
        }
    }

    func testRowWidthMismatchAndEmptyFile() {
        XCTAssertThrowsError(try CSVTable(bytes: Array("a,b\n1,2,3\n".utf8), path: "w.csv")) { e in
            guard case let .csvSyntax(_, line, _, detail)? = e as? SafetyEvalError else { return XCTFail("\(e)") }
            XCTAssertEqual(line, 2)
            XCTAssertTrue(detail.contains("3 fields"))
        }
        XCTAssertThrowsError(try CSVTable(bytes: [], path: "e.csv")) { e in
            XCTAssertEqual(e as? SafetyEvalError, .emptyFile(path: "e.csv", detail: "no header line"))
        }
        XCTAssertThrowsError(try CSVTable(bytes: Array("\u{FEFF}\n\n".utf8), path: "b.csv"))
    }

    func testTSVByExtension() throws {
        let dir = try TestPaths.tempDir()
        let p = dir + "/x.tsv"
        try "adversarial\tdata_type\nhello, world\tadversarial_harmful\n".write(toFile: p, atomically: true, encoding: .utf8)
        let t = try CSVTable(contentsOf: p)
        XCTAssertEqual(t.records[0].fields, ["hello, world", "adversarial_harmful"])
    }
}
