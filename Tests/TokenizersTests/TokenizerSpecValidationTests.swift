import Foundation
import XCTest
import Support
import Tokenizers

/// Issue 20: parts of tokenizer.json of the wrong type were skipped silently (merges that are not
/// a list, an added token that is not an object, a float token id read as its integer part). Found
/// by Scripts/fuzz-corpus.sh; each is now a `malformedConfig` error naming the key.
final class TokenizerSpecValidationTests: XCTestCase {
    private func worldSpec() throws -> [String: Any] {
        let url = Fixtures.repoRoot.appendingPathComponent("Assets/world-base/tokenizer.json")
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    private func assertRefused(_ key: String, _ edit: (inout [String: Any]) -> Void, file: StaticString = #filePath, line: UInt = #line) throws {
        var spec = try worldSpec()
        edit(&spec)
        // Through JSON text, as a file would arrive.
        let data = try JSONSerialization.data(withJSONObject: spec)
        let reparsed = try XCTUnwrap(JSONParser.parse(data, path: "tokenizer.json").objectValue)
        XCTAssertThrowsError(try Tokenizer(spec: reparsed), file: file, line: line) { e in
            guard case let .malformedConfig(_, k, _)? = e as? TokenizerError else { return XCTFail("\(e)", file: file, line: line) }
            XCTAssertTrue(k.hasPrefix(key), "\(k)", file: file, line: line)
        }
    }

    func testWrongTypesAreErrors() throws {
        let plain = try JSONSerialization.data(withJSONObject: try worldSpec())
        XCTAssertNoThrow(try Tokenizer(spec: try XCTUnwrap(JSONParser.parse(plain, path: "tokenizer.json").objectValue)))
        try assertRefused("model.merges") { s in var m = s["model"] as! [String: Any]; m["merges"] = 5; s["model"] = m }
        try assertRefused("added_tokens") { s in s["added_tokens"] = [5] + (s["added_tokens"] as! [Any]) }
        try assertRefused("added_tokens") { s in s["added_tokens"] = "x" }
        try assertRefused("added_tokens[0]") { s in
            var list = s["added_tokens"] as! [[String: Any]]
            list[0]["id"] = 1.5
            s["added_tokens"] = list
        }
    }
}
