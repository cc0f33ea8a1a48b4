import ChatAPI
import Foundation
import Support
import TestSupport
import XCTest

/// ChatAPI's client against the stub server on loopback: retries and their policy, Retry-After,
/// sub-second timeouts, the request-keyed cache, and the key's safety rules.
final class ChatClientTests: XCTestCase {
    private func server(_ handler: @escaping StubChatServer.Handler) throws -> StubChatServer {
        let s = try StubChatServer(handler)
        addTeardownBlock { s.stop() }
        return s
    }

    private func client(_ s: StubChatServer, key: String? = nil, timeout: Double = 5, attempts: Int = 3,
                        cache: ResponseCache? = nil) throws -> ChatClient {
        ChatClient(endpoint: try ChatEndpoint(baseURL: s.baseURL, apiKey: key, timeout: timeout),
                   retry: RetryPolicy(maxAttempts: attempts, baseDelay: 0.01, maxDelay: 0.05, jitter: 0.5, seed: 1), cache: cache)
    }

    private let body = ChatRequest(model: "m", messages: [ChatMessage(role: "user", content: "Hi")], temperature: 0).body

    func testNoBodiesSendNothing() async throws {
        let s = try server { _ in .content("unused") }
        let results = try await client(s).completeAll([], concurrency: 4) { $0 }
        XCTAssertTrue(results.isEmpty)
        XCTAssertTrue(s.requests.isEmpty)
    }

    func testModelsListsIdsAndContextLengths() async throws {
        let s = try server { r in
            r.path == "/v1/models"
                ? .raw(status: 200, body: #"{"object":"list","data":[{"id":"a","object":"model","max_model_len":4096},{"id":"b","object":"model"}]}"#)
                : .raw(status: 404, body: "no")
        }
        let models = try await client(s, key: "sk-abc").models()
        XCTAssertEqual(models, [ServedModelInfo(id: "a", contextLength: 4096), ServedModelInfo(id: "b", contextLength: nil)])
        let r = try XCTUnwrap(s.requests.first)
        XCTAssertEqual(r.method, "GET")
        XCTAssertEqual(r.headers["authorization"], "Bearer sk-abc")
        let bad = try server { _ in .raw(status: 200, body: "not json") }
        do { _ = try await client(bad).models(); XCTFail("a body that is not JSON is an error") } catch let e as ChatAPIError {
            guard case .malformedResponse = e else { return XCTFail("\(e)") }
        }
    }

    func testRequestShapeAndAnswer() async throws {
        let s = try server { _ in .completion(content: "Hello", refusal: nil, finish: "stop") }
        let answer = try await client(s, key: "sk-abc").complete(body)
        XCTAssertEqual(answer, ChatCompletion(content: "Hello", refusal: nil, finishReason: "stop"))
        let r = try XCTUnwrap(s.requests.first)
        XCTAssertEqual(r.method, "POST")
        XCTAssertEqual(r.path, "/v1/chat/completions")
        XCTAssertEqual(r.headers["authorization"], "Bearer sk-abc")
        XCTAssertEqual(r.headers["content-type"], "application/json")
        XCTAssertEqual(String(decoding: r.body, as: UTF8.self), #"{"model":"m","messages":[{"role":"user","content":"Hi"}],"temperature":0}"#)
    }

    func testNoKeyNoAuthorizationHeader() async throws {
        let s = try server { _ in .content("ok") }
        _ = try await client(s).complete(body)
        XCTAssertNil(s.requests.first?.headers["authorization"])
    }

    func testRetriesServerErrorsAndRateLimits() async throws {
        let s = try server { r in
            switch r.number {
            case 0: return .raw(status: 503, body: "busy")
            case 1: return .raw(status: 429, body: "slow down")
            default: return .content("done")
            }
        }
        let answer = try await client(s).complete(body)
        XCTAssertEqual(answer.content, "done")
        XCTAssertEqual(s.requestCount, 3)
    }

    func testAttemptCapAndFinalError() async throws {
        let s = try server { _ in .raw(status: 500, body: "boom") }
        do { _ = try await client(s, attempts: 2).complete(body); XCTFail("expected failure") } catch let e as ChatAPIError {
            XCTAssertEqual(e, .httpStatus(500, "boom"))
        }
        XCTAssertEqual(s.requestCount, 2)
    }

    func testOtherClientErrorsAreFinal() async throws {
        let s = try server { _ in .raw(status: 400, body: "bad model") }
        do { _ = try await client(s).complete(body); XCTFail("expected failure") } catch let e as ChatAPIError {
            XCTAssertEqual(e, .httpStatus(400, "bad model"))
            XCTAssertFalse(e.isRetryable)
        }
        XCTAssertEqual(s.requestCount, 1)
    }

    func testRetryAfterIsHonoured() async throws {
        let s = try server { r in r.number == 0 ? .raw(status: 429, body: "later", headers: ["Retry-After": "1"]) : .content("ok") }
        let start = Date()
        _ = try await client(s).complete(body)
        let took = Date().timeIntervalSince(start)
        XCTAssertGreaterThan(took, 0.95, "waited for Retry-After: 1")
        XCTAssertLessThan(took, 3)
        XCTAssertEqual(RetryPolicy.retryAfterSeconds("2.5"), 2.5)
        let now = Date(timeIntervalSince1970: 1_700_000_000)  // Tue, 14 Nov 2023 22:13:20 GMT
        XCTAssertEqual(RetryPolicy.retryAfterSeconds("Tue, 14 Nov 2023 22:13:30 GMT", now: now), 10)
        XCTAssertNil(RetryPolicy.retryAfterSeconds("soon"))
        XCTAssertEqual(RetryPolicy(maxRetryAfter: 60).delay(afterAttempt: 1, retryAfter: 3600, unit: 0.5), 60, "capped")
    }

    func testBackoffIsExponentialCappedAndJitteredReproducibly() {
        let p = RetryPolicy(maxAttempts: 6, baseDelay: 0.5, maxDelay: 4, jitter: 0.5)
        XCTAssertEqual((1...5).map { p.delay(afterAttempt: $0, retryAfter: nil, unit: 0) }, [0.5, 1, 2, 4, 4])
        XCTAssertEqual(p.delay(afterAttempt: 3, retryAfter: nil, unit: 0.5), 1.5, "2 s less a quarter")
        var a = SplitMix64(seed: p.seed), b = SplitMix64(seed: p.seed)
        XCTAssertEqual((0..<4).map { _ in p.delay(afterAttempt: 2, retryAfter: nil, unit: a.nextUnit()) },
                       (0..<4).map { _ in p.delay(afterAttempt: 2, retryAfter: nil, unit: b.nextUnit()) })
    }

    /// A timeout below one second ends the attempt at that time (not at once, not a second later).
    func testSubSecondTimeout() async throws {
        let s = try server { r in r.number == 0 ? .delayed(2, .content("late")) : .content("on time") }
        let start = Date()
        let answer = try await client(s, timeout: 0.3).complete(body)
        let took = Date().timeIntervalSince(start)
        XCTAssertEqual(answer.content, "on time")
        XCTAssertEqual(s.requestCount, 2)
        XCTAssertGreaterThan(took, 0.28, "the first attempt waited for its timeout")
        XCTAssertLessThan(took, 1.5, "and was abandoned at 0.3 s")
        let slow = try server { _ in .delayed(1, .content("late")) }
        do { _ = try await client(slow, timeout: 0.2, attempts: 1).complete(body); XCTFail("expected timeout") } catch let e as ChatAPIError {
            XCTAssertEqual(e, .timedOut(0.2))
        }
    }

    func testMalformedBodiesAreRetriedThenReported() async throws {
        let s = try server { r in r.number == 0 ? .raw(status: 200, body: "{\"choices\": [") : .raw(status: 200, body: "{\"object\": \"x\"}") }
        do { _ = try await client(s, attempts: 2).complete(body); XCTFail("expected failure") } catch let e as ChatAPIError {
            guard case let .malformedResponse(why) = e else { return XCTFail("\(e)") }
            XCTAssertTrue(why.contains("no choices[0].message"), why)
        }
        XCTAssertEqual(s.requestCount, 2)
    }

    func testUnusableAnswersAreRetriedOtherErrorsAreNot() async throws {
        let s = try server { r in .content(r.attempt == 1 ? "maybe" : "42") }
        let n: Int = try await client(s).complete(body) { c in
            guard let v = c.content.flatMap(Int.init) else { throw ChatAPIError.unusable("not a number") }
            return v
        }
        XCTAssertEqual(n, 42)
        XCTAssertEqual(s.requestCount, 2)
        struct Refused: Error {}
        do {
            _ = try await client(s).complete(body) { _ -> Int in throw Refused() }
            XCTFail("expected the caller's error")
        } catch is Refused {}
        XCTAssertEqual(s.requestCount, 3, "a caller's own error is not retried")
    }

    func testCacheIsKeyedByCanonicalBodyNotByKey() async throws {
        let s = try server { r in .content("answer \(r.number)") }
        let dir = try TempDir.make("chat-cache", removedAfter: self)
        let cache = try ResponseCache(directory: dir)
        let first = try await client(s, key: "sk-one", cache: cache).complete(body, accept: { $0 })
        // Same request, other key, keys of the body in another order: served from the cache.
        let reordered = JSONValue.object(["temperature": .int(0), "messages": body["messages"]!, "model": .string("m")])
        let second = try await client(s, key: "sk-two", cache: cache).complete(reordered, accept: { $0 })
        XCTAssertEqual(first, second)
        XCTAssertEqual(s.requestCount, 1)
        // Another model is another request.
        let other = ChatRequest(model: "m2", messages: [ChatMessage(role: "user", content: "Hi")], temperature: 0).body
        _ = try await client(s, cache: cache).complete(other, accept: { $0 })
        XCTAssertEqual(s.requestCount, 2)
        // The key is in no cache file.
        for name in try FileManager.default.contentsOfDirectory(atPath: dir) {
            let text = try String(contentsOfFile: dir + "/" + name, encoding: .utf8)
            XCTAssertFalse(text.contains("sk-one") || text.contains("sk-two"), name)
        }
        // An answer the caller rejects is not cached.
        let third = ChatRequest(model: "m3", messages: [ChatMessage(role: "user", content: "Hi")]).body
        _ = try? await client(s, attempts: 1, cache: cache).complete(third) { _ -> String in throw ChatAPIError.unusable("no") }
        XCTAssertNil(cache.get(url: try client(s).endpoint.completionsURL, body: third))
    }

    func testKeyIsScrubbedFromErrors() async throws {
        let s = try server { r in .raw(status: 401, body: "invalid key \(r.headers["authorization"] ?? "")") }
        let c = try client(s, key: "sk-secret-123")
        XCTAssertFalse(c.endpoint.description.contains("sk-secret-123"))
        do { _ = try await c.complete(body); XCTFail("expected failure") } catch let e as ChatAPIError {
            XCTAssertEqual(e, .httpStatus(401, "invalid key Bearer [redacted]"))
            XCTAssertFalse("\(e)".contains("sk-secret-123"))
        }
    }

    /// Issue 20: an endpoint that echoes the key in a successful reply must not get it into a
    /// judged file; the answer's texts are scrubbed like error bodies.
    func testKeyIsScrubbedFromReplies() async throws {
        let s = try server { r in .completion(content: "your key is \(r.headers["authorization"] ?? "")", refusal: "sk-secret-123", finish: "stop") }
        let answer = try await client(s, key: "sk-secret-123").complete(body)
        XCTAssertEqual(answer.content, "your key is Bearer [redacted]")
        XCTAssertEqual(answer.refusal, "[redacted]")
    }

    /// A redirect to the same origin keeps `Authorization`; to another port (another origin) it is dropped.
    func testAuthorizationIsDroppedOnCrossOriginRedirect() async throws {
        let target = try server { _ in .content("from target") }
        let sameOriginTarget = "/v1/elsewhere"
        let front = try server { r in
            r.path == sameOriginTarget ? .raw(status: 307, body: "", headers: ["Location": target.baseURLString + "/chat/completions"])
                                       : .raw(status: 307, body: "", headers: ["Location": sameOriginTarget])
        }
        let answer = try await client(front, key: "sk-abc").complete(body)
        XCTAssertEqual(answer.content, "from target")
        XCTAssertEqual(front.requests.map(\.path), ["/v1/chat/completions", sameOriginTarget])
        XCTAssertEqual(front.requests.map { $0.headers["authorization"] }, ["Bearer sk-abc", "Bearer sk-abc"], "same origin keeps the key")
        XCTAssertEqual(target.requestCount, 1)
        XCTAssertNil(target.requests[0].headers["authorization"], "another port is another origin")
        XCTAssertEqual(target.requests[0].body, front.requests[0].body, "the POST body is re-sent")
    }

    func testRedirectLoopIsAnError() async throws {
        let s = try server { _ in .raw(status: 302, body: "", headers: ["Location": "/v1/chat/completions"]) }
        do { _ = try await client(s).complete(body); XCTFail("expected failure") } catch let e as ChatAPIError {
            guard case .redirect = e else { return XCTFail("\(e)") }
        }
        XCTAssertEqual(s.requestCount, ChatClient.maxRedirects + 1)
    }

    func testConnectionRefusedIsATransportError() async throws {
        let s = try server { _ in .content("x") }
        s.stop()
        do { _ = try await client(s, attempts: 2).complete(body); XCTFail("expected failure") } catch let e as ChatAPIError {
            guard case .transport = e else { return XCTFail("\(e)") }
        }
    }

    func testInvalidEndpoints() {
        for bad in ["ftp://x/v1", "not a url", "http://", "/v1"] {
            XCTAssertThrowsError(try ChatEndpoint(base: bad), bad) { e in
                guard case .invalidEndpoint? = e as? ChatAPIError else { return XCTFail("\(e)") }
            }
        }
        XCTAssertThrowsError(try ChatEndpoint(base: "http://h/v1", timeout: 0))
        XCTAssertEqual(try ChatEndpoint(base: "https://user:pw@api.example.com/v1/").baseURL.absoluteString, "https://api.example.com/v1")
    }
}
