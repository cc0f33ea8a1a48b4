import ChatAPI
import Foundation
import SafetyEval
import TestSupport
import XCTest

final class RubricJudgeTests: XCTestCase {
    func testPromptShape() {
        let p = RubricPrompts.harmfulness(instruction: "INSTR", response: "RESP")
        XCTAssertTrue(p.contains("User request: INSTR"))
        XCTAssertTrue(p.contains("Model reply: RESP"))
        for s in 1 ... 5 { XCTAssertTrue(p.contains("\n\(s) - "), "score \(s) definition") }
        XCTAssertTrue(p.contains("\"score\""))
        let x = RubricPrompts.xstest(question: "Q", response: "R")
        XCTAssertTrue(x.contains("QUESTION: \"Q\"") && x.contains("RESPONSE: \"R\""))
        for c in XSTestClass.allCases { XCTAssertTrue(x.contains(c.rawValue)) }
    }

    func testScoreParsing() {
        XCTAssertEqual(RubricPrompts.parseHarmfulness(#"{"reason": "ok", "score": 4}"#)?.score, 4)
        XCTAssertEqual(RubricPrompts.parseHarmfulness("Here:\n```json\n{\"reason\": \"multi\nline\", \"score\": \"5\"}\n```")?.score, 5)
        XCTAssertEqual(RubricPrompts.parseHarmfulness(#"{"reason": "x", "score": 2.0}"#)?.reason, "x")
        XCTAssertEqual(RubricPrompts.parseHarmfulness(#"broken {"reason": "unterminated, "score": 3"#)?.score, 3)
        XCTAssertNil(RubricPrompts.parseHarmfulness(#"{"reason": "x", "score": 7}"#))
        XCTAssertNil(RubricPrompts.parseHarmfulness(#"{"reason": "x"}"#))
        XCTAssertNil(RubricPrompts.parseHarmfulness("I refuse to grade this."))
        XCTAssertEqual(RubricPrompts.parseXSTest("2_full_refusal"), .fullRefusal)
        XCTAssertEqual(RubricPrompts.parseXSTest("Class: partial refusal."), .partialRefusal)
        XCTAssertNil(RubricPrompts.parseXSTest("1_full_compliance or 2_full_refusal"))
        XCTAssertNil(RubricPrompts.parseXSTest("unsure"))
    }

    private func client(_ server: StubChatServer, attempts: Int = 3, timeout: Double = 5, concurrency: Int = 3, cache: CompletionCache? = nil) throws -> ChatClient {
        try ChatClient.judgeClient(apiBase: server.baseURLString, apiKey: "test-key", timeout: timeout, maxAttempts: attempts, retryDelay: 0.01,
                                   concurrency: concurrency, cache: cache)
    }

    /// The rubric judge on the stub (model "stub-judge", JSON mode).
    private func judge(_ server: StubChatServer, attempts: Int = 3, timeout: Double = 5, concurrency: Int = 3, cache: CompletionCache? = nil) throws -> RubricJudge {
        RubricJudge(client: try client(server, attempts: attempts, timeout: timeout, concurrency: concurrency, cache: cache), model: "stub-judge",
                    concurrency: concurrency)
    }

    /// Scores by marker in the response; failure modes per marker.
    private func stub() throws -> StubChatServer {
        try StubChatServer { prompt, attempt in
            if prompt.contains("FLAKY500") { return attempt == 1 ? .raw(status: 500, body: "oops") : .content(#"{"reason": "r", "score": 5}"#) }
            if prompt.contains("GARBLED") { return attempt == 1 ? .content("not json at all") : .content(#"{"reason": "r", "score": 4}"#) }
            if prompt.contains("ALWAYS-BAD") { return .raw(status: 200, body: "{\"nope\": true}") }
            if prompt.contains("UNAUTHORIZED") { return .raw(status: 401, body: "{\"error\": \"bad key\"}") }
            if prompt.contains("SLOW") { return .delayed(3, .content(#"{"reason": "late", "score": 1}"#)) }
            if prompt.contains("RESPONSE: \"") { return .content("1_full_compliance") }
            return .delayed(0.05, .content(#"{"reason": "fine", "score": 1}"#))
        }
    }

    func testJudgeWithRetriesAndFailureModes() throws {
        let server = try stub()
        defer { server.stop() }
        let judge = try judge(server, attempts: 2, timeout: 1)
        let inputs = ["plain", "FLAKY500", "GARBLED", "ALWAYS-BAD", "UNAUTHORIZED", "SLOW", ""].map { JudgeInput(instruction: "do x", response: $0) }
        let v = try judge.judge(inputs, benchmark: .strongreject)
        XCTAssertEqual(v[0], .rubric(score: 1, reason: "fine"))
        XCTAssertEqual(v[1], .rubric(score: 5, reason: "r"), "HTTP 500 is retried")
        XCTAssertEqual(v[2], .rubric(score: 4, reason: "r"), "an unparseable verdict is retried")
        guard case let .failed(why3) = v[3] else { return XCTFail("\(v[3])") }
        XCTAssertTrue(why3.contains("not a chat completion") && why3.contains("after 2 attempts"), why3)
        guard case let .failed(why4) = v[4] else { return XCTFail("\(v[4])") }
        XCTAssertTrue(why4.contains("HTTP 401"), why4)
        XCTAssertEqual(server.count(for: RubricPrompts.harmfulness(instruction: "do x", response: "UNAUTHORIZED")), 1, "401 is not retried")
        guard case let .failed(why5) = v[5] else { return XCTFail("\(v[5])") }
        XCTAssertTrue(why5.contains("after 2 attempts"), why5)
        XCTAssertEqual(v[6], .rubric(score: 1, reason: "empty response"))
        XCTAssertEqual(server.count(for: RubricPrompts.harmfulness(instruction: "do x", response: "")), 0, "empty responses are not sent")
        XCTAssertEqual(server.lastAuthorization, "Bearer test-key")
        XCTAssertEqual(server.lastBody["model"]?.stringValue, "stub-judge")
        XCTAssertEqual(server.lastBody["response_format"]?["type"]?.stringValue, "json_object")
    }

    func testXSTestModeAndConcurrencyBound() throws {
        let server = try stub()
        defer { server.stop() }
        let judge = try judge(server, concurrency: 3)
        let v = try judge.judge((0 ..< 9).map { JudgeInput(instruction: "q\($0)", response: "a\($0)") }, benchmark: .xstest)
        XCTAssertEqual(v, Array(repeating: .xstest(.fullCompliance, raw: "1_full_compliance"), count: 9))
        let h = try judge.judge((0 ..< 12).map { JudgeInput(instruction: "h\($0)", response: "a\($0)") }, benchmark: .advbench)
        XCTAssertEqual(h.count, 12)
        XCTAssertLessThanOrEqual(server.maxInFlight, 3)
        XCTAssertGreaterThanOrEqual(server.maxInFlight, 2, "requests should overlap")
    }

    func testCacheAvoidsRepeatRequests() throws {
        let server = try stub()
        defer { server.stop() }
        let cache = try CompletionCache(directory: try TestPaths.tempDir() + "/cache")
        let inputs = [JudgeInput(instruction: "c", response: "cached one")]
        let first = try judge(server, cache: cache).judge(inputs, benchmark: nil)
        let before = server.total
        let second = try judge(server, cache: cache).judge(inputs, benchmark: nil)
        XCTAssertEqual(first, second)
        XCTAssertEqual(server.total, before, "second run must be served from the cache")
        let prompt = RubricPrompts.harmfulness(instruction: "c", response: "cached one")
        let url = try client(server, cache: cache).endpoint.completionsURL
        XCTAssertNotNil(cache.get(url: url, body: ChatClient.judgeRequest(model: "stub-judge", chat: [ChatTurn(role: "user", content: prompt)], jsonMode: true)))
        XCTAssertNil(cache.get(url: url, body: ChatClient.judgeRequest(model: "other-model", chat: [ChatTurn(role: "user", content: prompt)], jsonMode: true)))
    }

    func testBadEndpointIsAnError() {
        XCTAssertThrowsError(try ChatClient.judgeClient(apiBase: "ftp://x")) { e in
            guard case .endpoint? = e as? SafetyEvalError else { return XCTFail("\(e)") }
        }
    }

    func testConnectionRefusedIsAFailureNotACrash() throws {
        let server = try stub()
        let base = server.baseURLString
        server.stop()
        let c = try ChatClient.judgeClient(apiBase: base, timeout: 2, maxAttempts: 2, retryDelay: 0.01)
        let v = try RubricJudge(client: c, model: "m").judge([JudgeInput(instruction: "i", response: "r")], benchmark: nil)
        guard case let .failed(why) = v[0] else { return XCTFail("\(v[0])") }
        XCTAssertTrue(why.contains("after 2 attempts"), why)
    }
}
