import Foundation
import XCTest
import Models
import Tensor

/// LoRA against PEFT (Scripts/make_lora_fixtures.py): a PEFT-saved adapter on the tiny Qwen2
/// (every projection, α/r = 1.5) and Llama 3.1 (q, v, down; α/r = 2) fixtures gives PEFT's logits
/// within 1e-4, `mergeAdapters` equals `merge_and_unload` within 1e-5, and the LoRA linear's
/// gradients equal finite differences for f32 and BF16 bases.
final class LoRATests: XCTestCase {
    private func adapterFolder(_ name: String) throws -> String {
        let path = Fixtures.root.appendingPathComponent("Tests/Fixtures/lora/\(name)/adapter").path
        guard FileManager.default.fileExists(atPath: path + "/adapter_config.json") else {
            throw XCTSkip("fixture \(path) is missing; run python3 Scripts/make_lora_fixtures.py")
        }
        return path
    }

    private func expected(_ name: String) throws -> SafeTensorsFile {
        try SafeTensorsFile(path: Fixtures.root.appendingPathComponent("Tests/Fixtures/lora/\(name)/expected.safetensors").path)
    }

    func testAdapterLogitsMatchPEFT() throws {
        for name in ["qwen2-tiny", "llama31-tiny"] {
            let model = try DecoderModel(folder: try Fixtures.model(name), adapter: try adapterFolder(name))
            let ids = try Fixtures.expected(name).integers("ids").map { Int($0) }
            let got = try GradMode.noGrad { try model.forward(ids: ids, batch: 1) }.logits.values
            let want = try expected(name).floats("logits")
            let d = maxAbsDiff(got, want)
            print("\(name) LoRA logits vs PEFT: max |Δ| \(d)")
            XCTAssertLessThan(d, 1e-4, name)
            // The adapter changes the outputs (the test would pass trivially otherwise).
            let base = try DecoderModel(folder: try Fixtures.model(name))
            let plain = try GradMode.noGrad { try base.forward(ids: ids, batch: 1) }.logits.values
            XCTAssertGreaterThan(maxAbsDiff(plain, want), 1e-2, name)
        }
    }

    func testMergeMatchesMergeAndUnload() throws {
        for name in ["qwen2-tiny", "llama31-tiny"] {
            let model = try DecoderModel(folder: try Fixtures.model(name), adapter: try adapterFolder(name))
            let exp = try expected(name)
            try model.mergeAdapters()
            XCTAssertTrue(model.adapters.isEmpty)
            var checked = 0
            for slot in model.slots where exp.tensors[slot.name + ".sample"] != nil {
                let w = try XCTUnwrap(slot.tensor).values
                let n = w.count
                let idx = (0..<64).map { Int((Double($0) * Double(n - 1) / 63).rounded()) }
                let sample = try exp.floats(slot.name + ".sample")
                XCTAssertLessThan(maxAbsDiff(idx.map { w[$0] }, sample), 1e-5, slot.name)
                let sum = w.reduce(0.0) { $0 + Double($1) }, absSum = w.reduce(0.0) { $0 + Double(abs($1)) }
                XCTAssertEqual(sum, Double(try exp.floats(slot.name + ".sum")[0]), accuracy: 1e-5 * Double(n), slot.name)
                XCTAssertEqual(absSum, Double(try exp.floats(slot.name + ".abs_sum")[0]), accuracy: 1e-5 * Double(n), slot.name)
                checked += 1
            }
            XCTAssertEqual(checked, name == "qwen2-tiny" ? 14 : 6, name)
        }
    }

    /// Save → load keeps every adapter value and the config; the merged model saved and reloaded
    /// gives the adapted model's logits.
    func testAdapterRoundTripAndMergedFolder() throws {
        let name = "qwen2-tiny"
        let model = try DecoderModel(folder: try Fixtures.model(name), adapter: try adapterFolder(name))
        let dir = try Fixtures.tempFolder(self)
        try model.saveAdapter(to: dir + "/adapter", baseModel: "qwen2-tiny")
        let again = try DecoderModel(folder: try Fixtures.model(name), adapter: dir + "/adapter")
        XCTAssertEqual(again.loraConfig, model.loraConfig)
        XCTAssertEqual(again.parameters.map(\.values), model.parameters.map(\.values))
        XCTAssertEqual(again.parameters.count, 2 * 7 * model.config.numLayers)
        let ids = try Fixtures.expected(name).integers("ids").map { Int($0) }
        let want = try GradMode.noGrad { try model.forward(ids: ids, batch: 1) }.logits.values
        try model.mergeAdapters()
        try model.save(to: dir + "/merged", dtype: .f32)
        let merged = try DecoderModel(folder: dir + "/merged")
        XCTAssertLessThan(maxAbsDiff(try GradMode.noGrad { try merged.forward(ids: ids, batch: 1) }.logits.values, want), 1e-4)
    }

    /// A frozen base trains nothing but the adapters; BF16 storage with LoRA trains too.
    func testFrozenBaseParametersAreTheAdapters() throws {
        let folder = try Fixtures.model("llama31-tiny")
        for storage in WeightStorage.allCases {
            let model = try DecoderModel(folder: folder, weightStorage: storage)
            try model.attachLoRA(LoRAConfig(rank: 2, targets: ["q_proj", "down_proj"]), seed: 1)
            XCTAssertEqual(model.parameters.count, 2 * 2 * model.config.numLayers)
            XCTAssertTrue(model.parameters.allSatisfy { ($0.name ?? "").contains(".lora_") })
            // B = 0: the adapted model starts equal to the base.
            let loss = try model.forward(ids: [1, 5, 9, 30, 2], batch: 1).logits.sum()
            try loss.backward()
            XCTAssertTrue(model.parameters.allSatisfy { $0.gradStorage != nil }, "\(storage): every adapter gets a gradient")
            XCTAssertTrue(model.slots.allSatisfy { $0.tensor?.gradStorage == nil }, "\(storage): no base gradient")
        }
        XCTAssertThrowsError(try DecoderModel(folder: folder).attachLoRA(LoRAConfig(rank: 2, targets: ["qkv"]), seed: 1))
    }

    /// `linear(_:weight:bias:lora:dropoutMask:)`: gradients for x, A, B (and a trainable bias)
    /// against central differences, with an f32 and a BF16 weight, with and without dropout.
    func testLoRALinearGradientsMatchFiniteDifferences() throws {
        var rng = RandomSource(seed: 7)
        func random(_ shape: [Int], _ scale: Float = 1) -> [Float] { (0..<shape.reduce(1, *)).map { _ in scale * (2 * rng.nextUniform() - 1) } }
        let (n, k, out, r) = (11, 37, 13, 3)
        let w = Tensor(shape: [out, k], values: random([out, k], 0.5))
        let x0 = random([n, k]), a0 = random([r, k], 0.5), b0 = random([out, r], 0.5), bias0 = random([out]), dy = random([n, out])
        let maskValues = (0..<(n * k)).map { _ in rng.nextUniform() < 0.3 ? Float(0) : 1 / 0.7 }
        for weight in [StoredWeight.f32(w), .bf16(try BF16Matrix(rounding: w))] {
            for mask in [nil, Tensor(shape: [n, k], values: maskValues)] {
                func loss(_ x: [Float], _ a: [Float], _ b: [Float], _ bias: [Float], grad: Bool) throws -> (Float, [Tensor]) {
                    let t = [Tensor(shape: [n, k], values: x, requiresGrad: grad), Tensor(shape: [r, k], values: a, requiresGrad: grad),
                             Tensor(shape: [out, r], values: b, requiresGrad: grad), Tensor(shape: [out], values: bias, requiresGrad: grad)]
                    let y = try linear(t[0], weight: weight, bias: t[3], lora: LoRAWeights(a: t[1], b: t[2], scale: 1.7), dropoutMask: mask)
                    let l = try mul(y, Tensor(shape: [n, out], values: dy)).sum()
                    if grad { try l.backward() }
                    return (l.item, t)
                }
                let (_, leaves) = try loss(x0, a0, b0, bias0, grad: true)
                let inputs = [x0, a0, b0, bias0]
                for which in 0..<4 {
                    let analytic = try XCTUnwrap(leaves[which].gradValues)
                    for i in stride(from: 0, to: inputs[which].count, by: max(1, inputs[which].count / 20)) {
                        func eval(_ h: Float) throws -> Float {
                            var v = inputs
                            v[which][i] += h
                            return try GradMode.noGrad { try loss(v[0], v[1], v[2], v[3], grad: false).0 }
                        }
                        let numeric = (try eval(1e-2) - eval(-1e-2)) / 2e-2
                        XCTAssertEqual(analytic[i], numeric, accuracy: 3e-3 + 3e-2 * abs(numeric),
                                       "input \(which)[\(i)], \(weight.bf16 == nil ? "f32" : "bf16"), dropout \(mask != nil)")
                    }
                }
            }
        }
    }
}
