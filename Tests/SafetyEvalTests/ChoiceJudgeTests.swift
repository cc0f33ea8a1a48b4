import Foundation
import SafetyEval
import XCTest

/// The choice judge's letter extraction on the phrasings models use.
final class ChoiceJudgeTests: XCTestCase {
    func testExtraction() {
        let cases: [(String, String?)] = [
            ("The answer is (C).", "C"), ("ANSWER: B", "B"), ("Answer: D", "D"), ("**Answer:** **D**", "D"), ("so the answer is $\\boxed{C}$", "C"),
            ("\\boxed{\\text{(A)}}", "A"), ("\\boxed{C) 42}", "C"), ("I pick **B**", "B"), ("Therefore:\n(E)\n", "E"), ("Final:\nC.", "C"),
            ("the answer is a prime number", nil), ("no letter here", nil), ("Answer: A ... wait, ANSWER: B", "B"),
            ("The correct answer is J", "J"), ("answer: **(G)**", "G"), ("\\boxed{42}\nANSWER: F", "F"),
        ]
        for (text, expected) in cases { XCTAssertEqual(ChoiceJudge.extract(text), expected, text) }
        // A letter beyond the item's options is not an answer.
        XCTAssertNil(ChoiceJudge.extract("ANSWER: E", optionCount: 4))
    }

    func testLabels() throws {
        var f = GenerationFile(metaInfo: ["data": .string("gpqa-diamond")], data: [
            GenerationRecord(instruction: "q", prompt: "p", response: ["<think>B?</think> ANSWER: C", "</think> ANSWER: B"],
                             fields: ["answer": .string("C"), "options": .array([.string("1"), .string("2"), .string("3"), .string("4")])]),
            GenerationRecord(instruction: "q2", prompt: "p", response: ["</think> ANSWER: A"], fields: [:]),
        ])
        f = try JudgeRunner.apply(ChoiceJudge(), to: f, part: .answer)
        XCTAssertEqual(f.data[0].fields["answer_choice_label"], .array([.int(1), .int(0)]))
        XCTAssertEqual(f.data[1].fields["answer_choice_label"], .array([.null]))
        let r = Rates.compute(f, benchmark: .gpqaDiamond)
        XCTAssertEqual(r.first?.metric, "accuracy")
        XCTAssertEqual(r.first?.overall.k, 1)
        XCTAssertEqual(r.first?.overall.n, 2)
        XCTAssertEqual(r.first?.failures, 1)
    }
}
