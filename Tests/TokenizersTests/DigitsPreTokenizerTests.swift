import Foundation
import XCTest
import Support
import Tokenizers

/// HF's `Digits` pre-tokenizer (`individual_digits: true`, SmolLM's; llama.cpp's `smollm` first
/// split): every number scalar becomes its own piece before the byte-level split, so a space before
/// a number stays a token of its own. Checked on the Qwen2.5 vocabulary with that pre-tokenizer.
final class DigitsPreTokenizerTests: XCTestCase {
    func testDigitsAreSplitOneByOne() throws {
        let folder = try Fixtures.tokenizerFolder("qwen2.5")
        var spec = try XCTUnwrap(try JSONParser.parse(file: folder + "/tokenizer.json").objectValue)
        spec["pre_tokenizer"] = ["type": "Sequence", "pretokenizers": [
            ["type": "Digits", "individual_digits": true],
            ["type": "ByteLevel", "add_prefix_space": false, "use_regex": true],
        ]]
        let tok = try Tokenizer(spec: spec)
        let id = { (s: String) in try XCTUnwrap(tok.tokenId(s), s) }
        XCTAssertEqual(try tok.encode("x 12345 y½"),
                       [try id("x"), try id("Ġ"), try id("1"), try id("2"), try id("3"), try id("4"), try id("5"), try id("Ġy")]
                           + (try tok.encode("½")))
        spec["pre_tokenizer"] = ["type": "Digits", "individual_digits": false]
        XCTAssertThrowsError(try Tokenizer(spec: spec)) { XCTAssertTrue("\($0)".contains("individual_digits"), "\($0)") }
    }
}
