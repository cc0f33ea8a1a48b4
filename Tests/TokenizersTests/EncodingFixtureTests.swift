import Foundation
import XCTest
import Tokenizers

/// Ids, offsets and decoded text against HF tokenizers on the ≥3,000-text corpus, for every
/// tokenizer in ../shared/data/tokenizers (fixtures by Scripts/make_tokenizer_fixtures.py).
final class TokenizerEncodingFixtureTests: XCTestCase {
    func testQwen25MatchesHF() throws { try checkCorpus("qwen2.5") }
    func testDeepSeekR1DistillQwenMatchesHF() throws { try checkCorpus("deepseek-r1-distill-qwen") }
    func testLlama3MatchesHF() throws { try checkCorpus("llama-3") }

    func testQwen25FullStar1Hashes() throws { try checkFullStar1("qwen2.5") }
    func testDeepSeekR1DistillQwenFullStar1Hashes() throws { try checkFullStar1("deepseek-r1-distill-qwen") }
    func testLlama3FullStar1Hashes() throws { try checkFullStar1("llama-3") }

    private func checkCorpus(_ name: String) throws {
        let tok = try Fixtures.tokenizer(name)
        let texts = try Fixtures.corpus()
        let rows = try Fixtures.jsonLines("\(name).jsonl")
        guard let meta = try Fixtures.json("\(name).meta.json") as? [String: Any],
              let prefix = meta["special_prefix"] as? [Int], let vocabSize = meta["vocab_size"] as? Int else {
            return XCTFail("\(name).meta.json malformed")
        }
        XCTAssertEqual(tok.vocabularySize, vocabSize)
        XCTAssertEqual(rows.count, texts.count, "fixture and corpus disagree; rerun Scripts/make_tokenizer_fixtures.py")
        XCTAssertGreaterThanOrEqual(texts.count, 2000)
        var failures = 0
        for (k, (text, row)) in zip(texts, rows).enumerated() {
            let expectedIds = row["ids"] as? [Int] ?? []
            let expectedOffsets = Fixtures.offsets(row["off"] as? [Any] ?? [])
            let enc = try tok.encodeWithOffsets(text)
            if enc.ids != expectedIds || !offsetsEqual(enc.offsets, expectedOffsets) {
                failures += 1
                if failures <= 5 {
                    XCTFail("\(name) text #\(k) \(text.debugDescription.prefix(120)):\n ids \(enc.ids.prefix(40))\n hf  \(expectedIds.prefix(40))\n off \(enc.offsets.prefix(20).map { [$0.start, $0.end] })\n hf  \(expectedOffsets.prefix(20).map { [$0.0, $0.1] })")
                }
                continue
            }
            let special = try tok.encodeWithOffsets(text, addSpecialTokens: true)
            let spIds = row["sp"] as? [Int] ?? (prefix + expectedIds)
            let spOff = (row["spoff"] as? [Any]).map(Fixtures.offsets)
                ?? (Array(repeating: (0, 0), count: prefix.count) + expectedOffsets)
            if special.ids != spIds || !offsetsEqual(special.offsets, spOff) {
                failures += 1
                if failures <= 5 { XCTFail("\(name) text #\(k) with special tokens: \(special.ids.prefix(10)) vs \(spIds.prefix(10))") }
            }
            let dec = row["dec"] as? String ?? text
            let decs = row["decs"] as? String ?? dec
            let got = tok.decode(expectedIds), gotSkip = tok.decode(expectedIds, skipSpecialTokens: true)
            if !sameScalars(got, dec) || !sameScalars(gotSkip, decs) {
                failures += 1
                if failures <= 5 { XCTFail("\(name) text #\(k) decode: \(got.debugDescription.prefix(80)) vs \(dec.debugDescription.prefix(80))") }
            }
        }
        XCTAssertEqual(failures, 0, "\(name): \(failures) of \(texts.count) texts differ from HF tokenizers")
    }

    /// Every full STAR-1 question and response: FNV-1a hashes of ids and offsets equal HF's.
    private func checkFullStar1(_ name: String) throws {
        let tok = try Fixtures.tokenizer(name)
        let star = try Fixtures.star1()
        guard let meta = try Fixtures.json("\(name).meta.json") as? [String: Any],
              let hashes = meta["star1_full"] as? [[String]] else { return XCTFail("\(name).meta.json malformed") }
        XCTAssertEqual(hashes.count, star.count)
        var failures = 0
        for (i, (record, expected)) in zip(star, hashes).enumerated() {
            for (field, hash) in zip(["question", "response"], expected) {
                let enc = try tok.encodeWithOffsets(record[field] as? String ?? "")
                let got = Fixtures.fnv1a64(enc.ids) + Fixtures.fnv1a64(enc.offsets.flatMap { [$0.start, $0.end] })
                if got != hash {
                    failures += 1
                    if failures <= 3 { XCTFail("\(name): STAR-1 record \(i) \(field) differs from HF") }
                }
            }
        }
        XCTAssertEqual(failures, 0)
    }
}
