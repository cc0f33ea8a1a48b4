import Foundation
import SafetyEval
import XCTest

/// Loaders of the general-ability sets: MATH-500, AIME 2024, HumanEval (gzip read natively) and
/// multiple choice in JSONL, JSON and CSV layouts.
final class ReasoningLoaderTests: XCTestCase {
    func testMath500() throws {
        let items = try BenchmarkLoader.load(try DataArgument(parsing: "math500=" + TestPaths.shared("reasoning/MATH_test.jsonl")))
        XCTAssertEqual(items.count, 500)
        XCTAssertEqual(items[0].id, "test/precalculus/807.json")
        XCTAssertEqual(items[0].fields["answer"], .string("\\left( 3, \\frac{\\pi}{2} \\right)"))
        XCTAssertEqual(items[0].categories, ["Precalculus"])
        XCTAssertEqual(items[0].fields["level"], .int(2))
        XCTAssertTrue(items[0].prompt.hasPrefix(items[0].instruction))
        XCTAssertTrue(items[0].prompt.hasSuffix("put your final answer within \\boxed{}."))
        XCTAssertEqual(Benchmark.math500.purpose, .ability)
        XCTAssertEqual(try Benchmark.named("MATH-500"), .math500)
    }

    func testAIME2024DropsLeadingZeros() throws {
        let items = try BenchmarkLoader.load(.aime2024, path: TestPaths.shared("reasoning/aime_2024.json"))
        XCTAssertEqual(items.count, 30)
        XCTAssertEqual(items[0].id, "60")
        XCTAssertEqual(items[0].fields["answer"], .string("204"))
        // "025" in the file (id 67) is the integer 25.
        XCTAssertEqual(items[7].fields["answer"], .string("25"))
        XCTAssertTrue(items[0].prompt.contains("\\boxed{X}"))
    }

    /// HumanEval through our gzip reader: 164 items, and the decompressed bytes equal Python's
    /// `gzip.open(...).read()` (214,438 bytes, FNV-1a 64 0x56e78b84dbc001d1, computed with Python).
    func testHumanEvalGzip() throws {
        let path = try TestPaths.shared("reasoning/HumanEval.jsonl.gz")
        let bytes = try GzipFile.read(path)
        XCTAssertEqual(bytes.count, 214_438)
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        XCTAssertEqual(h, 0x56e7_8b84_dbc0_01d1)
        let items = try BenchmarkLoader.load(.humaneval, path: path)
        XCTAssertEqual(items.count, 164)
        XCTAssertEqual(items[0].id, "HumanEval/0")
        XCTAssertEqual(items[163].id, "HumanEval/163")
        XCTAssertEqual(items[0].fields["entry_point"], .string("has_close_elements"))
        XCTAssertTrue(items[0].fields["test"]?.stringValue?.contains("def check(candidate)") ?? false)
        XCTAssertTrue(items[0].prompt.hasSuffix(items[0].instruction))
        XCTAssertTrue(items[0].instruction.hasPrefix("from typing import List"))
    }

    func testGzipErrors() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: TestPaths.shared("reasoning/HumanEval.jsonl.gz")))
        // Two members back to back decompress to both.
        XCTAssertEqual(try GzipFile.decompress(data + data).count, 2 * 214_438)
        XCTAssertThrowsError(try GzipFile.decompress(data.prefix(data.count / 2))) { e in
            XCTAssertTrue("\(e)".contains("ends early"), "\(e)")
        }
        var corrupt = data
        corrupt[data.count / 2] ^= 0xFF
        corrupt[data.count / 2 + 1] ^= 0x55
        XCTAssertThrowsError(try GzipFile.decompress(corrupt)) { e in XCTAssertTrue("\(e)".contains("corrupt") || "\(e)".contains("ends early"), "\(e)") }
        XCTAssertThrowsError(try GzipFile.decompress(Data("plain".utf8))) { e in XCTAssertTrue("\(e)".contains("not a gzip file"), "\(e)") }
    }

    func write(_ text: String, _ name: String) throws -> String {
        let p = try TestPaths.tempDir() + "/" + name
        try text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }

    func testChoiceLayouts() throws {
        let jsonl = try write("""
        {"question": "2+2?", "options": ["3", "4", "5", "6"], "answer": "B", "category": "math", "question_id": 7}
        {"question": "Capital of France?", "options": "['Paris', 'Rome']", "answer_index": 0}
        {"question": "Pick C", "choices": ["a", "b", "c"], "answer": 2}

        """, "c.jsonl")
        let a = try BenchmarkLoader.load(try DataArgument(parsing: "mmlu-pro=" + jsonl))
        XCTAssertEqual(a.map { $0.fields["answer"] }, [.string("B"), .string("A"), .string("C")])
        XCTAssertEqual(a[0].id, "7")
        XCTAssertEqual(a[0].categories, ["math"])
        XCTAssertEqual(a[1].fields["options"], .array([.string("Paris"), .string("Rome")]))
        XCTAssertTrue(a[0].prompt.contains("(B): 4") && a[0].prompt.contains("['A', 'B', 'C', 'D']"))
        let csv = try write("question,A,B,C,D,answer\nWhich?,w,x,y,z,(D)\n", "c.csv")
        XCTAssertEqual(try BenchmarkLoader.load(.choice, path: csv).first?.fields["answer"], .string("D"))
        let json = try write(#"[{"question": "Q", "options": ["p", "q"], "answer": "b"}]"#, "c.json")
        XCTAssertEqual(try BenchmarkLoader.load(.choice, path: json).first?.fields["answer"], .string("B"))
        // GPQA's own columns: the gold letter follows the correct answer wherever the shuffle put it.
        let gpqa = try write("Question,Correct Answer,Incorrect Answer 1,Incorrect Answer 2,Incorrect Answer 3,Subdomain\n"
                             + (0..<8).map { "Q\($0),right\($0),w1,w2,w3,Physics" }.joined(separator: "\n") + "\n", "gpqa.csv")
        let g = try BenchmarkLoader.load(.gpqaDiamond, path: gpqa)
        XCTAssertEqual(g.count, 8)
        for (k, item) in g.enumerated() {
            let opts = try XCTUnwrap(item.fields["options"]?.arrayValue).compactMap(\.stringValue)
            let letter = try XCTUnwrap(item.fields["answer"]?.stringValue)
            XCTAssertEqual(opts[ChoiceLetters.all.firstIndex(of: letter)!], "right\(k)")
        }
        XCTAssertGreaterThan(Set(g.compactMap { $0.fields["answer"]?.stringValue }).count, 1, "the correct answer is not always A")
        XCTAssertEqual(try BenchmarkLoader.load(.gpqaDiamond, path: gpqa), g, "the shuffle is seeded")
    }

    func testChoiceErrorsNameTheLine() throws {
        let bad = try write("{\"question\": \"Q\", \"options\": [\"a\", \"b\"], \"answer\": \"E\"}\n", "bad.jsonl")
        XCTAssertThrowsError(try BenchmarkLoader.load(.choice, path: bad)) { e in
            XCTAssertTrue("\(e)".contains("line 1.answer") && "\(e)".contains("A–B"), "\(e)")
        }
        let noq = try write("{\"options\": [\"a\", \"b\"], \"answer\": \"A\"}\n", "noq.jsonl")
        XCTAssertThrowsError(try BenchmarkLoader.load(.choice, path: noq)) { e in XCTAssertTrue("\(e)".contains("no question"), "\(e)") }
        let notJSONL = try write("question,answer\n", "x.jsonl")
        XCTAssertThrowsError(try BenchmarkLoader.load(.math500, path: notJSONL)) { e in XCTAssertTrue("\(e)".contains("JSON Lines"), "\(e)") }
    }

    /// A syntax error names the line and column (JSON Lines) or line, column and byte (a JSON array).
    func testSyntaxErrorsNameLineAndColumn() throws {
        let jsonl = try write("{\"problem\": \"1+1\", \"answer\": \"2\"}\n{\"problem\": \"2+2\" \"answer\": \"4\"}\n", "torn.jsonl")
        XCTAssertThrowsError(try BenchmarkLoader.load(.math500, path: jsonl)) { e in
            guard case let .badJSON(path, location, detail)? = e as? SafetyEvalError else { return XCTFail("\(e)") }
            XCTAssertEqual(path, jsonl)
            XCTAssertEqual(location, "line 2, column 19")
            XCTAssertTrue(detail.contains("expected ',' or '}'"), detail)
        }
        let array = try write("[\n  {\"problem\": \"1+1\", \"answer\": \"2\"},\n  {\"problem\": \"2+2\",, \"answer\": \"4\"}\n]", "torn.json")
        XCTAssertThrowsError(try BenchmarkLoader.load(.aime2024, path: array)) { e in
            guard case let .badJSON(_, location, _)? = e as? SafetyEvalError else { return XCTFail("\(e)") }
            XCTAssertEqual(location, "line 3, column 21 (byte 59)")
        }
    }
}
