import Foundation
import TestSupport
import XCTest
import Tokenizers

/// The `safekey tokenize` / `safekey template` contracts, run as a user would. Skipped when the
/// `safekey` executable is not built next to the test bundle (e.g. `swift build --build-tests` builds it).
final class TokenizeCLITests: XCTestCase {
    private func safekey() throws -> URL { try SafeKeyCLI.executable() }

    private func run(_ args: [String], stdin: Data) throws -> (status: Int32, out: Data, err: String) {
        let r = try SafeKeyCLI.run(args, stdinData: stdin)
        return (r.status, r.outData, r.err)
    }

    func testTokenizeDecodeAndTemplate() throws {
        let folder = try Fixtures.tokenizerFolder("deepseek-r1-distill-qwen")
        _ = try safekey()
        let encoded = try run(["tokenize", "--tokenizer", folder, "--offsets", "--add-special-tokens"],
                              stdin: Data("{\"text\": \"Hello world\"}\n\n{\"text\": \"<think>é\"}\n".utf8))
        XCTAssertEqual(encoded.status, 0, encoded.err)
        XCTAssertEqual(String(decoding: encoded.out, as: UTF8.self),
                       "{\"ids\":[151646,9707,1879],\"offsets\":[[0,0],[0,5],[5,11]]}\n{\"ids\":[151646,151648,963],\"offsets\":[[0,0],[0,7],[7,8]]}\n")
        let decoded = try run(["tokenize", "--tokenizer", folder + "/tokenizer.json", "--decode"],
                              stdin: Data("{\"ids\": [9707, 1879, 151648]}\n".utf8))
        XCTAssertEqual(String(decoding: decoded.out, as: UTF8.self), "{\"text\":\"Hello world<think>\"}\n")
        let bad = try run(["tokenize", "--tokenizer", folder], stdin: Data([0x7B, 0x22, 0x74, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D, 0x0A]))
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.err.contains("invalid UTF-8 at byte 6"), bad.err)

        let messages = FileManager.default.temporaryDirectory.appendingPathComponent("tok-cli-\(getpid()).json")
        try Data(#"[{"role": "user", "content": "Q"}, {"role": "assistant", "content": "<think>\nr\n</think>\n\nA"}]"#.utf8)
            .write(to: messages)
        defer { try? FileManager.default.removeItem(at: messages) }
        let tok = try Fixtures.tokenizer("deepseek-r1-distill-qwen")
        let chat = [ChatMessage(role: "user", content: "Q"), ChatMessage(role: "assistant", content: "<think>\nr\n</think>\n\nA")]
        for keep in [false, true] {
            let rendered = try run(["template", "--tokenizer", folder, "--messages", messages.path] + (keep ? ["--keep-thinking"] : []),
                                   stdin: Data())
            XCTAssertEqual(rendered.status, 0, rendered.err)
            XCTAssertEqual(String(decoding: rendered.out, as: UTF8.self),
                           try tok.applyChatTemplate(chat, addGenerationPrompt: false, keepThinking: keep), "printed exactly, nothing appended")
        }
    }
}
