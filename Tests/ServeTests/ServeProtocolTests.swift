import Foundation
import Models
import Tokenizers
import Serve
import XCTest

/// OpenAI fields the server honours: models, health, usage, n, stop strings, max_tokens, bearer key.
final class ServeProtocolTests: XCTestCase {
    func testModelsHealthUsageChoicesStopAndLength() async throws {
        let server = try await ServeHarness()
        defer { Task { await server.stop() } }
        let (s1, d1) = try await server.send("GET", "v1/models")
        XCTAssertEqual(s1, 200)
        let models = try XCTUnwrap(try JSONSerialization.jsonObject(with: d1) as? [String: Any])
        XCTAssertEqual((models["data"] as? [[String: Any]])?.first?["id"] as? String, "world-base")
        let (s2, d2) = try await server.send("GET", "health")
        XCTAssertEqual(s2, 200)
        XCTAssertEqual((try JSONSerialization.jsonObject(with: d2) as? [String: Any])?["status"] as? String, "ok")

        let prompt = worldPrompts[0]
        let served = try ServeHarness.model()
        let promptIds = try served.local.encodePrompt(try served.render([ChatMessage(role: "user", content: prompt)]))
        func chat(_ extra: [String: Any]) async throws -> [String: Any] {
            var b: [String: Any] = ["model": "world-base", "messages": [["role": "user", "content": prompt]], "temperature": 0]
            b.merge(extra) { $1 }
            let (status, json, raw) = try await server.post("v1/chat/completions", b)
            XCTAssertEqual(status, 200, String(decoding: raw, as: UTF8.self))
            return try XCTUnwrap(json)
        }
        func text(_ r: [String: Any], _ i: Int = 0) -> String {
            let m = ((r["choices"] as? [[String: Any]])?[i]["message"] as? [String: Any]) ?? [:]
            return generateText(reasoning: m["reasoning_content"] as? String, content: m["content"] as? String)
        }

        // max_tokens: exactly that many tokens, finish_reason length, usage counted.
        let short = try await chat(["max_tokens": 5, "ignore_eos": true])
        XCTAssertEqual((short["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String, "length")
        let usage = try XCTUnwrap(short["usage"] as? [String: Int])
        XCTAssertEqual(usage["prompt_tokens"], promptIds.count)
        XCTAssertEqual(usage["completion_tokens"], 5)
        XCTAssertEqual(usage["total_tokens"], promptIds.count + 5)

        // n = 3 greedy: three identical choices, usage counts all of them.
        let full = try await chat(["max_tokens": 40])
        let three = try await chat(["max_tokens": 40, "n": 3])
        XCTAssertEqual((three["choices"] as? [[String: Any]])?.count, 3)
        for i in 0..<3 { XCTAssertEqual(text(three, i), text(full)) }
        XCTAssertEqual((three["usage"] as? [String: Int])?["completion_tokens"], 3 * ((full["usage"] as? [String: Int])?["completion_tokens"] ?? 0))

        // stop: the text ends just before the stop string; finish_reason stop.
        let whole = text(full)
        XCTAssertGreaterThan(whole.count, 12, whole)
        let cut = whole.index(whole.startIndex, offsetBy: whole.count / 2)
        let stop = String(whole[cut...].prefix(4))
        let before = String(whole[..<whole.range(of: stop)!.lowerBound])
        let stopped = try await chat(["max_tokens": 40, "stop": [stop, "never-appears"]])
        XCTAssertEqual(text(stopped), before.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual((stopped["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String, "stop")
        // …and the same through a stream.
        let (ss, sd) = try await server.send("POST", "v1/chat/completions", body: try JSONSerialization.data(withJSONObject: [
            "model": "world-base", "messages": [["role": "user", "content": prompt]], "temperature": 0, "max_tokens": 40,
            "stop": stop, "stream": true, "stream_options": ["include_usage": true],
        ] as [String: Any]))
        XCTAssertEqual(ss, 200)
        let summary = try StreamSummary.parse(sd)
        XCTAssertEqual(generateText(reasoning: summary.reasoning[0], content: summary.content[0]), before.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(summary.finishReasons[0], "stop")
        XCTAssertNotNil(summary.completionTokens)
    }

    func testBearerKey() async throws {
        let server = try await ServeHarness(apiKey: "sk-test-123")
        defer { Task { await server.stop() } }
        let body: [String: Any] = ["messages": [["role": "user", "content": "hi"]], "max_tokens": 2]
        for header in [[:], ["Authorization": "Bearer sk-test-12"], ["Authorization": "Bearer sk-test-1234"], ["Authorization": "sk-test-123"]] {
            let (status, json, _) = try await server.post("v1/chat/completions", body, headers: header)
            XCTAssertEqual(status, 401, "\(header)")
            XCTAssertEqual(openAIError(json)?.code, "invalid_api_key")
        }
        let (ok, _, _) = try await server.post("v1/chat/completions", body, headers: ["Authorization": "Bearer sk-test-123"])
        XCTAssertEqual(ok, 200)
        let (health, _) = try await server.send("GET", "health")
        XCTAssertEqual(health, 200, "/health stays open for probes")
    }

    /// The reasoning split itself: pieces in any chunking give the whole-text split (vLLM deepseek_r1).
    func testReasoningSplitterChunkings() {
        let text = "plan: <think>refuse</think> politely.</think>No, I won't."
        let whole = ReasoningSplitter.split(text, enabled: true)
        XCTAssertEqual(whole.reasoning, "plan: refuse")
        XCTAssertEqual(whole.content, " politely.</think>No, I won't.")
        XCTAssertEqual(ReasoningSplitter.split("still thinking</thi", enabled: true).reasoning, "still thinking</thi")
        XCTAssertNil(ReasoningSplitter.split("still thinking", enabled: true).content)
        XCTAssertEqual(ReasoningSplitter.split(text, enabled: false).content, text)
        for size in 1...9 {
            var s = ReasoningSplitter(enabled: true), r = "", c = ""
            var rest = Substring(text)
            while !rest.isEmpty {
                let (a, b) = s.push(String(rest.prefix(size)))
                r += a; c += b
                rest = rest.dropFirst(size)
            }
            let (a, b) = s.finish()
            XCTAssertEqual(r + a, whole.reasoning, "chunk \(size)")
            XCTAssertEqual(c + b, whole.content, "chunk \(size)")
        }
    }
}
