import Foundation
import XCTest
import Models

final class ModelConfigTests: XCTestCase {
    func testQwen2FixtureNewStyleKeys() throws {
        let c = try ModelConfig(contentsOf: try Fixtures.model("qwen2-tiny") + "/config.json")
        XCTAssertEqual(c.family, .qwen2)
        XCTAssertEqual([c.vocabSize, c.hiddenSize, c.numLayers, c.numHeads, c.numKeyValueHeads, c.headDim, c.intermediateSize],
                       [512, 64, 2, 4, 2, 16, 128])
        XCTAssertTrue(c.tieWordEmbeddings)
        XCTAssertTrue(c.qkvBias)
        XCTAssertFalse(c.outputBias)
        XCTAssertEqual(c.rope, RopeConfig(theta: 10000))
        XCTAssertEqual(c.rmsNormEps, 1e-6)
        XCTAssertEqual(c.eosTokenIds, [2])
    }

    func testLlamaFixtureOldStyleKeys() throws {
        let c = try ModelConfig(contentsOf: try Fixtures.model("llama31-tiny") + "/config.json")
        XCTAssertEqual(c.family, .llama)
        XCTAssertNotNil(c.raw["rope_scaling"], "fixture must use the old-style keys")
        XCTAssertNil(c.raw["rope_parameters"])
        XCTAssertFalse(c.tieWordEmbeddings)
        XCTAssertFalse(c.qkvBias)
        XCTAssertEqual(c.rope, RopeConfig(kind: .llama3, theta: 500000, factor: 8, lowFreqFactor: 1, highFreqFactor: 4,
                                          originalMaxPositionEmbeddings: 32))
    }

    /// Inverse frequencies against transformers' `rotary_emb.inv_freq` (default and llama3).
    func testInverseFrequenciesMatchTransformers() throws {
        for name in ["qwen2-tiny", "llama31-tiny"] {
            let c = try ModelConfig(contentsOf: try Fixtures.model(name) + "/config.json")
            let expected = try Fixtures.expected(name).floats("inv_freq")
            let got = c.rope.inverseFrequencies(dim: c.headDim)
            XCTAssertEqual(got.count, expected.count)
            for (g, e) in zip(got, expected) {
                XCTAssertEqual(g, e, accuracy: abs(e) * 2e-6, name)
            }
        }
    }

    func testEquivalentOldAndNewRopeKeys() throws {
        let base = #""model_type": "llama", "hidden_size": 64, "num_attention_heads": 4, "intermediate_size": 8, "num_hidden_layers": 1, "vocab_size": 10"#
        let old = try config("{\(base), \"rope_theta\": 1000.0, \"rope_scaling\": {\"type\": \"linear\", \"factor\": 2.0}}")
        let new = try config("{\(base), \"rope_parameters\": {\"rope_type\": \"linear\", \"factor\": 2.0, \"rope_theta\": 1000.0}}")
        XCTAssertEqual(old.rope, new.rope)
        XCTAssertEqual(old.rope.kind, .linear)
        XCTAssertEqual(old.rope.inverseFrequencies(dim: 4), [0.5, 0.5 / powf(1000, 0.5)])
        let plain = try config("{\(base), \"rope_scaling\": null}")
        XCTAssertEqual(plain.rope, RopeConfig(theta: 10000))
        XCTAssertEqual(plain.headDim, 16)
        let given = try config("{\(base), \"head_dim\": 32}")
        XCTAssertEqual(given.headDim, 32)
    }

    func testRefusesUnsupportedNamingTheKey() throws {
        let base = #""hidden_size": 64, "num_attention_heads": 4"#
        let cases: [(String, String)] = [
            ("{\(base), \"model_type\": \"mistral\"}", "model_type"),
            ("{\(base), \"model_type\": \"qwen2\", \"use_sliding_window\": true}", "use_sliding_window"),
            ("{\(base), \"model_type\": \"llama\", \"hidden_act\": \"gelu\"}", "hidden_act"),
            ("{\(base), \"model_type\": \"qwen2\", \"num_experts\": 8}", "num_experts"),
            ("{\(base), \"model_type\": \"llama\", \"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4.0}}", "rope_scaling.rope_type"),
            ("{\(base), \"model_type\": \"llama\", \"rope_parameters\": {\"rope_type\": \"dynamic\"}}", "rope_parameters.rope_type"),
            ("{\(base), \"model_type\": \"qwen2\", \"layer_types\": [\"sliding_attention\"]}", "layer_types"),
        ]
        for (text, key) in cases {
            XCTAssertThrowsError(try config(text), text) { e in
                guard case let ModelsError.unsupportedConfig(_, k, _) = e else { return XCTFail("\(e)") }
                XCTAssertEqual(k, key)
            }
        }
        let invalid: [(String, String)] = [
            ("{\"model_type\": \"llama\", \"hidden_size\": \"64\"}", "hidden_size"),
            ("{\(base), \"model_type\": \"llama\", \"num_key_value_heads\": 3}", "num_key_value_heads"),
            ("{\"hidden_size\": 64}", "model_type"),
            ("{\(base), \"model_type\": \"llama\", \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8.0}}", "rope_scaling"),
        ]
        for (text, key) in invalid {
            XCTAssertThrowsError(try config(text), text) { e in
                guard case let ModelsError.invalidConfig(_, k, _) = e else { return XCTFail("\(e)") }
                XCTAssertEqual(k, key)
            }
        }
    }

    func testRawKeepsUnknownKeysForSaving() throws {
        let text = #"{"model_type": "qwen2", "hidden_size": 64, "num_attention_heads": 4, "my_custom_key": {"x": [1, 2.50]}, "rope_theta": 1000000.0}"#
        let c = try config(text)
        let again = try ModelConfig(json: Array(c.jsonText.utf8), path: "again")
        XCTAssertEqual(again.raw["my_custom_key"], try JSONParser.parse(#"{"x": [1, 2.50]}"#, path: "x"))
        XCTAssertTrue(c.jsonText.contains("1000000.0"))
        XCTAssertEqual(again, c)
    }

    private func config(_ text: String) throws -> ModelConfig {
        try ModelConfig(json: Array(text.utf8), path: "config.json")
    }
}

/// The released config.json of the SafeKey base models (DeepSeek-R1-Distill-Qwen-7B, -Llama-8B):
/// parameter counts and RoPE frequencies against what transformers derives (real_configs.json).
final class RealModelConfigTests: XCTestCase {
    func testReleasedConfigsMatchTransformers() throws {
        let path = Fixtures.root.appendingPathComponent("Tests/Fixtures/models/real_configs.json").path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw XCTSkip("\(path) missing; run python3 Scripts/make_model_fixtures.py")
        }
        let all = try XCTUnwrap(JSONParser.parse([UInt8](data), path: path).objectValue)
        XCTAssertEqual(all.keys.count, 2)
        for (name, entry) in all.entries {
            let e = try XCTUnwrap(entry.objectValue)
            let config = try ModelConfig(object: try XCTUnwrap(e["config"]?.objectValue), path: name)
            XCTAssertEqual(config.parameterCount, e["parameters"]?.intValue, name)
            let expected = (e["inv_freq"]?.arrayValue ?? []).compactMap { $0.doubleValue.map(Float.init) }
            let got = config.rope.inverseFrequencies(dim: config.headDim)
            XCTAssertEqual(got.count, expected.count, name)
            for (i, (g, x)) in zip(got, expected).enumerated() { XCTAssertEqual(g, x, accuracy: abs(x) * 2e-6, "\(name) [\(i)]") }
            XCTAssertEqual(Double(config.rope.attentionScaling), e["attention_scaling"]?.doubleValue)
        }
    }
}
