import Foundation
import SafeKey
import XCTest

/// ``SafeKeyRecord/turns()``: a record's `conversation` (SafetyWorld's multi-turn records) is the
/// prompt the response answers; without one, the single user turn `question`.
final class RecordTurnsTests: XCTestCase {
    private func record(_ json: String) throws -> SafeKeyRecord {
        try RecordReader.parse(data: Data(json.utf8), path: "t.jsonl").0[0]
    }

    func testConversationIsThePromptWhenPresent() throws {
        let plain = try record(#"{"question": "How do I bake bread?", "response": "<think>\nOk.\n</think>\n\nBake it.", "source": "x", "category": []}"#)
        XCTAssertEqual(try plain.turns().map(\.role), ["user"])
        XCTAssertEqual(try plain.turns().map(\.content), ["How do I bake bread?"])

        let multi = try record(#"{"question": "Earlier I said: A. Now B", "response": "<think>\nOk.\n</think>\n\nB.", "source": "x", "category": [], "#
            + #""conversation": [{"role": "user", "content": "A"}, {"role": "assistant", "content": "Noted."}, {"role": "user", "content": "B"}]}"#)
        XCTAssertEqual(try multi.turns().map(\.role), ["user", "assistant", "user"])
        XCTAssertEqual(try multi.turns().map(\.content), ["A", "Noted.", "B"])
    }

    func testMalformedConversationIsAnErrorNamingTheLine() throws {
        for bad in [#"[]"#, #"[{"role": "user"}]"#, #"[{"role": "user", "content": "A"}, {"role": "assistant", "content": "B"}]"#, #""A""#] {
            let r = try record(#"{"question": "q", "response": "<think>\nOk.\n</think>\n\nA.", "source": "x", "category": [], "conversation": "# + bad + "}")
            XCTAssertThrowsError(try r.turns(), bad) { e in
                XCTAssertTrue("\(e)".contains("conversation") && "\(e)".contains("1"), "\(e)")
            }
        }
    }
}
