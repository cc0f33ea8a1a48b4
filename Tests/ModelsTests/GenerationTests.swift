import Foundation
import XCTest
import Models
import Tensor

final class GenerationTests: XCTestCase {
    /// Prefill + one token at a time through the KV cache gives the logits of a full forward.
    func testIncrementalDecodingMatchesFullForward() throws {
        for name in ["qwen2-tiny", "llama31-tiny"] {
            let model = try DecoderModel(folder: try Fixtures.model(name))
            let ids = try Fixtures.expected(name).integers("ids").map { Int($0) }
            let full = try GradMode.noGrad { try model.forward(ids: ids, batch: 1) }.logits.values
            let cache = KVCache(config: model.config, batch: 1, capacity: 4)   // small: exercises growth
            let split = 9
            var got = try GradMode.noGrad { try model.forward(ids: Array(ids[..<split]), batch: 1, cache: cache) }.logits.values
            for i in split..<ids.count {
                got += try GradMode.noGrad { try model.forward(ids: [ids[i]], batch: 1, cache: cache) }.logits.values
            }
            XCTAssertEqual(cache.length, ids.count)
            XCTAssertLessThan(maxAbsDiff(got, full), 2e-5, name)
        }
    }

    /// Greedy 32 tokens, with and without repetition penalty 1.2, token for token against
    /// transformers' `generate` — both prompts (different lengths) in one left-padded batch.
    func testGreedyMatchesTransformersGenerate() throws {
        for name in ["qwen2-tiny", "llama31-tiny", "qwen2-tiny-bf16"] {
            let model = try DecoderModel(folder: try Fixtures.model(name))
            let meta = try Fixtures.meta(name)
            let cases = try XCTUnwrap(meta["generate"]?.arrayValue).compactMap(\.objectValue)
            let eos = Set(model.config.eosTokenIds)
            for penalty in [1.0, 1.2] {
                let mine = cases.filter { $0["repetition_penalty"]?.doubleValue == penalty }
                let prompts = mine.map { ($0["prompt"]?.arrayValue ?? []).compactMap(\.intValue) }
                let expected = mine.map { ($0["output"]?.arrayValue ?? []).compactMap(\.intValue) }
                XCTAssertEqual(prompts.count, 2)
                let out = try model.generate(prompts: prompts, params: SamplingParameters(
                    maxNewTokens: 32, repetitionPenalty: Float(penalty), stopTokenIds: eos))
                XCTAssertEqual(out, expected, "\(name) repetition_penalty \(penalty)")
                // One prompt alone gives the same as in the batch.
                let single = try model.generate(prompts: [prompts[1]], params: SamplingParameters(
                    maxNewTokens: 32, repetitionPenalty: Float(penalty), stopTokenIds: eos))
                XCTAssertEqual(single, [expected[1]])
            }
        }
    }

    func testSamplingIsSeededAndRespectsTopK() throws {
        let model = try DecoderModel(folder: try Fixtures.model("qwen2-tiny"))
        let p = SamplingParameters(maxNewTokens: 12, temperature: 0.8, topK: 5, topP: 0.9, seed: 7)
        let a = try model.generate(prompts: [[5, 6, 7], [9]], params: p)
        let b = try model.generate(prompts: [[5, 6, 7], [9]], params: p)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.map(\.count), [12, 12])
        var q = p
        q.seed = 8
        XCTAssertNotEqual(try model.generate(prompts: [[5, 6, 7], [9]], params: q), a)
        // top-k 1 is greedy whatever the temperature.
        let greedy = try model.generate(prompts: [[5, 6, 7]], params: SamplingParameters(maxNewTokens: 8))
        let k1 = try model.generate(prompts: [[5, 6, 7]], params: SamplingParameters(maxNewTokens: 8, temperature: 1.5, topK: 1, seed: 3))
        XCTAssertEqual(greedy, k1)
    }

    func testStopTokensEndOnlyTheirRow() throws {
        let model = try DecoderModel(folder: try Fixtures.model("llama31-tiny"))
        let prompts = [[5, 6, 7], [9, 10]]
        let free = try model.generate(prompts: prompts, params: SamplingParameters(maxNewTokens: 10))
        let stop = free[0][3]
        XCTAssertFalse(free[1].prefix(9).contains(stop), "pick a stop token only row 0 meets")
        let stopped = try model.generate(prompts: prompts, params: SamplingParameters(maxNewTokens: 10, stopTokenIds: [stop]))
        XCTAssertEqual(stopped[0], Array(free[0][...(free[0].firstIndex(of: stop) ?? 0)]))
        XCTAssertEqual(stopped[1], free[1])
        XCTAssertEqual(try model.generate(prompts: prompts, params: SamplingParameters(maxNewTokens: 0)), [[], []])
        XCTAssertThrowsError(try model.generate(prompts: [[]], params: SamplingParameters(maxNewTokens: 3)))
        XCTAssertThrowsError(try model.generate(prompts: [[1]], params: SamplingParameters(maxNewTokens: 3, topP: 0)))
    }

    /// Draw frequencies follow softmax(logits / T) over the tokens kept by top-k / top-p
    /// (top-p keeps the smallest most-likely set reaching p, as transformers' TopPLogitsWarper).
    func testSamplingDistribution() {
        let logits: [Float] = [2, 1, 0, -1]
        func frequencies(_ p: SamplingParameters) -> [Double] {
            var rng = RandomSource(seed: 42), counts = [Double](repeating: 0, count: 4)
            for _ in 0..<20_000 {
                var row = logits
                counts[Sampler.choose(logits: &row, seen: [], params: p, rng: &rng)] += 1
            }
            return counts.map { $0 / 20_000 }
        }
        func softmax(_ l: [Double]) -> [Double] { let e = l.map { Foundation.exp($0) }; let s = e.reduce(0, +); return e.map { $0 / s } }
        let cases: [(SamplingParameters, [Double])] = [
            (SamplingParameters(maxNewTokens: 1, temperature: 1), softmax([2, 1, 0, -1])),
            (SamplingParameters(maxNewTokens: 1, temperature: 2), softmax([1, 0.5, 0, -0.5])),
            (SamplingParameters(maxNewTokens: 1, temperature: 1, topK: 2), softmax([2, 1]) + [0, 0]),
            // softmax = [0.644, 0.237, 0.087, 0.032]: p = 0.7 keeps the first two, p = 0.9 three.
            (SamplingParameters(maxNewTokens: 1, temperature: 1, topP: 0.7), softmax([2, 1]) + [0, 0]),
            (SamplingParameters(maxNewTokens: 1, temperature: 1, topP: 0.9), softmax([2, 1, 0]) + [0]),
        ]
        for (params, expected) in cases {
            let got = frequencies(params)
            for i in 0..<4 { XCTAssertEqual(got[i], expected[i], accuracy: 0.015, "\(params) token \(i)") }
        }
    }

    func testRepetitionPenaltySemantics() {
        var row: [Float] = [2, -2, 1, 0.5]
        var rng = RandomSource(seed: 0)
        let pick = Sampler.choose(logits: &row, seen: [0, 1], params: SamplingParameters(maxNewTokens: 1, repetitionPenalty: 2), rng: &rng)
        XCTAssertEqual(row, [1, -4, 1, 0.5])
        XCTAssertEqual(pick, 0, "ties go to the first maximum, as argmax")
    }
}
