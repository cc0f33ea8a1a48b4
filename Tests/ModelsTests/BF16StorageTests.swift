import Foundation
import XCTest
import Models
import Tensor

/// BF16 weight storage (`WeightStorage.bf16`): the model computes exactly what the f32 model
/// computes once its matrices are rounded to BF16, against our own f32 path and against
/// transformers (the `qwen2-tiny-bf16` fixture, whose outputs transformers computed from the
/// widened BF16 weights), and it refuses to train or save.
final class BF16StorageTests: XCTestCase {
    /// The f32 model of `folder` with every matrix (rank-2 parameter) rounded to BF16 in place.
    private func roundedF32Model(_ folder: String) throws -> DecoderModel {
        let model = try DecoderModel(folder: folder)
        for p in model.parameters where p.rank == 2 {
            for i in 0..<p.count { p.data[i] = BF16.toFloat(BF16.fromFloat(p.data[i])) }
        }
        return model
    }

    /// Every BF16 matrix of `model`: embedding, head, then each layer's seven.
    private func matrices(_ model: DecoderModel) -> [BF16Matrix] {
        ([model.embedTokens] + (model.config.tieWordEmbeddings ? [] : [model.lmHead]) + model.layers.flatMap(\.matrices)).compactMap(\.bf16)
    }

    private func assertSameBits(_ a: [BF16Matrix], _ b: [BF16Matrix], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        for (x, y) in zip(a, b) {
            XCTAssertEqual(x.name, y.name, file: file, line: line)
            XCTAssertTrue(UnsafeBufferPointer(start: x.bits, count: x.count).elementsEqual(UnsafeBufferPointer(start: y.bits, count: y.count)),
                          x.name ?? "", file: file, line: line)
        }
    }

    /// Logits within 1e-4 (max abs; the same f32 arithmetic in another summation order — the
    /// weights are identical) and the same greedy tokens, for a tied (Qwen2) and an untied
    /// (Llama 3.1) head, loaded as BF16 and converted after loading.
    func testBF16StorageMatchesF32ModelWithRoundedWeights() throws {
        for name in ["qwen2-tiny", "llama31-tiny"] {
            let folder = try Fixtures.model(name)
            let reference = try roundedF32Model(folder)
            let loaded = try DecoderModel(folder: folder, weightStorage: .bf16)
            let converted = try DecoderModel(folder: folder)
            try converted.convertWeightsToBF16()
            let ids = try Fixtures.expected(name).integers("ids").map { Int($0) }
            let want = try GradMode.noGrad { try reference.forward(ids: ids, batch: 1) }.logits.values
            let prompts = [Array(ids[..<5]), Array(ids[3..<12])]
            let params = SamplingParameters(maxNewTokens: 24)
            let wantTokens = try reference.generate(prompts: prompts, params: params)
            for (how, model) in [("loaded", loaded), ("converted", converted)] {
                XCTAssertEqual(model.weightStorage, .bf16)
                XCTAssertEqual(model.parameterCount, reference.parameterCount, "\(name) \(how)")
                let got = try GradMode.noGrad { try model.forward(ids: ids, batch: 1) }.logits.values
                let d = maxAbsDiff(got, want)
                XCTAssertLessThan(d, 1e-4, "\(name) \(how): logits")
                print("\(name) \(how) BF16 vs rounded f32: max |Δlogits| \(d)")
                // Prefill (rows > 8: the widening GEMM) and decode (the streaming GEMV).
                XCTAssertEqual(try model.generate(prompts: prompts, params: params), wantTokens, "\(name) \(how): greedy tokens")
            }
            // Rounding on load is bit-for-bit the same as rounding the loaded tensors.
            assertSameBits(matrices(loaded), matrices(converted))
        }
    }

    /// A BF16 checkpoint kept as BF16 reproduces transformers' logits (1e-4) and greedy generate
    /// (32 tokens, repetition penalty 1 and 1.2, both prompts in one left-padded batch).
    func testBF16CheckpointMatchesTransformers() throws {
        let name = "qwen2-tiny-bf16"
        let model = try DecoderModel(folder: try Fixtures.model(name), weightStorage: .bf16)
        let exp = try Fixtures.expected(name)
        let ids = try exp.integers("ids").map { Int($0) }
        let logits = try GradMode.noGrad { try model.forward(ids: ids, batch: 1) }.logits.values
        XCTAssertLessThan(maxAbsDiff(logits, try exp.floats("logits")), 1e-4)
        let cases = try XCTUnwrap(Fixtures.meta(name)["generate"]?.arrayValue).compactMap(\.objectValue)
        for penalty in [1.0, 1.2] {
            let mine = cases.filter { $0["repetition_penalty"]?.doubleValue == penalty }
            let prompts = mine.map { ($0["prompt"]?.arrayValue ?? []).compactMap(\.intValue) }
            let expected = mine.map { ($0["output"]?.arrayValue ?? []).compactMap(\.intValue) }
            let out = try model.generate(prompts: prompts, params: SamplingParameters(
                maxNewTokens: 32, repetitionPenalty: Float(penalty), stopTokenIds: Set(model.config.eosTokenIds)))
            XCTAssertEqual(out, expected, "repetition_penalty \(penalty)")
        }
    }

    func testBF16StorageIsInferenceOnly() throws {
        let folder = try Fixtures.model("qwen2-tiny")
        let model = try DecoderModel(folder: folder, weightStorage: .bf16)
        XCTAssertThrowsError(try model.forward(ids: [1, 2, 3], batch: 1)) { error in
            XCTAssertTrue("\(error)".contains("BF16"), "\(error)")
        }
        XCTAssertThrowsError(try model.save(to: try Fixtures.tempFolder(self)))
        // Only norms and biases stay trainable f32 tensors; the matrices are BF16.
        XCTAssertTrue(model.parameters.allSatisfy { $0.rank == 1 }, "\(model.parameters.map(\.name))")
        XCTAssertNil(model.layers[0].qProj.tensor)
        XCTAssertEqual(model.layers[0].qProj.bf16?.shape, [model.config.numHeads * model.config.headDim, model.config.hiddenSize])
        XCTAssertTrue(model.lmHead.bf16 === model.embedTokens.bf16, "tied head shares the table")
        XCTAssertEqual(model.matrixWeightBytes * 2, try DecoderModel(folder: folder).matrixWeightBytes)
    }

    /// Random initialisation straight into BF16 draws the same numbers as the f32 model, rounded.
    func testRandomInitialisationMatchesRoundedF32() throws {
        let config = try ModelConfig(contentsOf: try Fixtures.model("llama31-tiny") + "/config.json")
        let f32 = DecoderModel(config: config), bf16 = DecoderModel(config: config, weightStorage: .bf16)
        f32.initializeRandomly(seed: 5)
        bf16.initializeRandomly(seed: 5)
        try f32.convertWeightsToBF16()
        let (x, y) = (matrices(f32), matrices(bf16))
        XCTAssertEqual(x.count, 2 + 7 * config.numLayers)
        assertSameBits(x, y)
        XCTAssertEqual(f32.parameters.map(\.values), bf16.parameters.map(\.values))
    }
}
