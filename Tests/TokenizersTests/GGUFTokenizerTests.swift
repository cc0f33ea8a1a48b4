import Foundation
import XCTest
import Tokenizers

/// The tokenizer and chat template read from the shared SmolLM2 GGUF against transformers'
/// tokenizer loaded from the same file (`AutoTokenizer.from_pretrained(dir, gguf_file=...)`) and
/// HF tokenizers with SmolLM2's own pre-tokenizer: ids of a tricky corpus (unicode, numbers,
/// spaces, newlines, special tokens, code), decoded text, and rendered chat templates, byte for byte. Fixture: Tests/Fixtures/gguf/smollm2.json
/// (Scripts/make_gguf_fixtures.py). Skips when ../shared is absent.
final class GGUFTokenizerTests: XCTestCase {
    static let modelPath = Fixtures.sharedData.appendingPathComponent("models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf").path

    func load() throws -> (Tokenizer, [String: Any]) {
        guard FileManager.default.fileExists(atPath: Self.modelPath) else {
            throw XCTSkip("shared model \(Self.modelPath) is absent: these tests read ../shared/data/models/smollm2-135m-instruct next to the repository")
        }
        let url = Fixtures.repoRoot.appendingPathComponent("Tests/Fixtures/gguf/smollm2.json")
        guard let data = try? Data(contentsOf: url), let fixture = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw XCTSkip("fixture \(url.path) is missing; run python3 Scripts/make_gguf_fixtures.py")
        }
        return (try Tokenizer(path: Self.modelPath), fixture)
    }

    /// Two references: transformers' GGUF tokenizer (`ids`), which reads `smollm` as plain GPT-2
    /// `ByteLevel`, and HF tokenizers with SmolLM2's own `Digits` + `ByteLevel` pre-tokenizer on the
    /// same vocabulary (`ids_smollm`), which llama.cpp's `smollm` split mirrors and which we follow.
    /// They differ only where a whitespace run or space meets a number (e.g. "and  1000", " ½").
    func testCorpusIdsAndDecodingEqualTransformers() throws {
        let (tok, fixture) = try load()
        let corpus = try XCTUnwrap(fixture["corpus"] as? [[String: Any]])
        var tokens = 0, divergent: [String] = []
        func ints(_ v: Any?) -> [Int] { (v as! [Any]).map { ($0 as! NSNumber).intValue } }
        for entry in corpus {
            let text = entry["text"] as! String
            let ids = ints(entry["ids"]), smollm = ints(entry["ids_smollm"])
            let ours = try tok.encode(text)
            XCTAssertEqual(ours, smollm, "ids of \(text.debugDescription) vs HF tokenizers with SmolLM2's pre-tokenizer")
            if ids == smollm {
                XCTAssertEqual(ours, ids, "ids of \(text.debugDescription) vs transformers")
            } else {
                divergent.append(text)
            }
            XCTAssertEqual(try tok.encode(text, addSpecialTokens: true), ints(entry["with_special"]) == ids ? smollm : ints(entry["with_special"]))
            XCTAssertEqual(tok.decode(ids), entry["decoded"] as? String, "decode of \(text.debugDescription)")
            tokens += ours.count
        }
        XCTAssertGreaterThanOrEqual(corpus.count, 20)
        XCTAssertLessThanOrEqual(divergent.count, corpus.count / 5, "transformers and SmolLM2's pre-tokenizer agree on most texts")
        print("GGUFTokenizerTests: \(corpus.count) texts, \(tokens) tokens identical to HF tokenizers with SmolLM2's pre-tokenizer; "
            + "identical to transformers' GGUF tokenizer on \(corpus.count - divergent.count) (the others: \(divergent.map(\.debugDescription)))")
    }

    func testChatTemplatesByteIdentical() throws {
        let (tok, fixture) = try load()
        let cases = try XCTUnwrap(fixture["templates"] as? [[String: Any]]) + (fixture["prompts"] as? [[String: Any]] ?? [])
        for c in cases {
            let messages = (c["messages"] as! [[String: String]]).map { ChatMessage(role: $0["role"]!, content: $0["content"]!) }
            let generation = c["add_generation_prompt"] as? Bool ?? true
            XCTAssertEqual(try tok.applyChatTemplate(messages, addGenerationPrompt: generation), c["text"] as? String)
            if let ids = c["ids"] as? [Any] {
                XCTAssertEqual(try tok.encode(c["text"] as! String), ids.map { ($0 as! NSNumber).intValue })
            }
        }
        XCTAssertGreaterThanOrEqual(cases.count, 8)
    }

    func testSpecialTokensAndFlags() throws {
        let (tok, _) = try load()
        XCTAssertEqual(tok.vocabularySize, 49152)
        XCTAssertEqual(tok.bosToken, "<|im_start|>")
        XCTAssertEqual(tok.eosToken, "<|im_end|>")
        XCTAssertEqual(tok.bosTokenId, 1)
        XCTAssertEqual(tok.eosTokenId, 2)
        XCTAssertEqual(tok.unkToken, "<|endoftext|>")
        XCTAssertTrue(tok.isSpecialToken(0) && tok.isSpecialToken(16))
        XCTAssertFalse(tok.isSpecialToken(17))
        XCTAssertEqual(try tok.encode("<|im_start|>hi<|im_end|>"), [1, try tok.encode("hi")[0], 2])
        XCTAssertEqual(try tok.encode("x", addSpecialTokens: true), try tok.encode("x"), "add_bos_token is false")
    }
}
