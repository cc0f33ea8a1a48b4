import Foundation
import SafetyEval
import SafetyWorld
import Tokenizers
import TestSupport
import XCTest

/// The tiny model's tokenizer and chat template (Assets/world-base) against HF tokenizers /
/// transformers, through Tests/Fixtures/world/tokenizer_expected.json (Scripts/world_tokenizer.py).
final class WorldTokenizerTests: XCTestCase {
    static let root = RepoPaths.root
    static let folder = root.appendingPathComponent("Assets/world-base").path
    static let fixture = root.appendingPathComponent("Tests/Fixtures/world/tokenizer_expected.json")

    struct Case: Decodable {
        let id: String
        let question: String
        let question_ids: [Int]
        let question_ids_with_bos: [Int]
        let response: String
        let response_ids: [Int]
        let messages: [ChatTurn]
        let prompt: String
        let prompt_ids: [Int]
        let full: String
        let full_ids: [Int]
    }

    struct Fixture: Decodable {
        let vocab_size: Int
        let bos_id: Int
        let eos_id: Int
        let think_id: Int
        let end_think_id: Int
        let cases: [Case]
    }

    func load() throws -> (Tokenizer, Fixture) {
        let fx = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: Self.fixture))
        return (try Tokenizer(path: Self.folder), fx)
    }

    func testSpecialTokensAndVocabulary() throws {
        let (tok, fx) = try load()
        XCTAssertEqual(tok.vocabularySize, fx.vocab_size)
        XCTAssertTrue((2_000...4_000).contains(tok.vocabularySize))
        XCTAssertEqual(tok.bosTokenId, fx.bos_id)
        XCTAssertEqual(tok.eosTokenId, fx.eos_id)
        XCTAssertEqual(tok.tokenId("<think>"), fx.think_id)
        XCTAssertEqual(tok.tokenId("</think>"), fx.end_think_id)
        XCTAssertNotNil(tok.tokenId("<｜User｜>"))
        XCTAssertNotNil(tok.tokenId("<｜Assistant｜>"))
        XCTAssertNotNil(tok.chatTemplate)
    }

    func testIdsMatchHFTokenizers() throws {
        let (tok, fx) = try load()
        XCTAssertGreaterThan(fx.cases.count, 20)
        for c in fx.cases {
            XCTAssertEqual(try tok.encode(c.question), c.question_ids, c.id)
            XCTAssertEqual(try tok.encode(c.question, addSpecialTokens: true), c.question_ids_with_bos, c.id)
            XCTAssertEqual(try tok.encode(c.response), c.response_ids, c.id)
            XCTAssertEqual(tok.decode(c.response_ids), c.response, c.id)
        }
    }

    func testChatTemplateMatchesTransformers() throws {
        let (tok, fx) = try load()
        for c in fx.cases {
            let msgs = c.messages.map { ChatMessage(role: $0.role, content: $0.content) }
            let prompt = try tok.applyChatTemplate(msgs, addGenerationPrompt: true)
            XCTAssertEqual(prompt, c.prompt, c.id)
            XCTAssertTrue(prompt.hasSuffix("<｜Assistant｜><think>\n"))
            let full = try tok.applyChatTemplate(msgs + [ChatMessage(role: "assistant", content: c.response)], addGenerationPrompt: false)
            XCTAssertEqual(full, c.full, c.id)
            XCTAssertEqual(try tok.encode(prompt), c.prompt_ids, c.id)
            XCTAssertEqual(try tok.encode(full), c.full_ids, c.id)
            XCTAssertEqual(Array(c.full_ids.prefix(c.prompt_ids.count)), c.prompt_ids, "prompt ids prefix the conversation's")
        }
    }
}
