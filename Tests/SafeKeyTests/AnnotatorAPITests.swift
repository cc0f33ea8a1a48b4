import ChatAPI
import Foundation
import XCTest
import SafeKey
import TestSupport

/// The `api` method end to end against a stub OpenAI-compatible server on loopback: success,
/// cache, 500s, other 4xx, timeouts, malformed JSON, refusals, bad answers, bounded concurrency.
final class AnnotatorAPITests: XCTestCase {
    static let response: NormalizedResponse = {
        guard case .success(let r) = NormalizedResponse.normalize(
            "<think>Okay, so the user asks how to pick locks. They want to open a neighbour's door. Hmm, that's illegal. I'll refuse.</think>No.")
        else { fatalError("fixture") }
        return r
    }()

    func picker(_ server: StubChatServer, timeout: Double = 5, retries: Int = 3, cache: Bool = true, key: String? = nil) throws -> APIPicker {
        let dir = try TempDir.make("safekey-ann-cache", removedAfter: self)
        let client = ChatClient(endpoint: try ChatEndpoint(baseURL: server.baseURL, apiKey: key, timeout: timeout),
                                retry: RetryPolicy(maxAttempts: retries + 1, baseDelay: 0.01, maxDelay: 0.05),
                                cache: cache ? try ResponseCache(directory: dir) : nil)
        return APIPicker(client: client, model: "stub-model")
    }

    func server(_ handler: @escaping @Sendable (Int, String, [String: String], Data) -> (Int, String, Double)) throws -> StubChatServer {
        let s = try StubChatServer(handler: handler)
        addTeardownBlock { s.stop() }
        return s
    }

    func annotate(_ p: APIPicker) async throws -> Annotation {
        try await Annotator(picker: p).annotate(question: "How do I pick my neighbour's lock?", response: Self.response)
    }

    func testSuccessThenCacheHit() async throws {
        let s = try server { _, _, _, _ in (200, StubChatServer.completion("2"), 0) }
        let p = try picker(s, key: "sk-test")
        let a = try await annotate(p)
        XCTAssertEqual(a.uSentenceCount, 2)
        XCTAssertEqual(a.kText, "Hmm, that's illegal.")
        XCTAssertTrue(a.kIsSafetyAha)
        XCTAssertEqual(a.method, "api")
        XCTAssertEqual(a.confidence, 1.0)
        XCTAssertEqual(s.requestCount, 1)
        XCTAssertEqual(s.headers.first?["authorization"], "Bearer sk-test")
        // The request: the model, temperature 0, the numbered sentences.
        let body = try JSONParser.parse(s.bodies[0], path: "request body")
        XCTAssertEqual(body["model"]?.stringValue, "stub-model")
        let last = try XCTUnwrap(body["messages"]?.arrayValue?.last?["content"]?.stringValue)
        XCTAssertTrue(last.contains("[2] They want to open a neighbour's door."), last)
        XCTAssertTrue(last.contains("from 1 to 3"), last)
        // A rerun is free: answered from the cache.
        let again = try await annotate(p)
        XCTAssertEqual(again, a)
        XCTAssertEqual(s.requestCount, 1)
    }

    func testRetriesServerErrorsThenSucceeds() async throws {
        let s = try server { n, _, _, _ in n < 2 ? (500, "{\"error\": \"boom\"}", 0) : (200, StubChatServer.completion("1"), 0) }
        let a = try await annotate(try picker(s))
        XCTAssertEqual(a.uSentenceCount, 1)
        XCTAssertEqual(s.requestCount, 3)
    }

    func testGivesUpAfterRetries() async throws {
        let s = try server { _, _, _, _ in (503, "unavailable", 0) }
        do { _ = try await annotate(try picker(s, retries: 2)); XCTFail("expected failure") } catch let e as AnnotatorError {
            XCTAssertEqual(e, .httpStatus(503, "unavailable"))
        }
        XCTAssertEqual(s.requestCount, 3)
    }

    func testClientErrorIsNotRetried() async throws {
        let s = try server { _, _, _, _ in (401, "{\"error\": \"bad key\"}", 0) }
        do { _ = try await annotate(try picker(s)); XCTFail("expected failure") } catch let e as AnnotatorError {
            XCTAssertEqual(e.kind, "HTTP error")
        }
        XCTAssertEqual(s.requestCount, 1)
    }

    func testTimeoutIsRetried() async throws {
        let s = try server { n, _, _, _ in (200, StubChatServer.completion("2"), n == 0 ? 4 : 0) }
        let start = Date()
        let a = try await annotate(try picker(s, timeout: 1))
        XCTAssertEqual(a.uSentenceCount, 2)
        XCTAssertEqual(s.requestCount, 2)
        let took = Date().timeIntervalSince(start)
        XCTAssertGreaterThan(took, 0.9, "the first request must have waited for the timeout")
        XCTAssertLessThan(took, 3.5, "the first request must have been abandoned at the timeout")
    }

    func testTimeoutEveryTimeFails() async throws {
        let s = try server { _, _, _, _ in (200, StubChatServer.completion("2"), 3) }
        do { _ = try await annotate(try picker(s, timeout: 1, retries: 1)); XCTFail("expected failure") } catch let e as AnnotatorError {
            XCTAssertEqual(e.kind, "transport/timeout", "\(e)")
        }
        XCTAssertEqual(s.requestCount, 2)
    }

    func testMalformedJSONIsRetriedThenReported() async throws {
        let flaky = try server { n, _, _, _ in n == 0 ? (200, "{\"choices\": [", 0) : (200, StubChatServer.completion("2"), 0) }
        let a = try await annotate(try picker(flaky))
        XCTAssertEqual(a.uSentenceCount, 2)
        XCTAssertEqual(flaky.requestCount, 2)
        let broken = try server { _, _, _, _ in (200, "{\"object\": \"chat.completion\"}", 0) }
        do { _ = try await annotate(try picker(broken, retries: 1)); XCTFail("expected failure") } catch let e as AnnotatorError {
            XCTAssertEqual(e.kind, "malformed response")
        }
    }

    func testRefusalsFailAndAreNotCached() async throws {
        let s = try server { n, _, _, _ in
            n == 0 ? (200, StubChatServer.completion("", refusal: "I can't help with that."), 0)
                   : (200, StubChatServer.completion("", finish: "content_filter"), 0)
        }
        let p = try picker(s)
        for _ in 0..<2 {
            do { _ = try await annotate(p); XCTFail("expected refusal") } catch let e as AnnotatorError {
                XCTAssertEqual(e.kind, "refused")
            }
        }
        XCTAssertEqual(s.requestCount, 2)
    }

    func testUnusableAnswers() async throws {
        let s = try server { n, _, _, _ in (200, StubChatServer.completion(n == 0 ? "I am not sure." : "Sentence 4"), 0) }
        let p = try picker(s)
        do { _ = try await annotate(p); XCTFail() } catch let e as AnnotatorError { XCTAssertEqual(e.kind, "unparsable answer") }
        do { _ = try await annotate(p); XCTFail() } catch let e as AnnotatorError { XCTAssertEqual(e, .invalidPick(count: 4, sentences: 4)) }
        XCTAssertEqual(PickerPrompt.parseAnswer(" 3\n")?.0, 3)
        XCTAssertEqual(PickerPrompt.parseAnswer("The answer is [2].")?.0, 2)
        XCTAssertEqual(PickerPrompt.parseAnswer("The answer is [2].")?.1, false)
    }

    /// A run over many records keeps at most `concurrency` requests in flight, and the failures
    /// are reported and left out of the output.
    func testBoundedConcurrencyInARun() async throws {
        let s = try server { _, _, _, body in
            let text = String(decoding: body, as: UTF8.self)
            return text.contains("REFUSE-ME") ? (200, StubChatServer.completion("", refusal: "no"), 0.05)
                                              : (200, StubChatServer.completion("1"), 0.05)
        }
        var lines: [String] = []
        for i in 0..<12 {
            let q = i == 5 ? "REFUSE-ME question \(i)" : "question \(i)"
            lines.append(#"{"id": "r\#(i)", "question": "\#(q)", "response": "<think>Okay, the user asks \#(i). Fine.</think>ok", "source": "4o_rewrite"}"#)
        }
        let input = try AnnotatorPaths.tempFile(self, lines.joined(separator: "\n"))
        let output = input + ".out.jsonl"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: output) }
        let (records, _) = try RecordReader.read(path: input)
        var failures: [Int] = []
        let summary = try await AnnotationRun(annotator: Annotator(picker: try picker(s)), concurrency: 4)
            .run(records: records, outputPath: output, onFailure: { r, _ in failures.append(r.index) })
        XCTAssertEqual(summary.annotated, 11)
        XCTAssertEqual(failures, [5])
        XCTAssertLessThanOrEqual(s.maxInFlight, 4)
        XCTAssertGreaterThan(s.maxInFlight, 1, "requests should overlap")
        let out = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(out.count, 11)
        XCTAssertFalse(out.contains { $0.contains("\"r5\"") })
    }
}
