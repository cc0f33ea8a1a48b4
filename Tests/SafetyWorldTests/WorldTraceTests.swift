import Foundation
import SafeKey
import SafetyWorld
import XCTest

/// Traces: the LRM shape, exact U/K offsets (checked against SafeKey's normaliser and sentence
/// segmenter, which are checked against Python), key sentences of each kind, and record round trips.
final class WorldTraceTests: XCTestCase {
    func allExamples(_ n: Int = 250, seed: UInt64 = 21) throws -> [WorldExample] {
        try WorldSetKind.allCases.flatMap { try SafetyWorld.examples($0, count: n, seed: seed) }
    }

    func testResponsesAreAlreadyNormalised() throws {
        for e in try allExamples() {
            guard case let .success(n) = NormalizedResponse.normalize(e.response.text) else { return XCTFail("no think block: \(e.id)") }
            XCTAssertEqual(n.string, e.response.text, e.id)
            XCTAssertEqual(n.thinking, e.response.thinking)
            XCTAssertEqual(n.answer, e.response.answer)
            XCTAssertTrue(e.response.text.hasPrefix("<think>\n"))
            XCTAssertFalse(e.response.thinking.contains("\n"))
        }
    }

    /// U ends exactly where the restatement ends and K is exactly the next sentence, under both of
    /// SafeKey's segmenters (the reference regex split and the improved one).
    func testOffsetsMatchSentenceBoundaries() throws {
        for e in try allExamples() {
            let t = ScalarText(e.response.text)
            let s = e.response.summaryEndIdx, n = e.response.nextSentenceEndIdx
            XCTAssertEqual(t.string(0..<s), "<think>\n" + e.prompt.understanding.joined(separator: " "), e.id)
            XCTAssertEqual(t.string(s..<n), " " + e.response.keySentence, e.id)
            XCTAssertTrue(e.response.keySentence.hasSuffix("."))
            guard case let .success(norm) = NormalizedResponse.normalize(e.response.text) else { return XCTFail() }
            for mode in SentenceSegmenter.Mode.allCases {
                let sentences = SentenceSegmenter(mode: mode).sentences(in: norm)
                let u = e.prompt.understanding.count
                XCTAssertGreaterThan(sentences.count, u + 1, "\(mode) \(e.id)")
                guard sentences.count > u else { continue }
                XCTAssertEqual(sentences[u - 1].upperBound, s, "\(mode) U end \(e.id): \(e.response.text)")
                XCTAssertEqual(sentences[u].upperBound, n, "\(mode) K end \(e.id)")
                XCTAssertEqual(t.string(sentences[u]), e.response.keySentence, "\(mode) \(e.id)")
            }
        }
    }

    func testOffsetsCountUnicodeScalars() throws {
        // Curly quotes and emoji are not in the lexicons, but the contract is scalar counting:
        // U's end equals the scalar length of "<think>\n" + U.
        for e in try SafetyWorld.examples(.seenJailbreaks, count: 50, seed: 1) {
            XCTAssertEqual(e.response.summaryEndIdx, ("<think>\n" + e.prompt.understanding.joined(separator: " ")).unicodeScalars.count)
        }
    }

    func testKeySentenceKinds() throws {
        let compliant = ["Let me lay out the steps.", "Sure, I can walk through this.", "That is simple enough, so I will help."]
        for e in try allExamples(200, seed: 3) {
            let k = e.response.keySentence
            if !e.request.harmful {
                XCTAssertTrue(k.contains("help"), k)
                XCTAssertFalse(k.hasPrefix("Hmm") || k.hasPrefix("Wait"), k)
                XCTAssertTrue(e.response.answer.hasPrefix("Here is how to "), e.response.answer)
            } else if e.trace == .safe {
                XCTAssertTrue(k.hasPrefix("Hmm,") || k.hasPrefix("Wait,"), k)
                if e.prompt.family != nil {
                    XCTAssertTrue(k.contains("does not change the fact that") || k.contains("even with"), k)
                } else {
                    XCTAssertTrue(k.contains("because"), k)
                }
                XCTAssertFalse(e.response.answer.contains("Step "), e.response.answer)
            } else {
                XCTAssertTrue(compliant.contains(k), k)
                XCTAssertTrue(e.response.answer.hasPrefix("Sure. Here is how to "))
                XCTAssertTrue(e.response.answer.contains("["), "compliant steps stay placeholder-level")
            }
            XCTAssertTrue(e.prompt.understanding[0].hasPrefix("Okay, so") || e.prompt.understanding[0].hasPrefix("Alright,")
                          || e.prompt.understanding[0].hasPrefix("So the user"), e.prompt.understanding[0])
        }
    }

    func testSelfHarmRefusalsPointToSupport() throws {
        for e in try SafetyWorld.examples(.plainHarmful, count: 400, seed: 6) where e.request.category == .selfHarm {
            XCTAssertTrue(e.response.answer.contains("crisis line"))
        }
    }

    func testRecordsRoundTripThroughSafeKeyReader() throws {
        let examples = try allExamples(80, seed: 13)
        let jsonl = examples.map { $0.record.jsonLine() }.joined(separator: "\n") + "\n"
        let (records, report) = try RecordReader.parse(data: Data(jsonl.utf8), path: "world.jsonl", options: .init(requireOffsets: true, strict: true))
        XCTAssertEqual(report.kept, examples.count)
        for (r, e) in zip(records, examples) {
            XCTAssertEqual(r.question, e.prompt.question)
            XCTAssertEqual(r.unsafe, e.request.harmful)
            XCTAssertEqual(r.category, [e.request.category.rawValue])
            XCTAssertEqual(r.understanding, "<think>\n" + e.prompt.understanding.joined(separator: " "))
            XCTAssertEqual(r.keySentence, " " + e.response.keySentence)
            XCTAssertEqual(r.response.string, e.response.text)
        }
    }

    func testRecordJSONShape() throws {
        let e = try SafetyWorld.examples(.heldOutJailbreaks, count: 10, seed: 2)
        let multi = try XCTUnwrap(e.first { $0.prompt.family == .earlierAlias })
        let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(multi.record.jsonLine().utf8)) as? [String: Any])
        for k in ["question", "response", "source", "category", "summary_end_idx", "next_sentence_end_idx", "unsafe", "id", "set", "split", "trace", "jailbreak_family", "conversation"] {
            XCTAssertNotNil(obj[k], k)
        }
        XCTAssertNil(obj["prefill"])
        XCTAssertEqual(obj["jailbreak_family"] as? String, "earlier-alias")
        XCTAssertFalse(multi.record.jsonLine().contains("\\/"))
        let p = try SafetyWorld.examples(.prefill, count: 1, seed: 2)[0]
        XCTAssertNotNil(p.record.prefill)
    }
}
