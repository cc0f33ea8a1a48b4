import Foundation
import XCTest
import Models
import Tensor

/// Continuous batching's model side: ``SlotKVCache`` (independent lengths per sequence) and
/// ``DecoderModel/decodeStep(tokens:slots:cache:)``.
final class BatchedDecodingTests: XCTestCase {
    /// Three sequences of different lengths, joining at different steps, one leaving and its slot
    /// reused: every batched step's logits equal a full (uncached) forward of that sequence so far.
    func testStaggeredSlotsMatchFullForward() throws {
        for name in ["qwen2-tiny", "llama31-tiny"] {
            let model = try DecoderModel(folder: try Fixtures.model(name))
            let ids = try Fixtures.expected(name).integers("ids").map { Int($0) }
            let v = model.config.vocabSize
            // Sequences as (prompt, tokens fed afterwards, step at which it joins).
            let seqs: [(prompt: [Int], feed: [Int], join: Int)] = [
                (Array(ids.prefix(7)), Array(ids[7..<min(ids.count, 15)]), 0),
                (Array(ids.suffix(3)), [ids[0], ids[1], ids[2], ids[3], ids[4]], 2),
                ([ids[4]], [ids[5], ids[6], ids[8]], 3),
                (Array(ids.prefix(11).reversed()), [ids[1], ids[2]], 6),   // takes the slot released at step 5
            ]
            let cache = SlotKVCache(config: model.config, slots: 3, maxLength: 64)
            var slot = [Int?](repeating: nil, count: seqs.count)
            var fed = [Int](repeating: 0, count: seqs.count)
            var worst: Float = 0
            func reference(_ s: Int) throws -> [Float] {
                let seq = seqs[s].prompt + seqs[s].feed.prefix(fed[s])
                let full = try GradMode.noGrad { try model.forward(ids: seq, batch: 1) }.logits.values
                return Array(full[((seq.count - 1) * v)...])
            }
            for step in 0..<12 {
                for s in seqs.indices where seqs[s].join == step {
                    let k = try XCTUnwrap(cache.acquire(), "\(name): no free slot at step \(step)")
                    slot[s] = k
                    let got = try model.prefill(ids: seqs[s].prompt, slot: k, cache: cache)
                    worst = max(worst, maxAbsDiff(got, try reference(s)))
                }
                let live = seqs.indices.filter { slot[$0] != nil && fed[$0] < seqs[$0].feed.count }
                guard !live.isEmpty else { continue }
                let out = try model.decodeStep(tokens: live.map { seqs[$0].feed[fed[$0]] }, slots: live.map { slot[$0]! }, cache: cache)
                XCTAssertEqual(out.shape, [live.count, 1, v])
                for (r, s) in live.enumerated() {
                    fed[s] += 1
                    XCTAssertEqual(cache.length(of: slot[s]!), seqs[s].prompt.count + fed[s])
                    worst = max(worst, maxAbsDiff(Array(out.values[(r * v)..<((r + 1) * v)]), try reference(s)))
                    if fed[s] == seqs[s].feed.count { cache.release(slot[s]!); slot[s] = nil }
                }
            }
            XCTAssertEqual(fed, seqs.map(\.feed.count), name)
            XCTAssertLessThan(worst, 2e-5, "\(name): worst logit difference \(worst)")
        }
    }

    /// Greedy decoding through slots (both prompts in shared steps, repetition penalty 1.2) gives
    /// transformers' `generate` tokens (the fixture also used by GenerationTests).
    func testGreedyThroughSlotsMatchesTransformers() throws {
        for name in ["qwen2-tiny", "llama31-tiny"] {
            let model = try DecoderModel(folder: try Fixtures.model(name))
            let cases = try XCTUnwrap(try Fixtures.meta(name)["generate"]?.arrayValue).compactMap(\.objectValue)
                .filter { $0["repetition_penalty"]?.doubleValue == 1.2 }
            let prompts = cases.map { ($0["prompt"]?.arrayValue ?? []).compactMap(\.intValue) }
            let expected = cases.map { ($0["output"]?.arrayValue ?? []).compactMap(\.intValue) }
            let eos = Set(model.config.eosTokenIds)
            let params = SamplingParameters(maxNewTokens: 32, repetitionPenalty: 1.2)
            var rng = RandomSource(seed: 0)
            let cache = SlotKVCache(config: model.config, slots: 4, maxLength: 128)
            var outputs = prompts.map { _ in [Int]() }
            var seen = prompts.map(Set.init)
            var slots: [Int] = []
            for (i, p) in prompts.enumerated() {
                let s = try XCTUnwrap(cache.acquire())
                slots.append(s)
                var logits = try model.prefill(ids: p, slot: s, cache: cache)
                let t = Sampler.choose(logits: &logits, seen: seen[i], params: params, rng: &rng)
                outputs[i].append(t)
                seen[i].insert(t)
            }
            var live = Array(prompts.indices).filter { !eos.contains(outputs[$0].last!) }
            while !live.isEmpty {
                let out = try model.decodeStep(tokens: live.map { outputs[$0].last! }, slots: live.map { slots[$0] }, cache: cache)
                let v = model.config.vocabSize
                for (r, i) in live.enumerated() {
                    var row = Array(out.values[(r * v)..<((r + 1) * v)])
                    let t = Sampler.choose(logits: &row, seen: seen[i], params: params, rng: &rng)
                    outputs[i].append(t)
                    seen[i].insert(t)
                }
                live = live.filter { !eos.contains(outputs[$0].last!) && outputs[$0].count < 32 }
            }
            XCTAssertEqual(outputs, expected, name)
        }
    }

    /// Bad calls are typed errors: unheld or repeated slots, a context overflow.
    func testMisuseIsRejected() throws {
        let model = try DecoderModel(folder: try Fixtures.model("qwen2-tiny"))
        let cache = SlotKVCache(config: model.config, slots: 2, maxLength: 8)
        XCTAssertThrowsError(try model.decodeStep(tokens: [1], slots: [0], cache: cache))   // not acquired
        let s = try XCTUnwrap(cache.acquire())
        XCTAssertThrowsError(try model.decodeStep(tokens: [1, 2], slots: [s, s], cache: cache))
        XCTAssertThrowsError(try model.prefill(ids: Array(repeating: 3, count: 9), slot: s, cache: cache))
        _ = try model.prefill(ids: Array(repeating: 3, count: 8), slot: s, cache: cache)
        XCTAssertThrowsError(try model.decodeStep(tokens: [4], slots: [s], cache: cache))   // would be position 9 of 8
        XCTAssertNotNil(cache.acquire())
        XCTAssertNil(cache.acquire())
    }
}
