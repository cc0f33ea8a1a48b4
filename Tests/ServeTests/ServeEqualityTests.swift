import Foundation
import Models
import Tokenizers
import SafetyEval
import Serve
import XCTest

/// Greedy output over HTTP equals `safekey generate`'s (``DecoderGenerator``, the code path of the
/// command) for the same prompts: non-streaming one by one, streaming all at once (continuous
/// batching), and through `/v1/completions` with the rendered prompt.
final class ServeEqualityTests: XCTestCase {
    static let maxTokens = 48

    /// What `safekey generate --max-new-tokens 48 --repetition-penalty 1.2` writes for each prompt.
    func expected() throws -> [String] {
        let gen = DecoderGenerator(local: try ServeHarness.model().local, name: "world-base",
                                   params: SamplingParameters(maxNewTokens: Self.maxTokens, repetitionPenalty: 1.2), rowsPerBatch: 8)
        return try gen.generate(worldPrompts.map { GenerationRequest(messages: [ChatTurn(role: "user", content: $0)]) }).map { $0.responses[0] }
    }

    /// What the chat endpoint's reasoning and content give back for a generated text: a response that
    /// ends right after `</think>` has an empty answer, which the server reports as null content, so
    /// the reasoning comes back without the closing tag.
    static func chatText(_ generated: String) -> String {
        guard generated.hasSuffix("</think>") else { return generated }
        return String(generated.dropLast("</think>".count)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func body(_ prompt: String, stream: Bool) -> [String: Any] {
        ["model": "world-base", "messages": [["role": "user", "content": prompt]], "max_tokens": Self.maxTokens,
         "temperature": 0, "repetition_penalty": 1.2, "stream": stream]
    }

    func testGreedyOverHTTPEqualsGenerate() async throws {
        let want = try expected()
        XCTAssertTrue(want.contains { $0.contains("</think>") }, "the world model should think, then answer: \(want)")
        let server = try await ServeHarness()
        defer { Task { await server.stop() } }

        // Non-streaming, one request at a time.
        for (prompt, w) in zip(worldPrompts, want) {
            let (status, json, raw) = try await server.post("v1/chat/completions", Self.body(prompt, stream: false))
            XCTAssertEqual(status, 200, String(decoding: raw, as: UTF8.self))
            let choice = try XCTUnwrap((json?["choices"] as? [[String: Any]])?.first)
            let message = try XCTUnwrap(choice["message"] as? [String: Any])
            XCTAssertEqual(generateText(reasoning: message["reasoning_content"] as? String, content: message["content"] as? String), Self.chatText(w), prompt)
            XCTAssertNotNil(choice["finish_reason"] as? String)
        }

        // Streaming, all prompts at once (they share decoding steps).
        let summaries = try await withThrowingTaskGroup(of: (Int, StreamSummary).self) { group in
            for (i, prompt) in worldPrompts.enumerated() {
                group.addTask {
                    let (status, data) = try await server.send("POST", "v1/chat/completions",
                                                               body: try JSONSerialization.data(withJSONObject: Self.body(prompt, stream: true)))
                    XCTAssertEqual(status, 200)
                    return (i, try StreamSummary.parse(data))
                }
            }
            var out = [Int: StreamSummary]()
            for try await (i, s) in group { out[i] = s }
            return out
        }
        for (i, w) in want.enumerated() {
            let s = try XCTUnwrap(summaries[i])
            XCTAssertEqual(generateText(reasoning: s.reasoning[0], content: s.content[0]), Self.chatText(w), "stream \(i)")
        }
        XCTAssertGreaterThan(server.service.scheduler.counters.peakActive, 1, "the streams should have been batched together")

        // Raw completions with the rendered prompt (no special tokens added: the template has its BOS).
        let rendered = try ServeHarness.model().render([ChatMessage(role: "user", content: worldPrompts[0])])
        let (status, json, _) = try await server.post("v1/completions", [
            "model": "world-base", "prompt": rendered, "max_tokens": Self.maxTokens, "temperature": 0,
            "repetition_penalty": 1.2, "add_special_tokens": false,
        ])
        XCTAssertEqual(status, 200)
        let text = try XCTUnwrap((json?["choices"] as? [[String: Any]])?.first?["text"] as? String)
        XCTAssertEqual(text.trimmingCharacters(in: .whitespacesAndNewlines), want[0])
    }
}
