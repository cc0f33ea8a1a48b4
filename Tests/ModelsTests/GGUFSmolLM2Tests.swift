import Foundation
import XCTest
import Models
import Tensor

/// The shared SmolLM2-135M-Instruct Q4_1 GGUF against transformers loading the same file
/// (dequantised to f32): logits at every position of 4 chat prompts within 1e-3 (512 fixed
/// vocabulary columns and each position's top 16), and 24 greedy tokens per prompt identical.
/// Fixtures: Tests/Fixtures/gguf/smollm2*.{json,safetensors}. Skips when ../shared is absent.
final class GGUFSmolLM2Tests: XCTestCase {
    static let tolerance: Float = 1e-3
    nonisolated(unsafe) static var cached: DecoderModel?

    func load() throws -> (DecoderModel, [[String: Any]], SafeTensorsFile) {
        let path = try Fixtures.smolLM2()
        let json = try Fixtures.gguf("smollm2.json")
        let fixture = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        let logits = try SafeTensorsFile(path: try Fixtures.gguf("smollm2_logits.safetensors"))
        if Self.cached == nil { Self.cached = try DecoderModel(folder: path) }
        return (Self.cached!, try XCTUnwrap(fixture["prompts"] as? [[String: Any]]), logits)
    }

    func testConfigFromTheFile() throws {
        let config = try GGUFWeights(path: try Fixtures.smolLM2()).config
        XCTAssertEqual(config.family, .llama)
        XCTAssertEqual([config.numLayers, config.hiddenSize, config.intermediateSize, config.numHeads, config.numKeyValueHeads,
                        config.headDim, config.vocabSize, config.maxPositionEmbeddings], [30, 576, 1536, 9, 3, 64, 49152, 8192])
        XCTAssertEqual(config.rope.theta, 100_000)
        XCTAssertEqual(config.rmsNormEps, 1e-5)
        XCTAssertTrue(config.tieWordEmbeddings)
        XCTAssertEqual(config.eosTokenIds, [2])
    }

    func testLogitsAtEveryPositionOfFourChatPrompts() throws {
        let (model, prompts, expected) = try load()
        let columns = try expected.integers("columns").map { Int($0) }
        let v = model.config.vocabSize
        XCTAssertEqual(prompts.count, 4)
        var worst: Float = 0, positions = 0
        for (k, prompt) in prompts.enumerated() {
            let ids = (prompt["ids"] as! [Any]).map { ($0 as! NSNumber).intValue }
            let logits = try GradMode.noGrad { try model.forward(ids: ids, batch: 1).logits.values }
            let wantColumns = try expected.floats("p\(k).logits_columns"), topIds = try expected.integers("p\(k).top_ids")
            let topValues = try expected.floats("p\(k).top_values")
            for t in 0..<ids.count {
                let row = Array(logits[(t * v)..<((t + 1) * v)])
                for (j, c) in columns.enumerated() { worst = max(worst, abs(row[c] - wantColumns[t * columns.count + j])) }
                for j in 0..<16 { worst = max(worst, abs(row[Int(topIds[t * 16 + j])] - topValues[t * 16 + j])) }
                XCTAssertEqual(row.indices.max { row[$0] < row[$1] }, Int(topIds[t * 16]), "argmax at prompt \(k) position \(t)")
            }
            positions += ids.count
        }
        XCTAssertLessThanOrEqual(worst, Self.tolerance)
        print("GGUFSmolLM2Tests: \(positions) positions × (512 columns + top 16): max |Δlogit| vs transformers \(worst)")
    }

    func testGreedyTokensIdentical() throws {
        let (model, prompts, _) = try load()
        for (k, prompt) in prompts.enumerated() {
            let ids = (prompt["ids"] as! [Any]).map { ($0 as! NSNumber).intValue }
            let want = (prompt["greedy"] as! [Any]).map { ($0 as! NSNumber).intValue }
            XCTAssertEqual(want.count, 24)
            let got = try model.generate(prompts: [ids], params: SamplingParameters(maxNewTokens: 24))[0]
            XCTAssertEqual(got, want, "prompt \(k)")
        }
    }
}
