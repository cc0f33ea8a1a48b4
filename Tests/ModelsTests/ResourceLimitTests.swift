import Foundation
import XCTest
import Models
import Tensor

/// Issue 20, item 1: a config.json is checked against the safetensors header and the memory
/// available before the model is allocated; non-finite weights are refused; a FIFO does not hang.
final class ResourceLimitTests: XCTestCase {
    /// A copy of a fixture model folder (weights linked) whose config.json `edit` rewrites.
    private func folder(from name: String, edit: (inout [String: Any]) -> Void) throws -> String {
        let src = try Fixtures.model(name)
        let dir = NSTemporaryDirectory() + "limits-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir + "/model.safetensors", withDestinationPath: src + "/model.safetensors")
        var cfg = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: src + "/config.json"))) as? [String: Any])
        edit(&cfg)
        try JSONSerialization.data(withJSONObject: cfg).write(to: URL(fileURLWithPath: dir + "/config.json"))
        return dir
    }

    /// DeepSeek-R1-Distill-Qwen-7B's shapes over the 2-layer fixture weights: refused from the
    /// header (every offender listed), not OOM-killed.
    func test7BConfigOverTinyWeightsIsRefusedFromTheHeader() throws {
        let dir = try folder(from: "qwen2-tiny") { c in
            c["hidden_size"] = 3584; c["intermediate_size"] = 18944; c["num_hidden_layers"] = 28
            c["num_attention_heads"] = 28; c["num_key_value_heads"] = 4; c["vocab_size"] = 152064; c["head_dim"] = nil
        }
        let start = Date()
        XCTAssertThrowsError(try DecoderModel(folder: dir)) { e in
            guard case let ModelsError.weightMismatch(_, _, missing, _) = e else { return XCTFail("\(e)") }
            XCTAssertFalse(missing.isEmpty, "\(e)")
            XCTAssertTrue("\(e)".contains("Check that config.json belongs to these weights"), "\(e)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 1.0)
    }

    func testHugeHiddenSizesAreRefusedWithoutAllocating() throws {
        for size in [1_000_000_000, 1_000_000_000_000_000, Int.max / 2] {
            let dir = try folder(from: "qwen2-tiny") { c in c["hidden_size"] = size; c["head_dim"] = 16 }
            let start = Date()
            XCTAssertThrowsError(try DecoderModel(folder: dir), "hidden_size \(size)") { e in
                XCTAssertTrue(e is ModelsError, "\(e)")
            }
            XCTAssertLessThan(Date().timeIntervalSince(start), 1.0, "hidden_size \(size)")
        }
    }

    func testFootprintArithmeticIsOverflowChecked() throws {
        var config = try ModelConfig(contentsOf: try Fixtures.model("qwen2-tiny") + "/config.json")
        let f32 = try config.weightFootprint(storage: .f32), bf16 = try config.weightFootprint(storage: .bf16)
        XCTAssertEqual(f32.parameters, config.parameterCount)
        XCTAssertEqual(f32.bytes, 4 * config.parameterCount)
        XCTAssertLessThan(bf16.bytes, f32.bytes)
        config.hiddenSize = 1 << 40
        config.vocabSize = 1 << 30
        XCTAssertThrowsError(try config.weightFootprint(storage: .f32)) { e in
            XCTAssertTrue("\(e)".contains("64 bits"), "\(e)")
        }
    }

    /// `expectedWeights()` (what the preflight compares with the header) lists exactly the
    /// weights the model allocates, for Qwen2 (q/k/v biases) and Llama.
    func testExpectedWeightsMatchTheModel() throws {
        for name in ["qwen2-tiny", "llama31-tiny"] {
            let config = try ModelConfig(contentsOf: try Fixtures.model(name) + "/config.json")
            let model = DecoderModel(config: config)
            let expected = try config.expectedWeights()
            XCTAssertEqual(expected.map(\.name), model.parameters.map { $0.name ?? "" }, name)
            XCTAssertEqual(expected.map(\.shape), model.parameters.map(\.shape), name)
        }
    }

    func testMemoryBudgetRefusesWhatDoesNotFit() throws {
        XCTAssertNoThrow(try MemoryBudget.check(needed: 1000, what: "x", advice: "y", available: 2000))
        XCTAssertThrowsError(try MemoryBudget.check(needed: 30_000_000_000, what: "the weights of M", advice: "use bf16", available: 20_000_000_000)) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("30.00 GB") && text.contains("20.00 GB") && text.contains("use bf16"), text)
        }
        if let have = MemoryBudget.availableBytes() { XCTAssertGreaterThan(have, 0) }
    }

    func testNonFiniteWeightsAreRefusedUnlessAllowed() throws {
        let src = try Fixtures.model("qwen2-tiny")
        for bad: Float in [.nan, .infinity] {
            let model = try DecoderModel(folder: src)
            let p = try XCTUnwrap(model.parameters.first { $0.name == "model.layers.1.mlp.up_proj.weight" })
            p.data[5] = bad
            let dir = NSTemporaryDirectory() + "nonfinite-\(UUID().uuidString)"
            try model.save(to: dir, dtype: .f32)
            XCTAssertThrowsError(try DecoderModel(folder: dir)) { e in
                guard case let ModelsError.nonFiniteWeight(_, tensor, index, _) = e else { return XCTFail("\(e)") }
                XCTAssertEqual(tensor, "model.layers.1.mlp.up_proj.weight")
                XCTAssertEqual(index, 5)
                XCTAssertTrue("\(e)".contains("--allow-nonfinite"))
            }
            XCTAssertThrowsError(try DecoderModel(folder: dir, weightStorage: .bf16))
            XCTAssertNoThrow(try DecoderModel(folder: dir, allowNonFinite: true))
        }
    }

    func testFiniteCheckFindsTheFirstOffender() {
        var v = [Float](repeating: 1, count: 1_000_003)
        XCTAssertNil(FiniteCheck.firstNonFinite(v, count: v.count))
        v[999_999] = -.infinity
        v[1_000_001] = .nan
        XCTAssertEqual(FiniteCheck.firstNonFinite(v, count: v.count), 999_999)
        let bits: [UInt16] = [0x3F80, 0x7FC0, 0xFF80]
        XCTAssertEqual(FiniteCheck.firstNonFiniteBF16(bits, count: 3), 1)
    }

    /// A FIFO named model.safetensors (or config.json) is refused at once instead of blocking
    /// in open(2) for a writer that never comes.
    func testFIFOWeightsDoNotHang() throws {
        let dir = try folder(from: "qwen2-tiny") { _ in }
        try FileManager.default.removeItem(atPath: dir + "/model.safetensors")
        XCTAssertEqual(mkfifo(dir + "/model.safetensors", 0o644), 0)
        let start = Date()
        XCTAssertThrowsError(try DecoderModel(folder: dir)) { e in XCTAssertTrue("\(e)".contains("not a regular file"), "\(e)") }
        try FileManager.default.removeItem(atPath: dir + "/config.json")
        XCTAssertEqual(mkfifo(dir + "/config.json", 0o644), 0)
        XCTAssertThrowsError(try DecoderModel(folder: dir)) { e in XCTAssertTrue("\(e)".contains("not a regular file"), "\(e)") }
        XCTAssertLessThan(Date().timeIntervalSince(start), 1.0)
    }

    func testRopeThetaZeroIsRefused() throws {
        for theta in [0.0, -1.0] {
            let text = #"{"model_type": "qwen2", "rope_theta": \#(theta)}"#
            XCTAssertThrowsError(try ModelConfig(json: Array(text.utf8), path: "config.json")) { e in
                XCTAssertTrue("\(e)".contains("rope_theta"), "\(e)")
            }
        }
    }
}
