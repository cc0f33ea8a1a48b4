import Foundation
import SafetyEval
import XCTest

/// The documentation states the judge rules, phrase lists and prompts; these tests fail when the
/// code changes and the page does not.
final class SafetyEvalDocTests: XCTestCase {
    private func doc() throws -> String {
        try String(contentsOfFile: TestPaths.repoRoot.appendingPathComponent("Sources/SafetyEval/SafetyEval.docc/Evaluation.md").path, encoding: .utf8)
    }

    func testPhraseListsAreDocumented() throws {
        let d = try doc()
        for p in RefusalPhrases.refusalSubjects + RefusalPhrases.refusalVerbs + RefusalPhrases.refusalStandalone + RefusalPhrases.complianceOpeners {
            XCTAssertTrue(d.contains("`\(p)`"), "phrase '\(p)' missing from Evaluation.md")
        }
        XCTAssertTrue(d.contains("Refusal phrases (\(RefusalPhrases.standard.refusal.count))"))
        XCTAssertTrue(d.contains("first \(RefusalPhrases.standard.window) normalised characters"))
    }

    func testPromptsAreDocumentedVerbatim() throws {
        let d = try doc()
        XCTAssertTrue(d.contains(RubricPrompts.harmfulness(instruction: "{instruction}", response: "{response}")))
        XCTAssertTrue(d.contains(RubricPrompts.xstest(question: "{instruction}", response: "{response}")))
        XCTAssertTrue(d.contains(LlamaGuardFormat.prompt(instruction: "{instruction}", response: "{response}")))
        XCTAssertTrue(d.contains("score ≥ 4") && d.contains("score = 5"))
    }
}
