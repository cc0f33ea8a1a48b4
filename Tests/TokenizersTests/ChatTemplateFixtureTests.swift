import Foundation
import XCTest
import Tokenizers

/// Every chat template in ../shared/data/tokenizers rendered byte-identically to transformers'
/// `apply_chat_template` (fixtures by Scripts/make_tokenizer_fixtures.py): one turn, several turns,
/// system message, with/without generation prompt, `<think>` turns, tools — and the keep-thinking
/// mode against transformers rendering the R1 template with its `</think>` split removed.
final class ChatTemplateFixtureTests: XCTestCase {
    private func cases() throws -> [TemplateDict] {
        let text = try String(contentsOf: Fixtures.fixtures.appendingPathComponent("chat_templates.json"), encoding: .utf8)
        guard case let .dict(root) = try TemplateValue(jsonText: text), case let .array(items)? = root["cases"] else {
            XCTFail("chat_templates.json malformed"); return []
        }
        return items.compactMap { if case let .dict(d) = $0 { return d } else { return nil } }
    }

    private func string(_ d: TemplateDict, _ key: String) -> String? {
        if case let .string(s)? = d[key] { return s }
        return nil
    }

    func testEveryTemplateMatchesTransformers() throws {
        let all = try cases()
        XCTAssertGreaterThanOrEqual(all.count, 80)
        var checked = 0, keepChecked = 0
        var templates = Set<String>()
        for c in all {
            guard let id = string(c, "template"), let folder = string(c, "tokenizer"), let expected = string(c, "expected"),
                  let messages = c["messages"] else { return XCTFail("case without template/tokenizer/expected") }
            let tok = try Fixtures.tokenizer(folder)
            var source: String? = nil
            if id.hasSuffix(".jinja") {
                source = try String(contentsOf: Fixtures.sharedData.appendingPathComponent("tokenizers/\(id)"), encoding: .utf8)
            }
            var agp = false
            if case .bool(true)? = c["add_generation_prompt"] { agp = true }
            let tools = c["tools"] ?? .none
            let label = "\(id) / \(string(c, "conversation") ?? "?") / add_generation_prompt=\(agp)"
            let got = try tok.applyChatTemplate(messages: messages, addGenerationPrompt: agp, tools: tools, template: source)
            XCTAssertTrue(sameScalars(got, expected), "\(label):\n got      \(got.debugDescription)\n expected \(expected.debugDescription)")
            checked += 1
            templates.insert(id)
            if let keep = string(c, "expected_keep_thinking") {
                let gotKeep = try tok.applyChatTemplate(messages: messages, addGenerationPrompt: agp, keepThinking: true,
                                                        tools: tools, template: source)
                XCTAssertTrue(sameScalars(gotKeep, keep), "\(label) keep thinking:\n got      \(gotKeep.debugDescription)\n expected \(keep.debugDescription)")
                keepChecked += 1
            }
        }
        XCTAssertEqual(templates.count, 7, "every template in shared/data is covered")
        XCTAssertGreaterThan(keepChecked, 40)
        XCTAssertEqual(checked, all.count)
    }

    /// The ChatMessage convenience API equals the value-based one, and keep-thinking changes R1 output.
    func testChatMessageAPIAndKeepThinking() throws {
        let tok = try Fixtures.tokenizer("deepseek-r1-distill-qwen")
        let messages = [ChatMessage(role: "user", content: "Q"),
                        ChatMessage(role: "assistant", content: "<think>\nreason\n</think>\n\nA")]
        let plain = try tok.applyChatTemplate(messages, addGenerationPrompt: false)
        let kept = try tok.applyChatTemplate(messages, addGenerationPrompt: false, keepThinking: true)
        XCTAssertEqual(plain, "<｜begin▁of▁sentence｜><｜User｜>Q<｜Assistant｜>\n\nA<｜end▁of▁sentence｜>")
        XCTAssertEqual(kept, "<｜begin▁of▁sentence｜><｜User｜>Q<｜Assistant｜><think>\nreason\n</think>\n\nA<｜end▁of▁sentence｜>")
        let prompt = try tok.applyChatTemplate([messages[0]], addGenerationPrompt: true)
        XCTAssertEqual(try tok.encode(prompt), [151646, 151644, 48, 151645, 151648, 198])
    }
}
