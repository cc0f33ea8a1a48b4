import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An in-process HTTP/1.1 server on 127.0.0.1 (random port) that imitates an OpenAI-compatible
/// `POST /v1/chat/completions`. `handler` gets the prompt (the single user message) and the
/// request count for that prompt (1 = first attempt) and returns what to send back.
final class StubChatServer: @unchecked Sendable {
    enum Reply {
        /// 200 with a chat completion whose message content is the string.
        case content(String)
        /// Any status and raw body.
        case raw(status: Int, body: String)
        /// Sleep, then reply.
        indirect case delayed(Double, Reply)
    }

    let port: UInt16
    private let fd: Int32
    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    private(set) var total = 0
    private var inFlight = 0
    private(set) var maxInFlight = 0
    private(set) var lastAuthorization: String?
    private(set) var lastBody: [String: Any] = [:]
    private let handler: (String, Int) -> Reply

    var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    init(handler: @escaping (String, Int) -> Reply) throws {
        self.handler = handler
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw NSError(domain: "stub", code: 1) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0, listen(fd, 64) == 0 else { close(fd); throw NSError(domain: "stub", code: 2) }
        var bound = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        self.fd = fd
        port = UInt16(bigEndian: bound.sin_port)
        let listener = fd
        Thread.detachNewThread { [weak self] in
            while true {
                let c = accept(listener, nil, nil)
                if c < 0 { return }
                guard let self else { close(c); return }
                Thread.detachNewThread { self.serve(c) }
            }
        }
    }

    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    func count(for prompt: String) -> Int { lock.lock(); defer { lock.unlock() }; return counts[prompt] ?? 0 }

    private func serve(_ c: Int32) {
        defer { close(c) }
        var buf = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65536)
        var headerEnd: Int?
        var contentLength = 0
        while true {
            let n = read(c, &chunk, chunk.count)
            if n <= 0 { return }
            buf.append(contentsOf: chunk[0 ..< n])
            if headerEnd == nil, let r = find(buf, Array("\r\n\r\n".utf8)) {
                headerEnd = r + 4
                let head = String(decoding: buf[0 ..< r], as: UTF8.self)
                for line in head.split(separator: "\r\n") {
                    let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    guard parts.count == 2 else { continue }
                    if parts[0].lowercased() == "content-length" { contentLength = Int(parts[1]) ?? 0 }
                    if parts[0].lowercased() == "authorization" { lock.lock(); lastAuthorization = parts[1]; lock.unlock() }
                }
            }
            if let h = headerEnd, buf.count >= h + contentLength { break }
        }
        let body = Data(buf[(headerEnd ?? 0)...])
        let obj = (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:]
        let prompt = ((obj["messages"] as? [[String: Any]])?.last?["content"] as? String) ?? ""
        lock.lock()
        counts[prompt, default: 0] += 1
        let attempt = counts[prompt]!
        total += 1
        inFlight += 1
        maxInFlight = max(maxInFlight, inFlight)
        lastBody = obj
        lock.unlock()
        var reply = handler(prompt, attempt)
        while case let .delayed(s, r) = reply { Thread.sleep(forTimeInterval: s); reply = r }
        lock.lock(); inFlight -= 1; lock.unlock()
        let (status, text): (Int, String)
        switch reply {
        case let .content(s):
            let payload: [String: Any] = ["id": "stub", "object": "chat.completion",
                                          "choices": [["index": 0, "message": ["role": "assistant", "content": s], "finish_reason": "stop"]]]
            status = 200
            text = String(data: try! JSONSerialization.data(withJSONObject: payload), encoding: .utf8)!
        case let .raw(st, b): (status, text) = (st, b)
        case .delayed: (status, text) = (500, "unreachable")
        }
        let bytes = Array(text.utf8)
        let head = "HTTP/1.1 \(status) Stub\r\nContent-Type: application/json\r\nContent-Length: \(bytes.count)\r\nConnection: close\r\n\r\n"
        let all = Array(head.utf8) + bytes
        var off = 0
        while off < all.count {
            let w = all[off...].withUnsafeBufferPointer { write(c, $0.baseAddress, $0.count) }
            if w <= 0 { break }
            off += w
        }
    }

    private func find(_ hay: [UInt8], _ needle: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for i in 0 ... hay.count - needle.count where hay[i] == needle[0] && Array(hay[i ..< i + needle.count]) == needle { return i }
        return nil
    }
}
