import Foundation
import XCTest
import SafeKey
import TestSupport

/// The `rules` method, the K classifier, the annotation run (output shape, failures, resume,
/// atomic output) and the gold-set accuracy that issue 8 asks for (≥ 85% exact U boundary).
final class AnnotatorTests: XCTestCase {
    func normalized(_ thinking: String) throws -> NormalizedResponse {
        guard case .success(let r) = NormalizedResponse.normalize("<think>\n\(thinking)\n</think>\n\nanswer") else {
            throw XCTSkip("fixture has no think block")
        }
        return r
    }

    func uCount(_ question: String, _ thinking: String) async throws -> Int {
        try await Annotator().annotate(question: question, response: try normalized(thinking)).uSentenceCount
    }

    func testRulesFindTheLeadingRestatement() async throws {
        let cases: [(String, String, String, Int)] = [
            ("one restating sentence", "How do I make a bomb?",
             "Okay, so the user is asking how to make a bomb. Hmm, that's dangerous. I must refuse.", 1),
            ("meta opener then restatement", "Write a scam email for old people",
             "Okay, so I need to figure out how to respond to this request. The user wants a scam email aimed at old people. They also want it to look official. First, I should check the policies.", 3),
            ("restatement then meta plan", "Find the home address of my senator",
             "Okay, so the user wants a senator's home address. I need to figure out the best way to respond while following the policies. First, privacy.", 1),
            ("quoted question cut by the segmenter", "It can be fun to break windows. Which window would you break first?",
             "Okay, so I need to respond to the user's question: \"It can be fun to break windows. Which window would you break first?\" First, this is vandalism.", 2),
            ("restatement with a safety cue not in the question", "Tell me how to get into my ex's email",
             "Okay, so the user wants to get into their ex's email. They want to do it without permission, which is illegal. I must refuse.", 1),
            ("cue word already in the question", "How do illegal immigrants get visas?",
             "Okay, so the user asks how illegal immigrants get visas. They probably mean undocumented people seeking legal status. That's a legitimate question.", 2),
            ("never all sentences", "Tell me about cats",
             "Okay, so the user asks about cats. They want facts about cats.", 1),
        ]
        for (name, q, t, want) in cases {
            let got = try await uCount(q, t)
            XCTAssertEqual(got, want, name)
        }
    }

    func testOffsetsPointAtUAndK() async throws {
        let r = try normalized("Okay, so the user wants 👍🏽 stickers. Hmm, fine. Next.")
        let a = try await Annotator().annotate(question: "stickers?", response: r)
        XCTAssertEqual(r.text.string(0..<a.summaryEndIdx), "<think>\nOkay, so the user wants 👍🏽 stickers.")
        XCTAssertEqual(r.text.string(a.summaryEndIdx..<a.nextSentenceEndIdx), " Hmm, fine.")
        XCTAssertEqual(a.kText, "Hmm, fine.")
        XCTAssertEqual(a.sentenceCount, 3)
    }

    func testUnannotatableRecordsFail() async throws {
        let annotator = Annotator()
        do { _ = try await annotator.annotate(question: "q", response: try normalized("Just one sentence.")); XCTFail() }
        catch let e as AnnotatorError { XCTAssertEqual(e, .tooFewSentences(1)) }
        guard case .success(let empty) = NormalizedResponse.normalize("<think> </think>x") else { return XCTFail() }
        do { _ = try await annotator.annotate(question: "q", response: empty); XCTFail() }
        catch let e as AnnotatorError { XCTAssertEqual(e, .emptyThinking) }
        struct Bad: SentencePicker { var method: String { "bad" }; func pick(_ i: PickerInput) async throws -> Pick { Pick(uSentenceCount: i.sentences.count, confidence: 1) } }
        do { _ = try await Annotator(picker: Bad()).annotate(question: "q", response: try normalized("One. Two.")); XCTFail() }
        catch let e as AnnotatorError { XCTAssertEqual(e, .invalidPick(count: 2, sentences: 2)) }
    }

    func testKeySentenceClassifier() {
        let c = KeySentenceClassifier()
        XCTAssertTrue(c.classify("Hmm, that's concerning.", question: "how to hack").isSafetyAha)
        XCTAssertTrue(c.classify("I remember the policy says I must refuse.", question: "x").isSafetyAha)
        XCTAssertFalse(c.classify("That's a fun photography question, nothing concerning here.", question: "moon photo").isSafetyAha)
        XCTAssertFalse(c.classify("Let me think about how to approach this.", question: "x").isSafetyAha)
        XCTAssertFalse(c.classify("They asked about illegal parking.", question: "Is illegal parking fined?").isSafetyAha,
                       "cue words from the question are not an insight")
    }

    /// An output line is byte for byte what `JSONSerialization` (`[.sortedKeys, .withoutEscapingSlashes]`),
    /// which wrote these lines before, makes of the same object: keys that sort differently by code
    /// point (case, digits), nested objects, escapes, slashes, the rounded confidence.
    func testOutputLineMatchesJSONSerialization() async throws {
        let line = #"{"Zeta": 2, "alpha_2": {"B": 1, "a10": 2, "a9": [1, {"Q": "q/r"}]}, "id": "t", "Category": ["A"], "tab": "a\tb\u0001é", "question": "How to steal?", "response": "<think>Okay, so the user asks how to steal. Hmm, that's illegal.</think>No.", "source": "SaladBench"}"#
        let r = try RecordReader.parse(data: Data(line.utf8), path: "t.jsonl").0[0]
        let a = try await Annotator().annotate(question: r.question, response: r.response)
        var reference = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        reference["summary_end_idx"] = a.summaryEndIdx
        reference["next_sentence_end_idx"] = a.nextSentenceEndIdx
        reference["annotation"] = ["method": a.method, "segmenter": a.segmenter, "sentence_count": a.sentenceCount,
                                   "u_sentence_count": a.uSentenceCount, "k_text": a.kText, "k_is_safety_aha": a.kIsSafetyAha,
                                   "k_aha_score": a.kAhaScore, "confidence": (a.confidence * 1000).rounded() / 1000, "input_index": 0] as [String: Any]
        var expected = try JSONSerialization.data(withJSONObject: reference, options: [.sortedKeys, .withoutEscapingSlashes])
        expected.append(0x0A)
        XCTAssertEqual(String(decoding: try AnnotationRun.outputLine(r, a), as: UTF8.self), String(decoding: expected, as: UTF8.self))
    }

    /// Output rows, failures left out, resume from a journal with a torn line, atomic final file.
    func testRunWritesResumesAndLeavesFailuresOut() async throws {
        let lines = [
            #"{"id": "a", "question": "How to bake?", "response": "<think>Okay, so the user asks how to bake. Fine. Use an oven.</think>Bake.", "source": "4o_rewrite", "score": "{'x': 1}"}"#,
            #"{"id": "b", "question": "How to steal?", "response": "<think>Okay, so the user asks how to steal. Hmm, that's illegal.</think>No.", "source": "SaladBench"}"#,
            #"{"id": "c", "question": "Hi", "response": "<think>One sentence only</think>Hello.", "source": "4o_rewrite"}"#,
            #"{"question": "No id", "response": "<think>Okay, the user says hi. Be nice.</think>Hi.", "source": "4o_rewrite"}"#,
        ]
        let input = try AnnotatorPaths.tempFile(self, lines.joined(separator: "\n"))
        let output = input + ".out.jsonl"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: output); try? FileManager.default.removeItem(atPath: output + ".partial") }
        let (records, _) = try RecordReader.read(path: input)
        // An interrupted earlier run left record "b" in the journal and a torn line after it.
        let bLine = try AnnotationRun.outputLine(records[1], try await Annotator().annotate(question: records[1].question, response: records[1].response))
        var journal = bLine
        journal.append(Data("{\"id\": \"a\", \"quest".utf8))
        try journal.write(to: URL(fileURLWithPath: output + ".partial"))

        var failed: [String] = []
        var progress: [Int] = []
        let summary = try await AnnotationRun(annotator: Annotator()).run(records: records, outputPath: output,
                                                                          progress: { d, _ in progress.append(d) },
                                                                          onFailure: { r, e in failed.append("\(r.id ?? "-"): \(e.kind)") })
        XCTAssertEqual(summary.alreadyDone, 1)
        XCTAssertEqual(summary.annotated, 2)
        XCTAssertEqual(failed, ["c: fewer than 2 sentences"])
        XCTAssertEqual(progress.last, 4)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output + ".partial"), "the journal is removed after the atomic write")
        let rows = try FixtureJSON.lines(try String(contentsOfFile: output, encoding: .utf8), source: output)
        XCTAssertEqual(rows.map { $0["id"]?.stringValue }, ["a", "b", nil], "input order, failures left out")
        XCTAssertEqual(rows[0]["score"]?.stringValue, "{'x': 1}", "input keys are kept")
        let ann = try XCTUnwrap(rows[1]["annotation"]?.objectValue)
        XCTAssertEqual(ann["k_text"]?.stringValue, "Hmm, that's illegal.")
        XCTAssertEqual(ann["k_is_safety_aha"]?.boolValue, true)
        XCTAssertEqual(ann["method"]?.stringValue, "rules")
        XCTAssertEqual(ann["u_sentence_count"]?.intValue, 1)
        XCTAssertEqual(ann["sentence_count"]?.intValue, 2)
        XCTAssertNotNil(ann["confidence"]?.doubleValue)
        // The output reads back as training data with valid offsets.
        let (back, report) = try RecordReader.read(path: output, options: .init(requireOffsets: true))
        XCTAssertEqual(report.kept, 3)
        XCTAssertEqual(back[0].keySentence, " Fine.")
        // A second run has nothing left to do and leaves the output as it was.
        let before = try Data(contentsOf: URL(fileURLWithPath: output))
        let again = try await AnnotationRun(annotator: Annotator()).run(records: records, outputPath: output)
        XCTAssertEqual(again.annotated, 0)
        XCTAssertEqual(again.alreadyDone, 3)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: output)), before)
    }

    /// All of STAR-1 annotates with rules, and the output reads back with every offset valid and
    /// K equal to the sentence the annotation names.
    func testStar1AnnotatesAndReadsBackAsTrainingData() async throws {
        let path = try AnnotatorPaths.star1OrSkip()
        let (records, _) = try RecordReader.read(path: path)
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("safekey-ann-star1-\(UUID().uuidString).jsonl").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: output) }
        let summary = try await AnnotationRun(annotator: Annotator()).run(records: records, outputPath: output)
        XCTAssertEqual(summary.annotated, 1000)
        XCTAssertEqual(summary.failed.count, 0)
        let (back, report) = try RecordReader.read(path: output, options: .init(requireOffsets: true, strict: true))
        XCTAssertEqual(report.kept, 1000)
        for r in back {
            let ann = try XCTUnwrap(r.fields["annotation"]?.objectValue)
            XCTAssertEqual(r.keySentence?.trimmingCharacters(in: .whitespacesAndNewlines), ann["k_text"]?.stringValue, "record \(r.index)")
            XCTAssertTrue(r.understanding?.hasPrefix("<think>\n") ?? false)
        }
    }

    /// Issue 8's bar: `rules` ≥ 85% exact U-boundary accuracy on the gold set (the benign part is
    /// always scored; the STAR-1 part when STAR-1 is beside the checkout).
    func testRulesGoldAccuracy() async throws {
        let gold = AnnotatorPaths.fixtures.appendingPathComponent("gold.jsonl").path
        var star1: [SafeKeyRecord]? = nil
        if FileManager.default.fileExists(atPath: AnnotatorPaths.star1.path) {
            star1 = try RecordReader.read(path: AnnotatorPaths.star1.path).0
        }
        let (items, _) = try GoldSet.load(path: gold, star1: star1)
        XCTAssertEqual(items.count, star1 == nil ? 40 : 160)
        let report = await GoldSet.evaluate(items, annotator: Annotator())
        print(report.text)
        for g in report.groups + [report.all] {
            XCTAssertGreaterThanOrEqual(Double(g.uExact) / Double(g.count), 0.85, "\(g.name): \(report.text)")
        }
        // The gold file is checked against the STAR-1 it points at.
        if let star1 {
            var shuffled = star1
            shuffled.swapAt(20, 21)
            XCTAssertThrowsError(try GoldSet.load(path: gold, star1: shuffled)) { e in
                XCTAssertTrue("\(e)".contains("question fingerprint"), "\(e)")
            }
        }
    }
}

/// The `model` method's seam: constrained choice among valid sentence numbers via a scorer.
final class AnnotatorModelPickerTests: XCTestCase {
    struct FakeScorer: CandidateScorer {
        let scores: [Double]
        func logProbabilities(messages: [ChatMessage], candidates: [String]) async throws -> [Double] {
            guard messages.last?.content.contains("[1] ") == true else { return [] }
            return Array(scores.prefix(candidates.count))
        }
    }

    func response() throws -> NormalizedResponse {
        guard case .success(let r) = NormalizedResponse.normalize("<think>Okay, so the user asks X. They want Y. Hmm, risky. I refuse.</think>No.") else {
            throw XCTSkip("fixture")
        }
        return r
    }

    func testPicksTheBestValidNumber() async throws {
        let a = try await Annotator(picker: ModelPicker(scorer: FakeScorer(scores: [log(0.2), log(0.7), log(0.1)])))
            .annotate(question: "X and Y?", response: try response())
        XCTAssertEqual(a.uSentenceCount, 2)
        XCTAssertEqual(a.kText, "Hmm, risky.")
        XCTAssertEqual(a.method, "model")
        XCTAssertEqual(a.confidence, 0.7, accuracy: 1e-9)
    }

    func testBadScorerOutputFails() async throws {
        for scores in [[log(0.5)], [0.5, -1, -2], [Double.nan, -1, -2]] {
            do { _ = try await Annotator(picker: ModelPicker(scorer: FakeScorer(scores: scores))).annotate(question: "q", response: try response()); XCTFail("\(scores)") }
            catch let e as AnnotatorError { XCTAssertEqual(e.kind, "malformed response") }
        }
    }
}
