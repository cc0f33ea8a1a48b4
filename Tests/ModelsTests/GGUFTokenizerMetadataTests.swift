import Foundation
import XCTest
import Models
import Tokenizers

/// Tokenizers written to GGUF metadata (`Tokenizer.ggufMetadata`) and read back
/// (`Tokenizer(path: x.gguf)`) encode exactly as the original: the shared Llama 3, Qwen2.5 and
/// DeepSeek-R1-Distill-Qwen `tokenizer.json` folders (pre-tokenizers `llama-bpe`, `qwen2`) and the
/// SmolLM2 GGUF (`smollm`); every accepted `tokenizer.ggml.pre` name; unknown names refused.
final class GGUFTokenizerMetadataTests: XCTestCase {
    static let texts = [
        "Hello world", " Hello  world  ", "I'm sure you'll see: we'VE DON'T it's",
        "Numbers: 0 7 42 1234567 3.14159 -12,345.67", "Unicode: café naïve Zürich — “quotes” …",
        "日本語のテキスト、中文文本，한국어", "Emoji: 👍🏽 🇫🇷 👨‍👩‍👧", "line one\nline two\n\n\nfive\r\n",
        "tabs\tand\t\tspaces    end   ", "def add(a, b):\n    return a + b\n", "<think>Let me think.</think> ok",
    ]

    func sharedTokenizerFolder(_ name: String) throws -> String {
        let path = Fixtures.root.appendingPathComponent("../shared/data/tokenizers/\(name)").standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: path + "/tokenizer.json") else {
            throw XCTSkip("shared tokenizer \(path) is absent (tests read ../shared/data/tokenizers in place)")
        }
        return path
    }

    /// Writes `meta` (with `pre` replaced when given) as a tensor-less GGUF and loads it.
    func roundTrip(_ meta: [(key: String, value: GGUFValue)], pre: String? = nil) throws -> Tokenizer {
        var m = meta
        if let pre, let i = m.firstIndex(where: { $0.key == "tokenizer.ggml.pre" }) { m[i].value = .string(pre) }
        let path = try Fixtures.tempFolder(self) + "/tok.gguf"
        try GGUFWriter.write(path: path, metadata: [("general.architecture", .string("llama"))] + m, tensors: [])
        return try Tokenizer(path: path)
    }

    func assertSameIds(_ a: Tokenizer, _ b: Tokenizer, _ label: String, file: StaticString = #filePath, line: UInt = #line) throws {
        var texts = Self.texts
        for t in a.addedTokens.prefix(3) { texts.append("a\(t.content)b \(t.content)") }
        for text in texts {
            XCTAssertEqual(try a.encode(text), try b.encode(text), "\(label): \(text.debugDescription)", file: file, line: line)
            XCTAssertEqual(try a.encode(text, addSpecialTokens: true), try b.encode(text, addSpecialTokens: true), label, file: file, line: line)
        }
        XCTAssertEqual(a.vocabularySize, b.vocabularySize, label)
        XCTAssertEqual(a.bosTokenId, b.bosTokenId, label)
        XCTAssertEqual(a.eosTokenId, b.eosTokenId, label)
        XCTAssertEqual(a.chatTemplate, b.chatTemplate, label)
    }

    func testSharedTokenizersRoundTrip() throws {
        for (folder, pre) in [("llama-3", "llama-bpe"), ("qwen2.5", "qwen2"), ("deepseek-r1-distill-qwen", "qwen2")] {
            let original = try Tokenizer(path: try sharedTokenizerFolder(folder))
            let meta = try original.ggufMetadata()
            XCTAssertEqual(meta.first { $0.key == "tokenizer.ggml.pre" }?.value.stringValue, pre, folder)
            try assertSameIds(original, try roundTrip(meta), folder)
        }
        // The other names llama.cpp gives the same splits.
        let qwen = try Tokenizer(path: try sharedTokenizerFolder("deepseek-r1-distill-qwen"))
        try assertSameIds(qwen, try roundTrip(try qwen.ggufMetadata(), pre: "deepseek-r1-qwen"), "deepseek-r1-qwen")
        let llama = try Tokenizer(path: try sharedTokenizerFolder("llama-3"))
        for name in ["llama3", "llama-v3"] { try assertSameIds(llama, try roundTrip(try llama.ggufMetadata(), pre: name), name) }
    }

    func testSmolLM2RoundTripAndPreNames() throws {
        let smol = try Tokenizer(path: try Fixtures.smolLM2())
        let meta = try smol.ggufMetadata()
        XCTAssertEqual(meta.first { $0.key == "tokenizer.ggml.pre" }?.value.stringValue, "smollm")
        try assertSameIds(smol, try roundTrip(meta), "smollm")
        // SmolLM2's vocabulary has no token mixing digits with anything else, so on these texts
        // (single spaces before numbers) the GPT-2 split, transformers' reading of this file,
        // gives the same ids; whitespace runs before numbers differ (see GGUFTokenizerTests).
        try assertSameIds(smol, try roundTrip(meta, pre: "gpt2"), "gpt2")
        try assertSameIds(smol, try roundTrip(meta, pre: "gpt-2"), "gpt-2")
        XCTAssertThrowsError(try roundTrip(meta, pre: "tekken-x")) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("tokenizer.ggml.pre") && text.contains("tekken-x") && text.contains("smollm"), text)
        }
    }

    func testMissingPiecesAreClearErrors() throws {
        let smol = try Tokenizer(path: try Fixtures.smolLM2())
        let meta = try smol.ggufMetadata()
        for drop in ["tokenizer.ggml.tokens", "tokenizer.ggml.merges", "tokenizer.ggml.model"] {
            XCTAssertThrowsError(try roundTrip(meta.filter { $0.key != drop })) { XCTAssertTrue("\($0)".contains(drop), "\($0)") }
        }
        var bad = meta
        bad[bad.firstIndex { $0.key == "tokenizer.ggml.model" }!].value = .string("llama")
        XCTAssertThrowsError(try roundTrip(bad)) { XCTAssertTrue("\($0)".contains("\"llama\""), "\($0)") }
    }

    /// `Tokenizer.writeHuggingFaceFiles(gguf:to:)` (what `DecoderModel.save` writes for a model
    /// loaded from a `.gguf` file): the folder loads as the same tokenizer, and renders the same chat.
    func testHuggingFaceFilesFromTheSmolLM2GGUF() throws {
        let path = try Fixtures.smolLM2()
        let smol = try Tokenizer(path: path)
        let folder = try Fixtures.tempFolder(self)
        try Tokenizer.writeHuggingFaceFiles(gguf: GGUFFile(path: path).metadata, to: folder)
        let back = try Tokenizer(path: folder)
        try assertSameIds(smol, back, "tokenizer.json written from the SmolLM2 GGUF")
        let chat = [ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "Hi 42 — ok?"),
                    ChatMessage(role: "assistant", content: "Yes."), ChatMessage(role: "user", content: "Again")]
        XCTAssertEqual(try back.applyChatTemplate(chat, addGenerationPrompt: true), try smol.applyChatTemplate(chat, addGenerationPrompt: true))
    }

    /// Hugging Face folder → GGUF (with its tokenizer) → `DecoderModel` → `save`: the saved folder
    /// is complete again: its tokenizer encodes as the original one did.
    func testModelSavedFromGGUFCarriesItsTokenizer() throws {
        let source = Fixtures.root.appendingPathComponent("Assets/world-base").standardizedFileURL.path
        let original = try Tokenizer(path: source)
        let folder = try Fixtures.tempFolder(self)
        try DecoderModel(folder: source).exportGGUF(to: folder + "/m.gguf", type: .f32, tokenizer: original)
        let fromGGUF = try DecoderModel(folder: folder + "/m.gguf")
        try fromGGUF.save(to: folder + "/saved")
        for name in ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/saved/" + name), name)
        }
        try assertSameIds(original, try Tokenizer(path: folder + "/saved"), "world-base → GGUF → saved folder")
    }
}
