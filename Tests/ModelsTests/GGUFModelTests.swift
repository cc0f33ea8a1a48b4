import Foundation
import XCTest
import Models
import Tensor
import Tokenizers

/// GGUF models: config from metadata, GGUF names, the Llama q/k permutation, and logits against
/// transformers' GGUF loader on tiny Llama / Qwen2 files with mixed tensor types
/// (Tests/Fixtures/gguf/tiny-*.gguf, Scripts/make_gguf_fixtures.py).
final class GGUFModelTests: XCTestCase {
    func logits(_ model: DecoderModel, _ ids: [Int]) throws -> [Float] {
        try GradMode.noGrad { try model.forward(ids: ids, batch: 1).logits.values }
    }

    func testTinyModelsMatchTransformersGGUFLoader() throws {
        let expected = try SafeTensorsFile(path: try Fixtures.gguf("tiny_expected.safetensors"))
        for arch in ["llama", "qwen2"] {
            let model = try DecoderModel(folder: try Fixtures.gguf("tiny-\(arch).gguf"))
            let ids = try expected.integers("\(arch).ids").map { Int($0) }
            let diff = maxAbsDiff(try logits(model, ids), try expected.floats("\(arch).logits"))
            XCTAssertLessThan(diff, 1e-4, "\(arch): max |Δlogit| vs transformers")
            print("GGUFModelTests: tiny-\(arch).gguf logits vs transformers' GGUF loader: max |Δ| \(diff)")
        }
    }

    func testConfigFromMetadata() throws {
        let llama = try GGUFWeights(path: try Fixtures.gguf("tiny-llama.gguf")).config
        XCTAssertEqual(llama.family, .llama)
        XCTAssertEqual([llama.vocabSize, llama.hiddenSize, llama.numLayers, llama.numHeads, llama.numKeyValueHeads,
                        llama.headDim, llama.intermediateSize, llama.maxPositionEmbeddings], [512, 64, 2, 4, 2, 16, 128, 256])
        XCTAssertEqual(llama.rmsNormEps, 1e-5)
        XCTAssertEqual(llama.rope.theta, 10000)
        XCTAssertFalse(llama.tieWordEmbeddings)
        XCTAssertFalse(llama.qkvBias)
        let qwen = try GGUFWeights(path: try Fixtures.gguf("tiny-qwen2.gguf")).config
        XCTAssertEqual(qwen.family, .qwen2)
        XCTAssertTrue(qwen.tieWordEmbeddings, "no output.weight → tied")
        XCTAssertTrue(qwen.qkvBias)
        XCTAssertEqual(qwen.rope.theta, 1_000_000)
    }

    /// BF16 storage from a GGUF equals loading f32 and rounding afterwards, bit for bit.
    func testBF16StorageEqualsRoundedF32() throws {
        for arch in ["llama", "qwen2"] {
            let path = try Fixtures.gguf("tiny-\(arch).gguf")
            let a = try DecoderModel(folder: path, weightStorage: .bf16)
            let b = try DecoderModel(folder: path)
            try b.convertWeightsToBF16()
            let ids = [5, 9, 200, 17, 3]
            XCTAssertEqual(try logits(a, ids), try logits(b, ids), arch)
        }
    }

    func testTensorNames() {
        let pairs = [("token_embd.weight", "model.embed_tokens.weight"), ("output_norm.weight", "model.norm.weight"),
                     ("output.weight", "lm_head.weight"), ("blk.0.attn_q.weight", "model.layers.0.self_attn.q_proj.weight"),
                     ("blk.12.attn_k.bias", "model.layers.12.self_attn.k_proj.bias"), ("blk.3.attn_v.weight", "model.layers.3.self_attn.v_proj.weight"),
                     ("blk.3.attn_output.weight", "model.layers.3.self_attn.o_proj.weight"), ("blk.29.ffn_gate.weight", "model.layers.29.mlp.gate_proj.weight"),
                     ("blk.1.ffn_up.weight", "model.layers.1.mlp.up_proj.weight"), ("blk.1.ffn_down.weight", "model.layers.1.mlp.down_proj.weight"),
                     ("blk.7.attn_norm.weight", "model.layers.7.input_layernorm.weight"), ("blk.7.ffn_norm.weight", "model.layers.7.post_attention_layernorm.weight")]
        for (g, hf) in pairs {
            XCTAssertEqual(GGUFTensorNames.huggingFace(g), hf)
            XCTAssertEqual(GGUFTensorNames.gguf(hf), g)
        }
        for odd in ["rope_freqs.weight", "blk.x.attn_q.weight", "blk.1.attn_qq.weight", "blk.-1.attn_q.weight", "weight", ""] {
            XCTAssertNil(GGUFTensorNames.huggingFace(odd), odd)
        }
        XCTAssertNil(GGUFTensorNames.gguf("model.layers.0.self_attn.rotary_emb.inv_freq"))
    }

    /// The permutation on one head of 4 rows (llama.cpp: reshape [2, 2] → transpose): GGUF rows
    /// are HF rows 0, 2, 1, 3; and back again.
    func testRopePermutation() {
        let hf: [Float] = [0, 0, 1, 1, 2, 2, 3, 3, 10, 10, 11, 11, 12, 12, 13, 13]  // 2 heads × 4 rows × 2 cols
        var g = [Float](repeating: -1, count: 16), back = [Float](repeating: -1, count: 16)
        GGUFRopePermutation.permuteRows(hf, &g, rows: 8, rowBytes: 8, headDim: 4, toGGUF: true)
        XCTAssertEqual(g, [0, 0, 2, 2, 1, 1, 3, 3, 10, 10, 12, 12, 11, 11, 13, 13])
        GGUFRopePermutation.permuteRows(g, &back, rows: 8, rowBytes: 8, headDim: 4, toGGUF: false)
        XCTAssertEqual(back, hf)
    }

    func testUnsupportedArchitectureAndTokenizerlessFile() throws {
        var w = GGUFTestBytes()
        w.header(tensors: 0, kvs: 1)
        w.kvString("general.architecture", "gemma2")
        let path = try w.file(self)
        XCTAssertThrowsError(try DecoderModel(folder: path)) { XCTAssertTrue("\($0)".contains("\"gemma2\""), "\($0)") }
        XCTAssertThrowsError(try Tokenizer(path: try Fixtures.gguf("tiny-llama.gguf"))) {
            XCTAssertTrue("\($0)".contains("tokenizer.ggml.model"), "\($0)")
        }
    }
}
