import Foundation
import XCTest
import Tokenizers
import Support

/// The Jinja subset feature by feature against jinja2 as transformers configures it
/// (fixtures/jinja_cases.json), plus the errors a malformed template must give.
final class JinjaSubsetTests: XCTestCase {
    func testFeaturesMatchJinja2() throws {
        let text = try String(contentsOf: Fixtures.fixtures.appendingPathComponent("jinja_cases.json"), encoding: .utf8)
        guard case let .dict(root) = try TemplateValue(jsonText: text), case let .array(cases)? = root["cases"] else {
            return XCTFail("jinja_cases.json malformed")
        }
        XCTAssertGreaterThanOrEqual(cases.count, 15)
        for case let .dict(c) in cases {
            guard case let .string(source)? = c["template"], case let .string(expected)? = c["expected"],
                  case let .dict(ctx)? = c["context"] else { return XCTFail("bad case") }
            var context = [String: TemplateValue]()
            for k in ctx.keys { context[k] = ctx[k] }
            do {
                let got = try ChatTemplate(source: source).render(context: context)
                XCTAssertTrue(sameScalars(got, expected), "\(source.debugDescription):\n got      \(got.debugDescription)\n expected \(expected.debugDescription)")
            } catch {
                XCTFail("\(source.debugDescription): \(error)")
            }
        }
    }

    /// JSON values keep their Python types (bool vs int vs float).
    func testJSONValuesKeepPythonTypes() throws {
        let object = try JSONParser.parse(#"{"a": true, "b": 1, "c": 1.5, "d": null, "e": [false]}"#, path: "inline")
        guard case let .dict(d) = TemplateValue(json: object) else { return XCTFail("not a dict") }
        var context = [String: TemplateValue]()
        for k in d.keys { context[k] = d[k] }
        let out = try ChatTemplate(source: "{{ a }} {{ b }} {{ c }} {{ d }} {{ e }} {{ b is integer }} {{ a is boolean }}").render(context: context)
        XCTAssertEqual(out, "True 1 1.5 None [False] True True")
        let native: JSONValue = ["a": true, "b": 1, "c": 2.5]
        guard case let .dict(n) = TemplateValue(json: native) else { return XCTFail("not a dict") }
        XCTAssertEqual(try ChatTemplate(source: "{{ a }} {{ b }} {{ c }}").render(context: ["a": n["a"]!, "b": n["b"]!, "c": n["c"]!]),
                       "True 1 2.5")
    }

    private func syntaxError(_ source: String) -> (String, Int, Int)? {
        do {
            _ = try ChatTemplate(source: source)
        } catch let TokenizerError.templateSyntax(message, line, column) {
            return (message, line, column)
        } catch {
            XCTFail("unexpected error \(error)")
        }
        return nil
    }

    func testMalformedTemplatesNameConstructAndPosition() throws {
        let unclosed = syntaxError("line one\n  {% if messages %}\n{{ x }}")
        XCTAssertEqual(unclosed?.0.contains("endif"), true)
        let extends = syntaxError("ok\n\n   {% extends 'base.html' %}")
        XCTAssertEqual(extends?.0, "unsupported construct 'extends'")
        XCTAssertEqual(extends?.1, 3)
        XCTAssertEqual(extends?.2, 4)
        let badExpr = syntaxError("{{ 'a' + }}")
        XCTAssertEqual(badExpr?.1, 1)
        XCTAssertEqual(badExpr?.2, 10)
        XCTAssertNotNil(syntaxError("{{ x "))
        XCTAssertNotNil(syntaxError("{% endfor %}"))
        XCTAssertNotNil(syntaxError("{# never closed"))
        XCTAssertEqual(syntaxError("{% for x in y recursive %}{% endfor %}")?.0, "unsupported construct 'recursive' loop")
        let described = TokenizerError.templateSyntax(message: "unsupported construct 'extends'", line: 3, column: 4).description
        XCTAssertTrue(described.contains("line 3, column 4"))
    }

    func testRenderErrors() throws {
        XCTAssertThrowsError(try ChatTemplate(source: "\n {{ x | frobnicate }}").render(context: ["x": 1])) { error in
            guard case let TokenizerError.templateRender(message, line, column) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(message, "unsupported filter 'frobnicate'")
            XCTAssertEqual([line, column], [2, 7])
        }
        XCTAssertThrowsError(try ChatTemplate(source: "{{ 'a' + 1 }}").render(context: [:])) { error in
            guard case TokenizerError.templateRender = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try ChatTemplate(source: "{{ missing.attr }}").render(context: [:])) { error in
            guard case let TokenizerError.templateRender(message, _, _) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("'missing' is undefined"), message)
        }
        XCTAssertThrowsError(try ChatTemplate(source: "{{ raise_exception('roles must alternate') }}").render(context: [:])) { error in
            XCTAssertEqual(error as? TokenizerError, .templateRaised(message: "roles must alternate"))
        }
    }
}
