import XCTest
import Models

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
                guard case ModelsError.invalidJSON(let path, _, _) = e else { return XCTFail("\(e)") }
                XCTAssertEqual(path, "bad.json")
            }
        }
    }
}
