import Foundation
import XCTest
import Tokenizers

/// Decoding against HF (`decode` with and without `skip_special_tokens`, ids that cut UTF-8
/// characters) and the streaming decoder's contract.
final class TokenizerDecodingTests: XCTestCase {
    func testDecodeCasesMatchHF() throws {
        for name in Fixtures.tokenizerNames {
            let tok = try Fixtures.tokenizer(name)
            guard let meta = try Fixtures.json("\(name).meta.json") as? [String: Any],
                  let cases = meta["decode_cases"] as? [[String: Any]] else { return XCTFail("\(name).meta.json malformed") }
            XCTAssertGreaterThanOrEqual(cases.count, 100)
            for c in cases {
                let ids = c["ids"] as? [Int] ?? []
                let text = c["text"] as? String ?? "", skip = c["skip"] as? String ?? ""
                XCTAssertTrue(sameScalars(tok.decode(ids), text), "\(name) \(ids): \(tok.decode(ids).debugDescription) vs \(text.debugDescription)")
                XCTAssertTrue(sameScalars(tok.decode(ids, skipSpecialTokens: true), skip), "\(name) \(ids) skipping specials")
                // Streaming: pieces concatenate to the full decode.
                var stream = tok.streamingDecoder()
                var streamed = ""
                for id in ids { streamed += stream.push(id) }
                streamed += stream.finish()
                XCTAssertTrue(sameScalars(streamed, text), "\(name) streaming \(ids)")
            }
        }
    }

    func testStreamingNeverSplitsACharacter() throws {
        let tok = try Fixtures.tokenizer("llama-3")
        let text = "日本語 😀👨‍👩‍👧 çà 𝔘𝔫𝔦 ok"
        let ids = try tok.encode(text)
        XCTAssertGreaterThan(ids.count, text.unicodeScalars.filter { $0.value > 0x7F }.count / 2)
        var stream = tok.streamingDecoder()
        var pieces = [String]()
        for id in ids { pieces.append(stream.push(id)) }
        pieces.append(stream.finish())
        XCTAssertFalse(pieces.joined().unicodeScalars.contains("\u{FFFD}"))
        XCTAssertTrue(sameScalars(pieces.joined(), text))
        XCTAssertTrue(pieces.contains(""), "some token ends inside a character and must wait")
        // A dangling partial character is flushed by finish() as U+FFFD, like HF's lossy decode.
        var partial = tok.streamingDecoder()
        guard let byteF0 = tok.tokenId("ð") else { return XCTFail("no token for byte 0xF0") }  // byte 0xF0 in GPT-2's byte table
        XCTAssertEqual(partial.push(byteF0), "")
        XCTAssertEqual(partial.finish(), "\u{FFFD}")
        XCTAssertEqual(tok.decode([byteF0]), "\u{FFFD}")
    }

    func testSpecialTokenIdsAndMetadata() throws {
        let ds = try Fixtures.tokenizer("deepseek-r1-distill-qwen")
        XCTAssertEqual(ds.bosToken, "<｜begin▁of▁sentence｜>")
        XCTAssertEqual(ds.bosTokenId, 151646)
        XCTAssertEqual(ds.eosTokenId, 151643)
        XCTAssertEqual(ds.padTokenId, 151643)
        XCTAssertEqual(ds.tokenId("<think>"), 151648)
        XCTAssertFalse(ds.isSpecialToken(151648))
        XCTAssertTrue(ds.isSpecialToken(151643))
        let qwen = try Fixtures.tokenizer("qwen2.5")
        XCTAssertNil(qwen.bosToken)
        XCTAssertEqual(qwen.eosTokenId, 151645)
        XCTAssertEqual(qwen.vocabularySize, 151665)
        XCTAssertEqual(qwen.token(forId: 1879), "Ġworld")
        let llama = try Fixtures.tokenizer("llama-3")
        XCTAssertEqual(llama.bosTokenId, 128000)
        XCTAssertEqual(llama.eosTokenId, 128009)
        XCTAssertEqual(llama.vocabularySize, 128256)
        XCTAssertNotNil(llama.chatTemplate)
    }
}
