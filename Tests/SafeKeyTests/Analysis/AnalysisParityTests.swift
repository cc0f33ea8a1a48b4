import Foundation
import Models
import SafeKey
import TestSupport
import Tokenizers
import XCTest

/// `AttentionAnalysis`, `ProbeAnalysis` and `KLAnalysis` against PyTorch + transformers
/// (Scripts/make_analyze_fixtures.py; eager attention with `output_attentions`, hidden states with
/// `output_hidden_states`, Newton-fitted logistic regression, pairwise AUC, log-softmax KL).
/// Tolerance 1e-4 absolute on every number (f32 forward on both sides; measured worst differences
/// are printed by the assertions when they fail).
final class AnalysisParityTests: XCTestCase {
    private var expected: JSONValue = .null
    private var modelA: DecoderModel!
    private var modelB: DecoderModel!
    private var records: [AnalysisRecord] = []

    override func setUpWithError() throws {
        expected = try AnalyzeFixture.expected()
        let (a, b) = try AnalyzeFixture.folders(for: self)
        modelA = try DecoderModel(folder: a)
        modelB = try DecoderModel(folder: b)
        let encoder = try RecordEncoder(tokenizer: try Tokenizer(path: a))
        let (read, _) = try RecordReader.read(path: AnalyzeFixture.records)
        records = try read.map { AnalysisRecord(id: $0.id, example: try encoder.encode($0)) }
    }

    private var withSpans: [AnalysisRecord] { records.filter(\.example.auxiliary) }

    func testRecordsEncodeAsTheFixture() throws {
        let want = try XCTUnwrap(expected["records"]?.arrayValue)
        XCTAssertEqual(records.count, want.count)
        for (r, w) in zip(records, want) {
            XCTAssertEqual(r.id, w["id"]?.stringValue)
            XCTAssertEqual(r.example.inputIds, w["input_ids"]?.intArray, "ids of \(r.id): the tokenizer or template changed; rerun Scripts/make_analyze_fixtures.py")
            XCTAssertEqual(r.example.promptLength, w["prompt_length"]?.intValue, r.id)
            if let ks = w["key_start"]?.intValue {
                XCTAssertTrue(r.example.auxiliary, r.id)
                XCTAssertEqual(r.example.keyStart, ks, r.id)
                XCTAssertEqual(r.example.keyEnd, w["key_end"]?.intValue, r.id)
            } else {
                XCTAssertFalse(r.example.auxiliary, "\(r.id) has no U/K offsets")
            }
        }
    }

    func testAttentionMatchesTransformers() throws {
        let byLayer = try XCTUnwrap(expected["attention"]?.objectValue?.dictionary).mapValues { $0.arrayValue ?? [] }
        XCTAssertEqual(Set(byLayer.keys), ["0", "2"])
        for (layerText, rows) in byLayer {
            let layer = try XCTUnwrap(Int(layerText))
            XCTAssertEqual(rows.count, withSpans.count)
            for (r, w) in zip(withSpans, rows) {
                let m = try AttentionAnalysis.measure(model: modelA, record: r, layer: layer)
                XCTAssertEqual(m.id, w["id"]?.stringValue)
                assertNear(m.kToU, try XCTUnwrap(w["k_to_u"]?.doubleValue), 1e-4, "k_to_u \(r.id) layer \(layer)")
                assertNear(m.kToPrompt, try XCTUnwrap(w["k_to_prompt"]?.doubleValue), 1e-4, "k_to_prompt \(r.id) layer \(layer)")
            }
        }
        XCTAssertEqual(try AttentionAnalysis.resolveLayer(nil, model: modelA), 2, "default: the last layer")
        XCTAssertThrowsError(try AttentionAnalysis.resolveLayer(3, model: modelA))
    }

    func testProbeFeaturesFoldsAndScoresMatch() throws {
        let probe = try XCTUnwrap(expected["probe"]?.objectValue)
        let f = try ProbeAnalysis.features(model: modelA, records: withSpans)
        XCTAssertEqual(f.ids, probe["ids"]?.stringArray)
        XCTAssertEqual(f.labels, probe["labels"]?.arrayValue?.compactMap(\.boolValue))
        let wantFeatures = try XCTUnwrap(probe["features"]?.arrayValue).map { try XCTUnwrap($0.arrayValue).map { try XCTUnwrap($0.doubleArray) } }
        XCTAssertEqual(f.levels.count, wantFeatures.count, "embeddings + 3 blocks' outputs (the last after the final norm)")
        var worst = 0.0
        for (level, rows) in wantFeatures.enumerated() {
            for (i, row) in rows.enumerated() {
                for (c, v) in row.enumerated() { worst = max(worst, abs(Double(f.levels[level][i * f.width + c]) - v)) }
            }
        }
        XCTAssertLessThanOrEqual(worst, 1e-4, "features: worst |diff| \(worst)")
        print("analyze parity: per-level features, worst |Swift − transformers| = \(worst)")

        let k = try XCTUnwrap(probe["folds_count"]?.intValue), seed = try XCTUnwrap(probe["seed"]?.intValue)
        let folds = ProbeFolds.assign(labels: f.labels, folds: k, seed: UInt64(seed))
        XCTAssertEqual(folds, probe["folds"]?.intArray, "fold assignment (SplitMix64 Fisher–Yates, stratified)")

        // With PyTorch's own features the probe must reproduce Newton's optimum closely; with ours,
        // within the features' f32 difference.
        let exact = ProbeAnalysis.Features(levels: wantFeatures.map { $0.flatMap { $0.map(Float.init) } }, labels: f.labels, ids: f.ids, width: f.width)
        let levels = try XCTUnwrap(probe["levels"]?.arrayValue)
        var worstScore = [0.0, 0.0]
        for w in levels {
            let level = try XCTUnwrap(w["level"]?.intValue)
            let want = AnalyzeFixture.doubles(w["scores"]).map { $0! }
            for (which, (features, tol)) in [(exact, 1e-6), (f, 1e-4)].enumerated() {
                let r = ProbeAnalysis.probe(level: level, features: features, folds: folds, foldCount: k, l2: try XCTUnwrap(probe["l2"]?.doubleValue))
                for (i, (s, t)) in zip(r.scores, want).enumerated() {
                    assertNear(s, t, tol, "held-out logit of record \(i), level \(level)")
                    worstScore[which] = max(worstScore[which], abs(s - t))
                }
                XCTAssertEqual(r.accuracy, try XCTUnwrap(w["accuracy"]?.doubleValue), accuracy: 1e-12, "accuracy level \(level)")
                XCTAssertEqual(r.auc, try XCTUnwrap(w["auc"]?.doubleValue), accuracy: 1e-12, "AUC level \(level)")
            }
        }
        print("analyze parity: held-out logits vs Newton, worst |diff| \(worstScore[0]) (PyTorch's features), \(worstScore[1]) (ours)")
    }

    func testSafetyHeadsMatch() throws {
        let dpsh = try XCTUnwrap(expected["probe"]?["dpsh"]?.objectValue)
        let head = try SafetyHead(file: AnalyzeFixture.directory + "/model-a/safety_head.safetensors", hiddenSize: modelA.config.hiddenSize)
        let h = try ProbeAnalysis.heads(head, model: modelA, records: withSpans)
        for (got, key) in [(h.understandingLogits, "c_head_logits"), (h.contextLogits, "ctx_head_logits")] {
            let want = AnalyzeFixture.doubles(dpsh[key]).map { $0! }
            XCTAssertEqual(got.count, want.count)
            for (i, (g, w)) in zip(got, want).enumerated() { assertNear(g, w, 1e-4, "\(key)[\(i)]") }
        }
        XCTAssertEqual(h.understandingAccuracy, try XCTUnwrap(dpsh["c_head_accuracy"]?.doubleValue), accuracy: 1e-12)
        XCTAssertEqual(h.understandingAUC, try XCTUnwrap(dpsh["c_head_auc"]?.doubleValue), accuracy: 1e-12)
        XCTAssertEqual(h.contextAccuracy, try XCTUnwrap(dpsh["ctx_head_accuracy"]?.doubleValue), accuracy: 1e-12)
        XCTAssertEqual(h.contextAUC, try XCTUnwrap(dpsh["ctx_head_auc"]?.doubleValue), accuracy: 1e-12)
    }

    func testKLMatchesPerPrefixForwards() throws {
        let kl = try XCTUnwrap(expected["kl"]?.objectValue)
        let ks = try XCTUnwrap(kl["ks"]?.intArray)
        let rows = try XCTUnwrap(kl["records"]?.arrayValue)
        XCTAssertEqual(rows.count, records.count)
        try KLAnalysis.checkCompatible(modelA, modelB)
        var nulls = 0
        for (r, w) in zip(records, rows) {
            let m = try KLAnalysis.measure(model: modelA, reference: modelB, record: r, ks: ks)
            let want = try XCTUnwrap(w["kl"]?.objectValue)
            for (k, got) in zip(ks, m.kl) {
                if let t = want[String(k)]?.doubleValue {
                    assertNear(try XCTUnwrap(got, "\(r.id) k=\(k)"), t, 1e-4, "KL \(r.id) k=\(k)")
                } else {
                    XCTAssertNil(got, "\(r.id) has fewer than \(k) response tokens")
                    nulls += 1
                }
            }
        }
        XCTAssertGreaterThan(nulls, 0, "the fixture has a record shorter than the largest k")
        // A model against itself: zero.
        let same = try KLAnalysis.measure(model: modelA, reference: modelA, record: records[0], ks: [1, 5])
        for v in same.kl { XCTAssertEqual(try XCTUnwrap(v), 0, accuracy: 1e-9) }
    }
}
