import Foundation
import XCTest
import Models
import Tensor

final class LoadSaveTests: XCTestCase {
    /// Save → load is exact (F32), keeps every config key, writes original names, copies tokenizer
    /// files. With SAFEKEY_ROUNDTRIP_DIR set, the saved folders are also left there for
    /// `Scripts/make_model_fixtures.py --check-saved DIR/<model> --against <model>` (transformers).
    func testSaveLoadRoundTripIsExact() throws {
        for name in ["qwen2-tiny", "llama31-tiny"] {
            let src = try Fixtures.model(name)
            let model = try DecoderModel(folder: src)
            let keep = ProcessInfo.processInfo.environment["SAFEKEY_ROUNDTRIP_DIR"].map { $0 + "/" + name }
            let dir = try keep ?? Fixtures.tempFolder(self) + "/" + name
            // A small shard limit for llama exercises the sharded writer.
            try model.save(to: dir, maxShardBytes: name.hasPrefix("llama") ? 150_000 : SafeTensorsWriter.defaultMaxShardBytes)
            let files = try FileManager.default.contentsOfDirectory(atPath: dir)
            XCTAssertTrue(files.contains("tokenizer_config.json"), "\(files)")
            XCTAssertTrue(files.contains("generation_config.json"), "\(files)")
            XCTAssertEqual(files.contains("model.safetensors.index.json"), name.hasPrefix("llama"))
            let original = try Checkpoint(folder: src), saved = try Checkpoint(folder: dir)
            XCTAssertEqual(saved.names, original.names, "same tensor names as transformers wrote")
            let again = try DecoderModel(folder: dir)
            for (a, b) in zip(model.parameters, again.parameters) {
                XCTAssertEqual(a.name, b.name)
                XCTAssertEqual(a.values.map(\.bitPattern), b.values.map(\.bitPattern), a.name ?? "")
            }
            var raw = again.config.raw, orig = model.config.raw
            XCTAssertEqual(raw.keys.filter { $0 != "torch_dtype" }, orig.keys.filter { $0 != "torch_dtype" })
            raw["torch_dtype"] = nil; raw["dtype"] = nil; orig["torch_dtype"] = nil; orig["dtype"] = nil
            XCTAssertEqual(raw, orig, "config keys and values preserved")
        }
    }

    func testBF16SaveMatchesTorchBF16Copy() throws {
        let model = try DecoderModel(folder: try Fixtures.model("qwen2-tiny"))
        let dir = try Fixtures.tempFolder(self)
        try model.save(to: dir, dtype: .bf16)
        let ours = try Checkpoint(folder: dir), torch = try Checkpoint(folder: try Fixtures.model("qwen2-tiny-bf16"))
        for name in torch.names { XCTAssertEqual(try ours.floats(name), try torch.floats(name), name) }
        XCTAssertEqual(try ModelConfig(contentsOf: dir + "/config.json").storedDType, "bfloat16")
    }

    func testStrictLoadingListsOffenders() throws {
        let src = try Fixtures.model("qwen2-tiny")
        let model = try DecoderModel(folder: src)
        let dir = try Fixtures.tempFolder(self)
        try FileManager.default.copyItem(atPath: src + "/config.json", toPath: dir + "/config.json")
        var entries = model.parameters.filter { $0.name != "model.norm.weight" && $0.name != "model.layers.1.self_attn.q_proj.bias" }
            .map { SafeTensorsEntry(name: $0.name ?? "", shape: $0.shape, values: $0.values) }
        entries.append(SafeTensorsEntry(name: "model.layers.0.extra.weight", shape: [2], values: [1, 2]))
        entries.append(SafeTensorsEntry(name: "model.rotary_emb.inv_freq", shape: [8], values: [Float](repeating: 1, count: 8)))
        entries[1] = SafeTensorsEntry(name: entries[1].name, shape: [3], values: [1, 2, 3])
        try SafeTensorsWriter.writeModel(entries, folder: dir)
        XCTAssertThrowsError(try DecoderModel(folder: dir)) { e in
            guard case let ModelsError.weightMismatch(_, unused, missing, wrongShape) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(Set(missing), ["model.norm.weight", "model.layers.1.self_attn.q_proj.bias"])
            XCTAssertEqual(unused, ["model.layers.0.extra.weight"], "inv_freq buffers are ignored")
            XCTAssertEqual(wrongShape.count, 1)
            XCTAssertTrue("\(e)".contains("model.norm.weight"))
        }
    }
}
