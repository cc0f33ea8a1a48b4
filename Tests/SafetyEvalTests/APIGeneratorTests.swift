import ChatAPI
import Foundation
import Models
import SafetyEval
import TestSupport
import XCTest

/// ``APIGenerator`` in chat mode against the stub server: the request it sends, multi-turn replay
/// (each generated assistant turn fed back), a failure on an intermediate turn recorded for that
/// conversation only, the reasoning parser's split joined back, and the token count less the stop token.
final class APIGeneratorTests: XCTestCase {
    func generator(_ server: StubChatServer, params: SamplingParameters = SamplingParameters(maxNewTokens: 20, repetitionPenalty: 1.2)) throws -> APIGenerator {
        let client = ChatClient(endpoint: try ChatEndpoint(base: server.baseURLString, timeout: 5),
                                retry: RetryPolicy(maxAttempts: 2, baseDelay: 0.01), maxConnections: 4)
        return APIGenerator(client: client, modelName: "stub-model", params: params, tokenizer: nil, concurrency: 4)
    }

    func testMultiTurnReplayFeedsGeneratedTurnsBackAndIsolatesFailures() throws {
        let server = try StubChatServer { prompt, _ in
            if prompt == "b1" { return .raw(status: 503, body: "busy") }
            return .content("reply to \(prompt)")
        }
        defer { server.stop() }
        func conv(_ turns: [String]) -> [ChatTurn] { turns.map { ChatTurn(role: "user", content: $0) } }
        let items = [BenchmarkItem(id: "a", prompt: "a2", conversation: conv(["a1", "a2"])),
                     BenchmarkItem(id: "b", prompt: "b2", conversation: conv(["b1", "b2"]))]
        let out = (try TempDir.make("api-gen", removedAfter: self) as NSString).appendingPathComponent("multi.json")
        let file = try GenerationRunner(generator: try generator(server), batchSize: 2).run(items: items, benchmark: .multiturn, output: out)
        XCTAssertEqual(file.data[0].response, ["reply to a2"])
        let history = file.data[0].fields["conversation"]?.arrayValue?.compactMap { $0["content"]?.stringValue }
        XCTAssertEqual(history, ["a1", "reply to a1", "a2"], "the generated first answer is replayed")
        XCTAssertEqual(file.data[1].response, [])
        XCTAssertTrue(file.data[1].generationError?.hasPrefix("turn 1: HTTP 503") ?? false, "\(file.data[1].fields)")
        XCTAssertEqual(server.count(for: "b2"), 0, "a failed conversation is not continued")
        let body = try XCTUnwrap(server.requests.first { $0.prompt == "a2" }?.json)
        XCTAssertEqual(body["model"]?.stringValue, "stub-model")
        XCTAssertEqual(body["max_tokens"]?.intValue, 20)
        XCTAssertEqual(body["repetition_penalty"]?.doubleValue, 1.2)
        XCTAssertEqual(body["temperature"]?.doubleValue, 0)
        XCTAssertEqual(body["n"]?.intValue, 1)
        XCTAssertNil(body["top_k"], "neutral extensions are not sent")
        XCTAssertEqual(body["messages"]?.arrayValue?.count, 3)
    }

    func testReasoningIsJoinedBackAndStopTokenNotCounted() throws {
        let answer = #"{"choices": [{"index": 0, "message": {"role": "assistant", "reasoning_content": "\nthink here\n", "content": "\n\nthe answer"}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 5, "completion_tokens": 9, "total_tokens": 14}}"#
        let server = try StubChatServer { _, _ in .raw(status: 200, body: answer) }
        defer { server.stop() }
        let r = try generator(server).generate([GenerationRequest(messages: [ChatTurn(role: "user", content: "q")], samples: 2)])
        XCTAssertEqual(r[0].responses, ["think here\n</think>\n\nthe answer", "think here\n</think>\n\nthe answer"])
        XCTAssertEqual(r[0].responseTokens, [8, 8], "usage counts the stop token; the file does not")
        XCTAssertEqual(Set(server.requests.compactMap { $0.json["seed"]?.intValue }).count, 2, "each sample has its own seed")
    }
}
