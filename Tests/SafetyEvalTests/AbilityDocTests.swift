import Foundation
import SafetyEval
import XCTest

/// Ability.md states the prompts, the normaliser's unit words, the tolerances and the sandbox
/// defaults; these tests fail when the code changes and the page does not.
final class AbilityDocTests: XCTestCase {
    private func doc() throws -> String {
        try String(contentsOfFile: TestPaths.repoRoot.appendingPathComponent("Sources/SafetyEval/SafetyEval.docc/Ability.md").path, encoding: .utf8)
    }

    func testPromptsAreDocumentedVerbatim() throws {
        let d = try doc()
        XCTAssertTrue(d.contains(ReasoningPrompts.aime("{problem}")))
        XCTAssertTrue(d.contains(ReasoningPrompts.humanEval("{prompt}")))
        XCTAssertTrue(d.contains(ReasoningPrompts.choice(question: "{question}", options: (1...4).map { "{option \($0)}" })))
        XCTAssertTrue(d.contains(String(ReasoningPrompts.math("").dropFirst())))
    }

    func testRulesAreDocumented() throws {
        let d = try doc()
        for u in MathNormalizer.units { XCTAssertTrue(d.contains("`\(u)`"), "unit word '\(u)' missing from Ability.md") }
        XCTAssertTrue(d.contains("≤ 1e-9 · max(1, |a|, |b|)") && d.contains("tolerance 1e-7"))
        let settings = MathJudge().settings
        XCTAssertEqual(settings["tolerance"], .double(1e-9))
        XCTAssertEqual(settings["symbolic_tolerance"], .double(1e-7))
        XCTAssertTrue(d.contains("default 2048 MiB") && d.contains("default 3 s"))
        XCTAssertTrue(d.contains("### Unsupported") && !d.contains("UNSUPPORTED") && !d.contains("MEASURED"))
    }
}
