import Foundation
import SafetyEval
import XCTest

/// The math judge on MATH-500 itself (../shared/data/reasoning/MATH_test.jsonl): every reference
/// solution must be judged correct against its own gold answer, and (almost) every solution wrong
/// against the gold answers of the other problems.
final class MathDatasetTests: XCTestCase {
    func load() throws -> [BenchmarkItem] {
        let items = try BenchmarkLoader.load(.math500, path: TestPaths.shared("reasoning/MATH_test.jsonl"))
        XCTAssertEqual(items.count, 500)
        return items
    }

    /// The worked solutions, read straight from the file (the loader does not keep them).
    func solutions() throws -> [String] {
        let text = try String(contentsOfFile: TestPaths.shared("reasoning/MATH_test.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            try XCTUnwrap(try JSONParser.parse(String(line), path: "MATH_test.jsonl")["solution"]?.stringValue)
        }
    }

    func testEveryReferenceSolutionMatchesItsGold() throws {
        let items = try load(), sols = try solutions()
        let inputs = zip(items, sols).map { JudgeInput(instruction: $0.instruction, response: $1, thinkClosed: false, fields: $0.fields) }
        let t0 = Date()
        let verdicts = try MathJudge().judge(inputs, benchmark: .math500)
        let seconds = Date().timeIntervalSince(t0)
        var wrong: [String] = []
        for (k, v) in verdicts.enumerated() {
            guard case let .scored(ok, detail) = v else { wrong.append("\(items[k].id): \(v)"); continue }
            if !ok { wrong.append("\(items[k].id): gold \(items[k].fields["answer"]!) extracted \(detail["extracted"] ?? .null)") }
        }
        XCTAssertEqual(wrong, [], "\(wrong.count) of 500 reference solutions judged wrong")
        print(String(format: "MathDatasetTests: 500 MATH-500 judgements (extract + normalise + compare) in %.3f s; %d/500 correct", seconds, 500 - wrong.count))
    }

    func testOtherProblemsSolutionsAreJudgedWrong() throws {
        let items = try load(), sols = try solutions()
        let golds = items.map { ParsedMathAnswer($0.fields["answer"]!.stringValue!) }
        let answers = sols.map { MathAnswerExtractor.extract($0).map(ParsedMathAnswer.init) }
        let raw = items.map { $0.fields["answer"]!.stringValue!.filter { !$0.isWhitespace } }
        var pairs = 0, accepted = 0
        var examples: [String] = []
        let t0 = Date()
        for i in 0..<500 {
            guard let a = answers[i] else { continue }
            for j in 0..<500 where j != i && raw[i] != raw[j] {
                pairs += 1
                if a.matches(golds[j]) {
                    accepted += 1
                    if examples.count < 10 { examples.append("solution of \(items[i].id) (\(a.normalized)) accepted for gold \(raw[j])") }
                }
            }
        }
        let rate = Double(accepted) / Double(pairs)
        print(String(format: "MathDatasetTests: %d cross pairs (gold strings differ) in %.2f s, %d judged correct (%.3f%%)", pairs, Date().timeIntervalSince(t0), accepted, rate * 100))
        for e in examples { print("  " + e) }
        XCTAssertLessThanOrEqual(rate, 0.01, "more than 1% of other-problem solutions accepted")
    }
}
