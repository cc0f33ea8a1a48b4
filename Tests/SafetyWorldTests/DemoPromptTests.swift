import Foundation
import SafetyEval
import SafetyWorld
import TestSupport
import Tokenizers
import XCTest

/// The demo generates through SafetyEval (`GenerationRunner` + `DecoderGenerator`); the prompts it
/// sends must be the world's own generation prompts (`WorldTraining.promptIds`: the chat template
/// with the generation prompt, then the prefill as is) — for every row, including the prefill
/// ladder's rungs and the multi-turn (earlier-alias) jailbreaks whose history is replayed as recorded.
final class DemoPromptTests: XCTestCase {
    func testSafetyEvalPromptsAreTheWorldsPrompts() throws {
        let base = RepoPaths.path("Assets/world-base")
        guard FileManager.default.fileExists(atPath: base + "/tokenizer.json") else {
            throw XCTSkip("Assets/world-base has no tokenizer")
        }
        let tokenizer = try Tokenizer(path: base)
        let renderer = PromptRenderer(tokenizer: tokenizer)
        var multiTurn = 0, prefilled = 0
        for row in DemoRow.all {
            for var e in try SafetyWorld.examples(row.set, count: 12, seed: 2003) {
                if let style = row.prefill { e = try XCTUnwrap(e.prefilled(style)) }
                let item = e.benchmarkItem
                let messages = item.conversation ?? [ChatTurn(role: "user", content: item.prompt)]
                let request = GenerationRequest(messages: messages, prefill: item.prefill.map { PrefillSpec.whole($0) })
                let (prompt, prefill) = try renderer.render(request)
                XCTAssertEqual(try tokenizer.encode(prompt), try WorldTraining.promptIds(e, tokenizer: tokenizer), "\(row.id) \(e.id)")
                XCTAssertEqual(prefill, e.prefill)
                if item.conversation != nil { multiTurn += 1 }
                if prefill != nil { prefilled += 1 }
            }
        }
        XCTAssertGreaterThan(multiTurn, 0, "no multi-turn example was checked")
        XCTAssertEqual(prefilled, 12 * PrefillStyle.allCases.count)
    }
}
