import Foundation
import XCTest
import Tokenizers

/// Issue 20, item 2: chat templates come with downloaded models, so a hostile one must end in a
/// clear `templateLimit` error naming its line — never a stack overflow, a hang or a
/// terabyte allocation. Each case here crashed, hung or exhausted memory before the sandbox.
final class TemplateSandboxTests: XCTestCase {
    private let messages: TemplateValue = .array([["role": "user", "content": "hi"]])

    /// Renders `source`; returns the error (nil when it rendered).
    private func outcome(_ source: String, limits: TemplateLimits = .standard) -> Error? {
        do {
            let t = try ChatTemplate(source: source, limits: limits)
            _ = try t.render(context: ["messages": messages])
            return nil
        } catch { return error }
    }

    private func assertLimit(_ source: String, line: Int = 1, mentions: String, limits: TemplateLimits = .standard,
                             file: StaticString = #filePath, lineNo: UInt = #line) {
        let start = Date()
        let e = outcome(source, limits: limits)
        guard case let .templateLimit(message, l, _)? = e as? TokenizerError else {
            return XCTFail("expected a templateLimit error, got \(String(describing: e))", file: file, line: lineNo)
        }
        XCTAssertEqual(l, line, message, file: file, line: lineNo)
        XCTAssertTrue(message.contains(mentions), message, file: file, line: lineNo)
        XCTAssertTrue("\(e!)".contains("chat template line \(line)"), "\(e!)", file: file, line: lineNo)
        XCTAssertLessThan(Date().timeIntervalSince(start), 10, "took too long", file: file, line: lineNo)
    }

    func testDeepNestingIsBoundedInTheParser() {
        let n = 100_000
        assertLimit(String(repeating: "{% if true %}", count: n) + "x" + String(repeating: "{% endif %}", count: n),
                    mentions: "maxNestingDepth")
        assertLimit("{{ " + String(repeating: "(", count: n) + "1" + String(repeating: ")", count: n) + " }}", mentions: "maxNestingDepth")
        assertLimit("{{ " + String(repeating: "not ", count: n) + "true }}", mentions: "maxNestingDepth")
        assertLimit("{{ " + String(repeating: "[", count: n) + String(repeating: "]", count: n) + " }}", mentions: "maxNestingDepth")
        assertLimit("{{ " + String(repeating: "-", count: n) + "1 }}", mentions: "maxNestingDepth")
        assertLimit("{{ 1" + String(repeating: " + 1", count: n) + " }}", mentions: "maxNestingDepth")
        assertLimit("{{ x" + String(repeating: ".a", count: n) + " }}", mentions: "maxNestingDepth")
        assertLimit("{{ x" + String(repeating: "|lower", count: n) + " }}", mentions: "maxNestingDepth")
    }

    func testHugeValuesAreRefusedBeforeAllocation() {
        assertLimit(#"{{ "x" * 10**12 }}"#, mentions: "maxStringBytes")
        assertLimit(#"{{ [1, 2] * 10**12 }}"#, mentions: "maxListItems")
        assertLimit("\n" + #"{% set s = "ab" %}"# + String(repeating: "{% set s = s ~ s %}", count: 40) + "{{ s }}", line: 2, mentions: "maxStringBytes")
        assertLimit(#"{% set ns = namespace(l=[1]) %}{% for i in range(100) %}{% set ns.l = ns.l + ns.l %}{% endfor %}"#, mentions: "maxListItems")
        assertLimit(#"{% set ns = namespace(s="ab") %}{% for i in range(100) %}{% set ns.s = ns.s + ns.s %}{% endfor %}"#, mentions: "maxStringBytes")
        assertLimit(#"{{ ("x" * 1000000).replace("", "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy") }}"#, mentions: "replace")
        assertLimit(#"{{ ("x" * 30000000).join(range(100)) }}"#, mentions: "join")
        assertLimit(#"{{ "a\nb" | indent(width=10**12) }}"#, mentions: "indentation")
        assertLimit(#"{{ messages | tojson(indent=10**12) }}"#, mentions: "indentation")
    }

    func testLoopsAreBounded() {
        assertLimit("{% for i in range(1000000) %}{% for j in range(1000000) %}{% endfor %}{% endfor %}", mentions: "maxLoopIterations")
        // Inside a loop, `set` does not leak (Jinja scoping), so this does not double: it renders.
        XCTAssertNil(outcome(#"{% set s = "ab" %}{% for i in range(100) %}{% set s = s ~ s %}{% endfor %}{{ s }}"#))
        var small = TemplateLimits()
        small.maxLoopIterations = 10
        assertLimit("{% for i in range(11) %}{% endfor %}", mentions: "maxLoopIterations", limits: small)
        XCTAssertNil(outcome("{% for i in range(10) %}{% endfor %}", limits: small))
    }

    func testOutputSizeIsBounded() {
        var small = TemplateLimits()
        small.maxOutputBytes = 1000
        assertLimit("\n\n{% for i in range(1000) %}{{ 'abc' }}{% endfor %}", line: 3, mentions: "maxOutputBytes", limits: small)
    }

    func testRecursionIsBounded() {
        assertLimit("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", mentions: "maxCallDepth")
        assertLimit(#"{% set ns = namespace(x=1) %}{% for i in range(100000) %}{% set ns.x = [ns.x] %}{% endfor %}{{ ns.x }}"#, mentions: "maxJSONDepth")
        // A namespace holding itself: tojson would recurse forever.
        assertLimit(#"{% set ns = namespace(a=1) %}{% set ns.me = ns %}{{ ns | tojson }}"#, mentions: "maxJSONDepth")
    }

    func testNegativeIndentIsPythonsNoIndent() throws {
        let t = try ChatTemplate(source: #"{{ "a\nb" | indent(-3) }}|{{ [1] | tojson(indent=-1) }}"#)
        XCTAssertEqual(try t.render(context: [:]), "a\nb|[\n1\n]")
    }

    func testDeepMessagesJSONIsAnError() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        XCTAssertThrowsError(try TemplateValue(jsonText: deep)) { e in
            XCTAssertTrue("\(e)".contains("nesting deeper than"), "\(e)")
        }
        XCTAssertNoThrow(try TemplateValue(jsonText: String(repeating: "[", count: 100) + String(repeating: "]", count: 100)))
    }

    func testInvalidUTF8ChatTemplateFileIsAnError() throws {
        let dir = NSTemporaryDirectory() + "jinja-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/chat_template.jinja"
        XCTAssertNil(try Tokenizer.readChatTemplateFile(path))
        try Data([0x7B, 0x7B, 0x20, 0xFF, 0xFE, 0x20, 0x7D, 0x7D]).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try Tokenizer.readChatTemplateFile(path)) { e in
            XCTAssertTrue("\(e)".contains("not valid UTF-8"), "\(e)")
        }
        try Data("{{ 1 }}".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try Tokenizer.readChatTemplateFile(path), "{{ 1 }}")
    }

    /// Real chat templates stay far inside the defaults (the fixture tests render them all).
    func testOrdinaryTemplatesAreUnaffected() throws {
        let t = try ChatTemplate(source: "{% for m in messages %}{% if m.role == 'user' %}<u>{{ m.content | trim }}{% endif %}{% endfor %}")
        XCTAssertEqual(try t.render(context: ["messages": messages]), "<u>hi")
    }
}
