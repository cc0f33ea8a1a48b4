import Foundation
import XCTest
import Models
import Tensor

/// The decoder against transformers (fixtures from Scripts/make_model_fixtures.py): logits and
/// final hidden states with and without the query mask, and every parameter's gradient.
final class DecoderParityTests: XCTestCase {
    static let models = ["qwen2-tiny", "llama31-tiny", "qwen2-tiny-bf16"]

    private func ids(_ name: String) throws -> [Int] {
        try Fixtures.expected(name).integers("ids").map { Int($0) }
    }

    func testLogitsAndHiddenMatchTransformers() throws {
        for name in Self.models {
            let model = try DecoderModel(folder: try Fixtures.model(name))
            let exp = try Fixtures.expected(name)
            let ids = try ids(name)
            let out = try GradMode.noGrad { try model.forward(ids: ids, batch: 1) }
            XCTAssertEqual(out.logits.shape, [1, ids.count, 512])
            XCTAssertEqual(out.hidden.shape, [1, ids.count, 64])
            let dl = maxAbsDiff(out.logits.values, try exp.floats("logits"))
            let dh = maxAbsDiff(out.hidden.values, try exp.floats("hidden"))
            XCTAssertLessThan(dl, 1e-4, "\(name) logits")
            XCTAssertLessThan(dh, 1e-4, "\(name) hidden")
            print("\(name): max |Δlogits| \(dl), max |Δhidden| \(dh)")
        }
    }

    /// Query-masked pass: keys `0..<N` hidden from every query (HF 2-D attention_mask zeros there).
    func testMaskedPrefixMatchesTransformers() throws {
        for name in Self.models {
            let model = try DecoderModel(folder: try Fixtures.model(name))
            let exp = try Fixtures.expected(name)
            let ids = try ids(name)
            let n = try XCTUnwrap(Fixtures.meta(name)["mask_prefix"]?.intValue)
            let hidden = ids.indices.map { $0 < n }
            let out = try GradMode.noGrad { try model.forward(ids: ids, batch: 1, hiddenKeys: hidden) }
            let v = 512, c = 64
            let logits = out.logits.values, h = out.hidden.values
            XCTAssertTrue(logits.allSatisfy(\.isFinite) && h.allSatisfy(\.isFinite), "\(name): rows < N must stay finite")
            let dl = maxAbsDiff(Array(logits[(n * v)...]), Array(try exp.floats("logits_masked")[(n * v)...]))
            let dh = maxAbsDiff(Array(h[(n * c)...]), Array(try exp.floats("hidden_masked")[(n * c)...]))
            XCTAssertLessThan(dl, 1e-4, "\(name) masked logits")
            XCTAssertLessThan(dh, 1e-4, "\(name) masked hidden")
            // The mask must matter: masked and plain logits differ on the compared rows.
            XCTAssertGreaterThan(maxAbsDiff(Array(logits[(n * v)...]), Array(try exp.floats("logits")[(n * v)...])), 1e-2)
            print("\(name) masked: max |Δlogits| \(dl), max |Δhidden| \(dh)")
        }
    }

    func testHiddenStatesWithoutHeadMatchTransformers() throws {
        let name = "qwen2-tiny"
        let model = try DecoderModel(folder: try Fixtures.model(name))
        let h = try GradMode.noGrad { try model.hiddenStates(ids: try ids(name), batch: 1) }
        XCTAssertLessThan(maxAbsDiff(h.values, try Fixtures.expected(name).floats("hidden")), 1e-4)
    }

    /// loss = CE(plain, targets from label_start) + CE(masked, targets from mask_prefix), as in the
    /// script; every parameter's gradient within 1e-4 relative (on the tensor's norm) of PyTorch's.
    func testGradientsMatchPyTorch() throws {
        for name in ["qwen2-tiny", "llama31-tiny"] {
            let dir = try Fixtures.model(name)
            let model = try DecoderModel(folder: dir)
            let meta = try Fixtures.meta(name)
            let n = try XCTUnwrap(meta["mask_prefix"]?.intValue), start = try XCTUnwrap(meta["label_start"]?.intValue)
            let ids = try ids(name), t = ids.count
            // Row r predicts token r+1; the last row has no target.
            let plainTargets = (0..<t).map { $0 + 1 < t && $0 + 1 >= start ? ids[$0 + 1] : -100 }
            let maskedTargets = (0..<t).map { $0 + 1 < t && $0 >= n ? ids[$0 + 1] : -100 }
            for checkpoint in [false, true] {
                model.parameters.forEach { $0.zeroGrad() }
                let plain = try model.forward(ids: ids, batch: 1, checkpointLayers: checkpoint)
                let masked = try model.forward(ids: ids, batch: 1, hiddenKeys: ids.indices.map { $0 < n }, checkpointLayers: checkpoint)
                let loss = try add(crossEntropy(logits: plain.logits.reshaped([t, 512]), targets: plainTargets),
                                   crossEntropy(logits: masked.logits.reshaped([t, 512]), targets: maskedTargets))
                XCTAssertEqual(loss.item, Float(try XCTUnwrap(meta["loss"]?.doubleValue)), accuracy: 1e-4, name)
                try loss.backward()
                let grads = try SafeTensorsFile(path: dir + "/grads.safetensors")
                XCTAssertEqual(Set(grads.names), Set(model.parameters.compactMap(\.name)), "\(name): gradient set")
                var worst = (0.0, "")
                for p in model.parameters {
                    let ref = try grads.floats(p.name ?? ""), got = try XCTUnwrap(p.gradValues, "\(p.name ?? "") has no gradient")
                    var diff = 0.0, norm = 0.0
                    for i in 0..<ref.count { diff += Double((got[i] - ref[i]) * (got[i] - ref[i])); norm += Double(ref[i] * ref[i]) }
                    let rel = (diff / max(norm, 1e-30)).squareRoot()
                    if rel > worst.0 { worst = (rel, p.name ?? "") }
                    XCTAssertLessThan(rel, 1e-4, "\(name) \(p.name ?? "") (checkpointed: \(checkpoint))")
                }
                print("\(name) (checkpointed \(checkpoint)): loss \(loss.item), worst relative gradient error \(worst.0) on \(worst.1)")
            }
        }
    }
}

/// The JSON printed by `safekey forward` (built by `forwardReport`).
final class ForwardReportTests: XCTestCase {
    func testReportIsJSONMatchingTransformers() throws {
        let name = "llama31-tiny"
        let model = try DecoderModel(folder: try Fixtures.model(name))
        let ids = try Fixtures.expected(name).integers("ids").map { Int($0) }
        let n = try XCTUnwrap(Fixtures.meta(name)["mask_prefix"]?.intValue)
        for prefix in [0, n] {
            let report = try JSONParser.parse(try model.forwardReport(ids: ids, maskPrefix: prefix), path: "report")
            let obj = try XCTUnwrap(report.objectValue)
            XCTAssertEqual(obj.keys, ["logits", "hidden"])
            let rows = { (key: String) in (obj[key]?.arrayValue ?? []).map { ($0.arrayValue ?? []).compactMap { $0.doubleValue.map(Float.init) } } }
            let logits = rows("logits"), hidden = rows("hidden")
            XCTAssertEqual(logits.count, ids.count)
            XCTAssertEqual(Set(logits.map(\.count)), [512])
            XCTAssertEqual(Set(hidden.map(\.count)), [64])
            let suffix = prefix == 0 ? "" : "_masked"
            let el = try Fixtures.expected(name).floats("logits" + suffix), eh = try Fixtures.expected(name).floats("hidden" + suffix)
            XCTAssertLessThan(maxAbsDiff(Array(logits[prefix...].joined()), Array(el[(prefix * 512)...])), 1e-4)
            XCTAssertLessThan(maxAbsDiff(Array(hidden[prefix...].joined()), Array(eh[(prefix * 64)...])), 1e-4)
        }
        XCTAssertThrowsError(try model.forwardReport(ids: ids, maskPrefix: ids.count + 1))
        XCTAssertThrowsError(try model.forwardReport(ids: [1, 512], maskPrefix: 0)) { XCTAssertTrue("\($0)".contains("512")) }
    }
}
