import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Models
import SafetyEval
import Tensor
import TestSupport
import XCTest

/// `safekey serve --adapter DIR` (issue 18 item 1): a PEFT adapter saved for the world model, with
/// non-zero B so it changes the outputs, served over `/v1/completions`, gives greedy text equal to
/// in-process generation with the same adapter (`DecoderGenerator(folder:adapter:)`, the path of
/// `generate --adapter`) and different from the base model's.
final class ServeAdapterTests: XCTestCase {
    /// A rank-4 adapter on every projection, A from PEFT's initialisation, B filled with a seeded
    /// pattern (PEFT's B = 0 would leave the model unchanged).
    func makeAdapter() throws -> String {
        let model = try DecoderModel(folder: ServeHarness.worldModel)
        try model.attachLoRA(LoRAConfig(rank: 4, alpha: 8), seed: 7)
        var rng = SplitMix64(seed: 11)
        for (_, adapter) in model.adapters {
            for i in 0 ..< adapter.b.count { adapter.b.data[i] = Float(rng.nextUnit() - 0.5) * 0.6 }
        }
        let dir = (try TempDir.make("serve-adapter", removedAfter: self) as NSString).appendingPathComponent("adapter")
        try model.saveAdapter(to: dir)
        return dir
    }

    func testServeWithAdapterEqualsGenerateWithAdapter() async throws {
        let adapter = try makeAdapter()
        let prompt = worldPrompts[1]
        func inProcess(_ adapter: String?) throws -> (String, String) {
            let gen = try DecoderGenerator(folder: ServeHarness.worldModel, name: "world-base",
                                           params: SamplingParameters(maxNewTokens: 32, repetitionPenalty: 1.2), adapter: adapter)
            let r = try gen.generate([GenerationRequest(messages: [ChatTurn(role: "user", content: prompt)])])[0]
            return (r.prompt, r.responses[0])
        }
        let (rendered, want) = try inProcess(adapter)
        let (_, base) = try inProcess(nil)
        XCTAssertNotEqual(want, base, "the adapter should change the greedy output")

        let server = try ServeProcess(["--model", ServeHarness.worldModel, "--adapter", adapter, "--served-model-name", "world-lora", "--quiet"])
        var req = URLRequest(url: URL(string: "\(server.base)/completions")!)
        req.httpMethod = "POST"
        req.setValue("application/json", forHTTPHeaderField: "Content-Type")
        req.httpBody = try JSONSerialization.data(withJSONObject: [
            "model": "world-lora", "prompt": rendered, "max_tokens": 32, "temperature": 0, "repetition_penalty": 1.2, "add_special_tokens": false,
        ] as [String: Any])
        let (data, response) = try await ServeHarness.session.data(for: req)
        XCTAssertEqual(server.stop().status, 0)
        XCTAssertEqual((response as? HTTPURLResponse)?.statusCode, 200, String(decoding: data, as: UTF8.self))
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let text = try XCTUnwrap((json?["choices"] as? [[String: Any]])?.first?["text"] as? String)
        XCTAssertEqual(text.trimmingCharacters(in: .whitespacesAndNewlines), want)
    }

    func testMissingAdapterFolderIsAnError() throws {
        let r = try SafeKeyCLI.run(["serve", "--model", ServeHarness.worldModel, "--adapter", "/nonexistent/adapter", "--port", "0"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("adapter"), r.err)
    }
}
