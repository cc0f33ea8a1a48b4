import Foundation
import Support
import TestSupport
import XCTest

final class JSONTests: XCTestCase {
    func testRoundTripKeepsOrderAndNumberLiterals() throws {
        let text = #"{"z": 1, "a": [1e-06, 1000000.0, -0, true, null], "s": "é\n\"q\" \ud83d\ude00", "o": {}}"#
        let v = try JSONParser.parse(text, path: "t")
        XCTAssertEqual(v.objectValue?.keys, ["z", "a", "s", "o"])
        XCTAssertEqual(v.objectValue?["s"]?.stringValue, "é\n\"q\" 😀")
        XCTAssertEqual(JSONWriter.compact(v), #"{"z":1,"a":[1e-06,1000000.0,-0,true,null],"s":"é\n\"q\" 😀","o":{}}"#)
        XCTAssertEqual(try JSONParser.parse(JSONWriter.pretty(v), path: "t"), v)
    }

    func testRejectsInvalidJSONWithOffset() {
        for bad in ["{\"a\": 1,}", "[01]", "{\"a\" 1}", "\"unterminated", "[1, 2] x", "nul", "[1.]", "{\"a\": NaN}"] {
            XCTAssertThrowsError(try JSONParser.parse(bad, path: "bad.json"), bad) { e in
                guard let e = e as? JSONError else { return XCTFail("\(e)") }
                XCTAssertEqual(e.path, "bad.json")
            }
        }
    }

    /// The offset is the UTF-8 byte where parsing stopped (multi-byte text before it counts in bytes).
    func testErrorOffsetsAreBytes() {
        let cases: [(String, Int, String)] = [
            ("{\"a\": 1,}", 8, "expected a string key"),
            ("[\"é\", x]", 7, "unexpected character"),            // é is two bytes
            ("\"abc", 4, "unterminated string"),
            ("[1, 2] x", 7, "unexpected text after the JSON value"),
            ("{\"a\" 1}", 5, "expected ':'"),
            ("[1.]", 3, "expected digits after '.'"),
            ("\"\\q\"", 3, "invalid escape"),
            ("\"a\u{01}\"", 2, "control character"),
            ("", 0, "unexpected end of input"),
        ]
        for (text, offset, detail) in cases {
            XCTAssertThrowsError(try JSONParser.parse(text, path: "p"), text) { e in
                guard let e = e as? JSONError else { return XCTFail("\(e)") }
                XCTAssertEqual(e.offset, offset, "\(text): \(e)")
                XCTAssertTrue(e.detail.hasPrefix(detail), "\(text): \(e.detail)")
                XCTAssertTrue(e.description.contains("byte \(offset)"), e.description)
            }
        }
    }

    /// Line and column of an error offset: 1-based, columns in bytes from the line start.
    func testErrorLineAndColumn() {
        let text = "[\n  {\"a\": 1},\n  {\"b\" 2}\n]"
        XCTAssertThrowsError(try JSONParser.parse(text, path: "p")) { e in
            guard let e = e as? JSONError else { return XCTFail("\(e)") }
            XCTAssertEqual(e.offset, 21)
            let at = e.lineAndColumn(in: Array(text.utf8))
            XCTAssertEqual(at.line, 3)
            XCTAssertEqual(at.column, 8)
        }
        XCTAssertEqual(JSONError(path: "p", offset: 0, detail: "").lineAndColumn(in: []).line, 1)
    }

    func testDepthIsBounded() {
        let deep = String(repeating: "[", count: JSONParser.maxDepth + 1) + String(repeating: "]", count: JSONParser.maxDepth + 1)
        XCTAssertThrowsError(try JSONParser.parse(deep, path: "deep")) { e in
            XCTAssertTrue((e as? JSONError)?.detail.contains("nesting") ?? false, "\(e)")
        }
        let ok = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        XCTAssertNoThrow(try JSONParser.parse(ok, path: "ok"))
    }

    func testEscapesBothWays() throws {
        let v = try JSONParser.parse(#""\" \\ \/ \b \f \n \r \t \u0001 \u00e9 \u4e2d""#, path: "e")
        XCTAssertEqual(v.stringValue, "\" \\ / \u{08} \u{0C} \n \r \t \u{01} é 中")
        // The writer escapes as Python's json.dumps(ensure_ascii=False): quotes, backslashes and
        // control characters (short forms where JSON has them), the rest as UTF-8.
        XCTAssertEqual(JSONWriter.compact(v), #""\" \\ / \b \f \n \r \t \u0001 é 中""#)
        XCTAssertEqual(JSONWriter.quoted("a\u{1F}b"), #""a\u001fb""#)
        XCTAssertEqual(try JSONParser.parse(JSONWriter.compact(v), path: "e"), v)
    }

    func testUnicodeSurrogates() throws {
        XCTAssertEqual(try JSONParser.parse(#""\ud83d\ude00""#, path: "u").stringValue, "😀")
        XCTAssertEqual(try JSONParser.parse(#""\uD834\uDD1E""#, path: "u").stringValue, "𝄞")
        // A lone surrogate is not a scalar: replaced by U+FFFD, as Python's json does on encode.
        XCTAssertEqual(try JSONParser.parse(#""a\ud800b""#, path: "u").stringValue, "a\u{FFFD}b")
        // Raw UTF-8 passes through; invalid UTF-8 is repaired rather than rejected.
        XCTAssertEqual(try JSONParser.parse(Array("\"日本😀\"".utf8), path: "u").stringValue, "日本😀")
        XCTAssertEqual(try JSONParser.parse([0x22, 0xFF, 0x22], path: "u").stringValue, "\u{FFFD}")
    }

    func testNumbersKeepTheirLiterals() throws {
        let text = #"[0, -0, 12, -3.25, 1e5, 1E+10, 2.5e-3, -0.0e-5, 123456789012345678901234567890, 9223372036854775807]"#
        let v = try JSONParser.parse(text, path: "n")
        let items = try XCTUnwrap(v.arrayValue)
        XCTAssertEqual(items.map { if case let .number(t) = $0 { return t } else { return "?" } },
                       ["0", "-0", "12", "-3.25", "1e5", "1E+10", "2.5e-3", "-0.0e-5", "123456789012345678901234567890", "9223372036854775807"])
        XCTAssertEqual(items[2].intValue, 12)
        XCTAssertNil(items[3].intValue, "a fraction is not an integer")
        XCTAssertEqual(items[4].doubleValue, 100_000)
        XCTAssertEqual(items[5].doubleValue, 1e10)
        XCTAssertNil(items[8].intValue, "too large for Int: no silent wrap")
        XCTAssertEqual(items[8].doubleValue, 1.2345678901234568e29)
        XCTAssertEqual(items[9].intValue, Int.max)
        XCTAssertEqual(JSONWriter.compact(v), text.replacingOccurrences(of: ", ", with: ","), "big integers and exponents written back as read")
        XCTAssertEqual(JSONValue.double(2).description(), "2.0")
        XCTAssertTrue(JSONValue.number("1e3").sameValue(as: .int(1000)))
        XCTAssertNotEqual(JSONValue.number("1e3"), .int(1000), "== compares literals")
    }

    func testObjectsKeepOrderAndLastDuplicateWins() throws {
        var o = try XCTUnwrap(JSONParser.parse(#"{"b": 1, "a": 2, "b": 3}"#, path: "o").objectValue)
        XCTAssertEqual(o.keys, ["b", "a", "b"])
        XCTAssertEqual(o["b"], .int(3))
        o["c"] = .string("new")
        o["a"] = nil
        XCTAssertEqual(JSONWriter.compact(.object(o)), #"{"b":1,"b":3,"c":"new"}"#)
        let built: JSONObject = ["z": .int(1), "y": .array([.bool(true), .null])]
        XCTAssertEqual(JSONWriter.pretty(.object(built)), "{\n  \"z\": 1,\n  \"y\": [\n    true,\n    null\n  ]\n}\n")
        XCTAssertEqual(JSONObject(["b": .int(1), "a": .int(2)]).keys, ["a", "b"], "a dictionary's keys are sorted")
    }

    func testCodableBridge() throws {
        struct Record: Codable, Equatable { var name: String; var meta: [String: JSONValue] }
        let r = Record(name: "x", meta: ["n": .int(3), "f": .double(0.5), "l": .array([.string("a"), .null, .bool(false)]),
                                         "o": .object(["k": .int(-1)])])
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        let data = try enc.encode(r)
        XCTAssertEqual(String(decoding: data, as: UTF8.self), #"{"meta":{"f":0.5,"l":["a",null,false],"n":3,"o":{"k":-1}},"name":"x"}"#)
        XCTAssertEqual(try JSONDecoder().decode(Record.self, from: data), r)
        // The same text through the ordered parser gives the same values.
        let parsed = try JSONParser.parse(data, path: "codable")
        XCTAssertEqual(parsed["meta"]?["o"]?["k"], .int(-1))
    }

    /// `sortingKeys()` and `foundationNumber` reproduce Foundation's `JSONSerialization` output
    /// (`[.sortedKeys, .withoutEscapingSlashes]`) byte for byte, the reference here: keys that sort
    /// differently by code point (case, digits, punctuation, accents), nested objects, doubles.
    func testSortedKeysMatchJSONSerialization() throws {
        let keys = ["annotation", "Category", "category", "a10", "a9", "a_b", "a-b", "ab", "aB", "Ab", "_x", "x_", "1", "10", "2",
                    "é", "ä", "ß", "ss", "z", "Z", "日本", "", " ", "k_aha_score", "k_is_safety_aha", "summary_end_idx"]
        let doubles: [Double] = [0, 1, -2, 0.5, 0.857, 1e-7, 1e21, 123456789.125, 0.1 + 0.2]
        var mine = JSONObject(), theirs: [String: Any] = [:]
        for (i, k) in keys.enumerated() {
            let d = doubles[i % doubles.count]
            mine[k] = .object(["y": .foundationNumber(d), "X": .string("a/b"), "n": .array([.int(i), .null])])
            theirs[k] = ["y": d, "X": "a/b", "n": [i, NSNull()]] as [String: Any]
        }
        let expected = try JSONSerialization.data(withJSONObject: theirs, options: [.sortedKeys, .withoutEscapingSlashes])
        XCTAssertEqual(JSONWriter.compact(JSONValue.object(mine).sortingKeys()), String(decoding: expected, as: UTF8.self))
    }

    func testParseFileNamesTheFile() throws {
        let dir = try TempDir.make("json", removedAfter: self)
        let path = dir + "/bad.json"
        try AtomicFile.write("{\"a\": [1, 2,]}", to: path)
        XCTAssertThrowsError(try JSONParser.parse(file: path)) { e in
            XCTAssertEqual(e as? JSONError, JSONError(path: path, offset: 12, detail: "unexpected character ']'"))
        }
        XCTAssertThrowsError(try JSONParser.parse(file: dir + "/missing.json")) { e in
            XCTAssertEqual((e as? JSONError)?.offset, 0)
        }
    }
}

private extension JSONValue {
    func description() -> String { JSONWriter.compact(self) }
}
