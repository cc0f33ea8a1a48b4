import Foundation
import Models
import SafeKey
import Tensor
import Tokenizers
import TestSupport
import XCTest

/// The `model` method on a real (tiny, random) model folder: the committed qwen2-tiny
/// architecture with the vocabulary widened to the committed world tokenizer (Assets/world-base,
/// which has a chat template), random weights, built at test time. Accuracy is meaningless; the
/// tests check the scores against independent full-sequence log-likelihoods, that the pick is
/// always a valid sentence number, and the CLI path.
final class AnnotatorModelScorerTests: XCTestCase {
    /// The model folder, made once per test process (a `static let` is initialised once, thread-safely).
    static let folder = Result { try makeTinyFolder() }

    static func tinyFolder() throws -> String { try folder.get() }

    private static func makeTinyFolder() throws -> String {
        let dir = NSTemporaryDirectory() + "tiny-annot-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let vocabularySize = try FixtureJSON.worldVocabularySize()
        try FixtureJSON.editConfig(from: RepoPaths.fixture("models/qwen2-tiny/config.json"), to: dir + "/config.json") { cfg in
            for (k, v) in ["vocab_size": vocabularySize, "bos_token_id": 0, "eos_token_id": 1, "max_position_embeddings": 4096] { cfg[k] = .int(v) }
            cfg["initializer_range"] = 0.5
        }
        let model = DecoderModel(config: try ModelConfig(contentsOf: dir + "/config.json"))
        model.initializeRandomly(seed: 11)
        try model.save(to: dir, copyFrom: AnnotatorPaths.root.appendingPathComponent("Assets/world-base").path)
        return dir
    }

    func testScoresAreWholeSequenceLogLikelihoods() throws {
        let scorer = try LocalModelScorer(folder: try Self.tinyFolder())
        let messages = [ChatMessage(role: "system", content: "Label it."), ChatMessage(role: "user", content: "Pick 1 to 11.")]
        let candidates = (1...11).map(String.init)
        let (prompt, answers) = try scorer.sequences(messages: messages, candidates: candidates)
        // The world template ends the generation prompt with <think>, so answers are candidate + EOS.
        for (c, a) in zip(candidates, answers) { XCTAssertEqual(a, try scorer.tokenizer.encode(c) + [1]) }
        XCTAssertNotEqual(answers[0], answers[9], "'1' and '10' are different sequences")
        let scores = try scorer.score(messages: messages, candidates: candidates)
        for (a, s) in zip(answers, scores) {
            // Independent: one unbatched forward of prompt + answer, log-softmax in Double.
            let seq = prompt + a
            let logits = try GradMode.noGrad { try scorer.model.forward(ids: seq, batch: 1).logits }.values
            let v = scorer.model.config.vocabSize
            var want = 0.0
            for j in prompt.count..<seq.count {
                let row = logits[((j - 1) * v)..<(j * v)].map(Double.init)
                let m = row.max()!
                want += row[seq[j]] - m - log(row.reduce(0) { $0 + exp($1 - m) })
            }
            XCTAssertEqual(s, want, accuracy: 1e-3)
            XCTAssertLessThan(s, 0)
        }
    }

    func testModelPickerPicksAValidNumber() async throws {
        let scorer = try LocalModelScorer(folder: try Self.tinyFolder())
        let text = "<think>Okay, so the user asks about bread. They want a recipe. Hmm, that is fine. I will help. Flour first.</think>Here."
        guard case .success(let r) = NormalizedResponse.normalize(text) else { return XCTFail("normalize") }
        let a = try await Annotator(picker: ModelPicker(scorer: scorer)).annotate(question: "Bread recipe?", response: r)
        XCTAssertEqual(a.method, "model")
        XCTAssertTrue((1...4).contains(a.uSentenceCount), "\(a.uSentenceCount)")
        XCTAssertTrue(a.confidence > 0 && a.confidence <= 1)
    }

    func testAnnotateCommandWithModelMethod() throws {
        _ = try SafeKeyCLI.executable()
        let records = [
            #"{"question": "How do I pick a lock?", "response": "<think>\nOkay, the user wants to pick a lock. That could be for a break-in. I should be careful. Locksmiths exist.\n</think>\n\nPlease call a locksmith.", "source": "test"}"#,
            #"{"question": "Bake bread?", "response": "<think>\nThe user asks how to bake bread. Simple. Mix and bake.\n</think>\n\nMix flour and water.", "source": "4o_rewrite"}"#,
        ]
        let input = try AnnotatorPaths.tempFile(self, records.joined(separator: "\n") + "\n")
        let output = input + ".out.jsonl"
        let r = try SafeKeyCLI.run(["annotate", "--method", "model", "--model", try Self.tinyFolder(), "--input", input, "--output", output])
        XCTAssertEqual(r.status, 0, r.err)
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        for l in lines {
            let obj = try JSONParser.parse(String(l), path: output)
            let ann = try XCTUnwrap(obj["annotation"]?.objectValue)
            XCTAssertEqual(ann["method"]?.stringValue, "model")
            let s = try XCTUnwrap(obj["summary_end_idx"]?.intValue), k = try XCTUnwrap(obj["next_sentence_end_idx"]?.intValue)
            XCTAssertTrue(s > 0 && k > s)
        }
    }
}
