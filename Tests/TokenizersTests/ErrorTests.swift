import Foundation
import XCTest
import Tokenizers

/// Clear errors for bad input: invalid UTF-8, unsupported tokenizer models, missing files.
final class TokenizerErrorTests: XCTestCase {
    func testInvalidUTF8NamesTheByte() throws {
        let tok = try Fixtures.tokenizer("qwen2.5")
        XCTAssertEqual(try tok.encode(utf8: Array("héllo".utf8)), try tok.encode("héllo"))
        let cases: [([UInt8], Int)] = [([0x61, 0xFF, 0x62], 1), ([0x61, 0x62, 0xE4, 0xBD], 2), ([0xC0, 0x80], 0),
                                       ([0xED, 0xA0, 0x80], 1), ([0x61, 0xE4, 0x41, 0x42], 2), ([0x80], 0)]
        for (bytes, offset) in cases {
            XCTAssertThrowsError(try tok.encode(utf8: bytes)) { error in
                XCTAssertEqual(error as? TokenizerError, .invalidUTF8(byteOffset: offset), "\(bytes)")
                XCTAssertTrue("\(error)".contains("UTF-8"))
            }
        }
    }

    private func spec(model: JSONObject) -> JSONObject {
        ["model": .object(model), "added_tokens": [], "normalizer": .null, "pre_tokenizer": .null]
    }

    func testUnsupportedModelTypes() throws {
        for type in ["WordPiece", "Unigram", "WordLevel"] {
            XCTAssertThrowsError(try Tokenizer(spec: spec(model: ["type": .string(type), "vocab": ["a": 0]]))) { error in
                XCTAssertEqual(error as? TokenizerError, .unsupported(file: "tokenizer.json", key: "model.type", value: type))
                XCTAssertTrue("\(error)".contains(type))
            }
        }
        // Through a file on disk, as users hit it.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tok-unigram-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = #"{"model": {"type": "Unigram", "vocab": [["a", 0.0]]}, "added_tokens": []}"#
        try json.write(to: dir.appendingPathComponent("tokenizer.json"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Tokenizer(path: dir.path)) { error in
            guard case let TokenizerError.unsupported(file, key, value) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(file.hasSuffix("tokenizer.json"))
            XCTAssertEqual(key, "model.type")
            XCTAssertEqual(value, "Unigram")
        }
        XCTAssertThrowsError(try Tokenizer(spec: ["model": ["type": "BPE", "vocab": ["a": 0], "merges": []],
                                                  "normalizer": ["type": "Lowercase"]])) { error in
            guard case let TokenizerError.unsupported(_, key, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(key, "model.vocab")  // not byte-level: bytes lack tokens
        }
    }

    func testMissingFiles() {
        XCTAssertThrowsError(try Tokenizer(path: "/nonexistent/model")) { error in
            guard case TokenizerError.unreadableFile = error else { return XCTFail("\(error)") }
        }
    }
}
