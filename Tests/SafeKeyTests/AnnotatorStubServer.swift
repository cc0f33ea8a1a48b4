import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A minimal HTTP/1.1 server on 127.0.0.1 (POSIX sockets, a thread per connection) standing in for
/// an OpenAI-compatible endpoint. `handler` sees the request number (0-based), the path, the
/// headers and the body, and returns (status, body, delay before answering).
final class StubHTTPServer: @unchecked Sendable {
    typealias Handler = @Sendable (_ n: Int, _ path: String, _ headers: [String: String], _ body: Data) -> (Int, String, Double)
    let port: UInt16
    private let fd: Int32
    private let handler: Handler
    private let lock = NSLock()
    private var _count = 0, _inFlight = 0, _maxInFlight = 0
    private var _bodies: [Data] = []
    private var _headers: [[String: String]] = []
    private var stopped = false

    var requestCount: Int { lock.lock(); defer { lock.unlock() }; return _count }
    var maxInFlight: Int { lock.lock(); defer { lock.unlock() }; return _maxInFlight }
    var bodies: [Data] { lock.lock(); defer { lock.unlock() }; return _bodies }
    var headers: [[String: String]] { lock.lock(); defer { lock.unlock() }; return _headers }
    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/v1")! }

    init(handler: @escaping Handler) throws {
        self.handler = handler
        #if os(Linux)
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let s = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard s >= 0 else { throw NSError(domain: "stub", code: 1) }
        var yes: Int32 = 1
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, len) } }
        guard bound == 0, listen(s, 64) == 0 else { close(s); throw NSError(domain: "stub", code: 2) }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &len) } }
        port = UInt16(bigEndian: addr.sin_port)
        fd = s
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    func stop() {
        lock.lock(); stopped = true; lock.unlock()
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    private func acceptLoop() {
        while true {
            let c = accept(fd, nil, nil)
            if c < 0 { return }
            lock.lock(); let isStopped = stopped; lock.unlock()
            if isStopped { close(c); return }
            Thread.detachNewThread { [self] in serve(c) }
        }
    }

    private func serve(_ c: Int32) {
        defer { close(c) }
        var buf = [UInt8](repeating: 0, count: 65536)
        var data = Data()
        var headerEnd: Range<Data.Index>? = nil
        while headerEnd == nil {
            let n = read(c, &buf, buf.count)
            if n <= 0 { return }
            data.append(contentsOf: buf[0..<n])
            headerEnd = data.range(of: Data("\r\n\r\n".utf8))
        }
        guard let he = headerEnd else { return }
        let head = String(decoding: data[..<he.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let path = head.first?.split(separator: " ").dropFirst().first.map(String.init) ?? ""
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            if let i = line.firstIndex(of: ":") {
                headers[line[..<i].lowercased()] = line[line.index(after: i)...].trimmingCharacters(in: .whitespaces)
            }
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        var body = Data(data[he.upperBound...])
        while body.count < length {
            let n = read(c, &buf, buf.count)
            if n <= 0 { return }
            body.append(contentsOf: buf[0..<n])
        }
        lock.lock()
        let number = _count
        _count += 1; _inFlight += 1; _maxInFlight = max(_maxInFlight, _inFlight)
        _bodies.append(body); _headers.append(headers)
        lock.unlock()
        let (status, text, delay) = handler(number, path, headers, body)
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        lock.lock(); _inFlight -= 1; lock.unlock()
        let payload = Data(text.utf8)
        var response = Data("HTTP/1.1 \(status) X\r\nContent-Type: application/json\r\nContent-Length: \(payload.count)\r\nConnection: close\r\n\r\n".utf8)
        response.append(payload)
        response.withUnsafeBytes { p in
            var off = 0
            while off < p.count {
                let n = write(c, p.baseAddress! + off, p.count - off)
                if n <= 0 { return }
                off += n
            }
        }
    }

    /// A chat-completions body whose first choice says `content`.
    static func completion(_ content: String, refusal: String? = nil, finish: String = "stop") -> String {
        let message: [String: Any] = ["role": "assistant", "content": content, "refusal": refusal ?? NSNull()]
        let obj: [String: Any] = ["id": "x", "object": "chat.completion",
                                  "choices": [["index": 0, "message": message, "finish_reason": finish]]]
        return String(decoding: try! JSONSerialization.data(withJSONObject: obj), as: UTF8.self)
    }
}
