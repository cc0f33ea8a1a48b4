import Foundation
import Serve
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Bad requests get OpenAI-shaped 4xx errors (or a clean close) and the server keeps serving.
final class ServeMalformedTests: XCTestCase {
    func testMalformedRequestsAndDisconnects() async throws {
        let server = try await ServeHarness(maxBodyBytes: 1 << 20)
        defer { Task { await server.stop() } }
        func raw(_ body: String, path: String = "v1/chat/completions") async throws -> (Int, [String: Any]?) {
            let (status, data) = try await server.send("POST", path, body: Data(body.utf8))
            return (status, try? JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
        let ok = #"{"model": "world-base", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 3}"#
        let cases: [(String, String, Int, String?)] = [
            ("bad JSON", #"{"model": "world-base", "messages": [}"#, 400, nil),
            ("not an object", #"[1, 2]"#, 400, nil),
            ("messages a string", #"{"messages": "hi"}"#, 400, "messages"),
            ("no messages", #"{"model": "world-base"}"#, 400, "messages"),
            ("empty messages", #"{"messages": []}"#, 400, "messages"),
            ("role missing", #"{"messages": [{"content": "hi"}]}"#, 400, "messages[0].role"),
            ("content a number", #"{"messages": [{"role": "user", "content": 5}]}"#, 400, "messages[0].content"),
            ("temperature a string", #"{"messages": [{"role": "user", "content": "hi"}], "temperature": "hot"}"#, 400, "temperature"),
            ("temperature out of range", #"{"messages": [{"role": "user", "content": "hi"}], "temperature": 7}"#, 400, "temperature"),
            ("max_tokens a string", #"{"messages": [{"role": "user", "content": "hi"}], "max_tokens": "10"}"#, 400, "max_tokens"),
            ("max_tokens zero", #"{"messages": [{"role": "user", "content": "hi"}], "max_tokens": 0}"#, 400, "max_tokens"),
            ("huge max_tokens", #"{"messages": [{"role": "user", "content": "hi"}], "max_tokens": 1000000000}"#, 400, "max_tokens"),
            ("n too large", #"{"messages": [{"role": "user", "content": "hi"}], "n": 1000}"#, 400, "n"),
            ("stop a number", #"{"messages": [{"role": "user", "content": "hi"}], "stop": 3}"#, 400, "stop"),
            ("stream a string", #"{"messages": [{"role": "user", "content": "hi"}], "stream": "yes"}"#, 400, "stream"),
            ("unknown model", #"{"model": "gpt-9", "messages": [{"role": "user", "content": "hi"}]}"#, 404, "model"),
        ]
        for (name, body, status, param) in cases {
            let (s, json) = try await raw(body)
            XCTAssertEqual(s, status, name)
            let e = openAIError(json)
            XCTAssertEqual(e?.param, param, name)
        }
        let (sc, jc) = try await raw(#"{"prompt": {"a": 1}}"#, path: "v1/completions")
        XCTAssertEqual(sc, 400)
        XCTAssertEqual(openAIError(jc)?.param, "prompt")
        let (sctx, jctx) = try await raw(#"{"messages": [{"role": "user", "content": "hi"}], "max_tokens": 1000000000}"#)
        XCTAssertEqual(sctx, 400)
        XCTAssertEqual(openAIError(jctx)?.code, "context_length_exceeded")

        // Unknown routes and methods.
        let (s404, d404) = try await server.send("GET", "v1/engines")
        XCTAssertEqual(s404, 404)
        XCTAssertEqual(openAIError(try? JSONSerialization.jsonObject(with: d404) as? [String: Any])?.code, "unknown_url")
        let (sget, _) = try await server.send("GET", "v1/chat/completions")
        XCTAssertEqual(sget, 404)

        // A 10 MB body: 413 in OpenAI's shape, or the connection closed — never a crash.
        let big = "{\"messages\": [{\"role\": \"user\", \"content\": \"" + String(repeating: "a", count: 10 << 20) + "\"}]}"
        if let (s, json) = try? await raw(big) {
            XCTAssertEqual(s, 413)
            XCTAssertEqual(openAIError(json)?.code, "request_too_large")
        }

        // Clients that go away mid-stream (raw sockets closed after the first bytes).
        let tokensBefore = server.service.scheduler.counters.tokens
        for _ in 0..<3 { try disconnectMidStream(port: server.port) }
        // The server still answers, and the abandoned sequences have left the batch.
        let (after, _) = try await raw(ok)
        XCTAssertEqual(after, 200)
        var idle = false
        for _ in 0..<100 where !idle {
            let c = server.service.scheduler.counters
            idle = c.active == 0 && c.waiting == 0
            if !idle { try await Task.sleep(nanoseconds: 50_000_000) }
        }
        XCTAssertTrue(idle, "cancelled streams should leave the batch: \(server.service.scheduler.counters)")
        // Each abandoned stream asked for 800 tokens; cancelled early, they made far fewer.
        let made = server.service.scheduler.counters.tokens - tokensBefore
        XCTAssertLessThan(made, 3 * 800 / 2, "tokens generated after the disconnects: \(made)")
    }

    /// Sends a streaming request for many tokens over a raw socket, reads the first bytes, closes.
    func disconnectMidStream(port: Int) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        XCTAssertEqual(rc, 0)
        let body = #"{"messages": [{"role": "user", "content": "Tell me a long story."}], "max_tokens": 800, "ignore_eos": true, "stream": true}"#
        let request = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        _ = request.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        var got = 0
        while got < 300 {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            got += n
        }
        XCTAssertGreaterThan(got, 0, "the stream should start before the client leaves")
    }
}
