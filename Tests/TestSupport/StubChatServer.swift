import Foundation
import Support
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one stand-in for an OpenAI-compatible server in the tests: HTTP/1.1 on 127.0.0.1 (random
/// port, POSIX sockets, a thread per connection, `Connection: close`). The handler sees each
/// request (its number, path, headers, body, the prompt = content of the last message, and how
/// many times that prompt has been asked) and says what to answer; the server records what it saw.
///
///     let s = try StubChatServer { prompt, attempt in attempt == 1 ? .raw(status: 500, body: "x") : .content("ok") }
///     defer { s.stop() }
///     // point a client at s.baseURL ("http://127.0.0.1:<port>/v1")
public final class StubChatServer: @unchecked Sendable {
    /// One request as received.
    public struct Request: Sendable {
        /// 0-based arrival number.
        public let number: Int
        public let method: String
        public let path: String
        /// Header names lower-cased.
        public let headers: [String: String]
        public let body: Data
        /// The content of the last chat message ("" when the body is not a chat request).
        public let prompt: String
        /// How many requests (this one included) have carried this prompt.
        public let attempt: Int
        /// The body parsed as JSON (`.null` when it is not JSON).
        public var json: JSONValue { (try? JSONParser.parse(body, path: "request body")) ?? .null }
    }

    public indirect enum Reply: Sendable {
        /// 200 with a chat completion whose first message says `content`.
        case content(String)
        /// 200 with a chat completion with a refusal field and/or a finish reason.
        case completion(content: String, refusal: String?, finish: String)
        /// Any status, body and extra headers (e.g. `Retry-After`, `Location`).
        case raw(status: Int, body: String, headers: [String: String] = [:])
        /// Sleep, then reply.
        case delayed(Double, Reply)
    }

    public typealias Handler = @Sendable (Request) -> Reply

    public let port: UInt16
    private let fd: Int32
    private let handler: Handler
    private let lock = NSLock()
    private var _requests: [Request] = []
    private var _counts: [String: Int] = [:]
    private var _inFlight = 0, _maxInFlight = 0
    private var _stopped = false

    /// `http://127.0.0.1:<port>/v1`.
    public var baseURL: URL { URL(string: baseURLString)! }
    public var baseURLString: String { "http://127.0.0.1:\(port)/v1" }

    public var requests: [Request] { lock.lock(); defer { lock.unlock() }; return _requests }
    public var requestCount: Int { lock.lock(); defer { lock.unlock() }; return _requests.count }
    public var total: Int { requestCount }
    public var maxInFlight: Int { lock.lock(); defer { lock.unlock() }; return _maxInFlight }
    public var bodies: [Data] { requests.map(\.body) }
    public var headers: [[String: String]] { requests.map(\.headers) }
    public var lastAuthorization: String? { requests.last?.headers["authorization"] }
    /// The last request body as JSON (`.null` before any request).
    public var lastBody: JSONValue { requests.last?.json ?? .null }
    /// How many requests carried `prompt` as their last message.
    public func count(for prompt: String) -> Int { lock.lock(); defer { lock.unlock() }; return _counts[prompt] ?? 0 }

    public init(_ handler: @escaping Handler) throws {
        self.handler = handler
        #if canImport(Glibc)
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let s = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard s >= 0 else { throw FileError(path: "stub server", detail: "socket() failed") }
        var yes: Int32 = 1
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, len) } }
        guard bound == 0, listen(s, 64) == 0 else { close(s); throw FileError(path: "stub server", detail: "bind/listen failed") }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &len) } }
        port = UInt16(bigEndian: addr.sin_port)
        fd = s
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Handler by prompt and attempt (1 = first time this prompt is asked).
    public convenience init(handler: @escaping @Sendable (_ prompt: String, _ attempt: Int) -> Reply) throws {
        try self.init { r in handler(r.prompt, r.attempt) }
    }

    /// Handler by request number, path, headers and body, answering (status, body, delay in seconds).
    public convenience init(handler: @escaping @Sendable (_ n: Int, _ path: String, _ headers: [String: String], _ body: Data) -> (Int, String, Double)) throws {
        try self.init { r in
            let (status, body, delay) = handler(r.number, r.path, r.headers, r.body)
            let reply = Reply.raw(status: status, body: body)
            return delay > 0 ? .delayed(delay, reply) : reply
        }
    }

    /// Stops accepting; safe to call more than once. The listening descriptor is only shut down
    /// here and closed by the accept loop once `accept` has returned, so its number cannot be
    /// reused (by another server or file) while this server's thread may still use it.
    public func stop() {
        lock.lock(); let wasStopped = _stopped; _stopped = true; lock.unlock()
        if !wasStopped { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop() {
        while true {
            let c = accept(fd, nil, nil)
            if c < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                close(fd)
                return
            }
            lock.lock(); let stopped = _stopped; lock.unlock()
            if stopped { close(c); continue }  // stop() shuts the socket down; the next accept fails and closes it
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
        let requestLine = head.first?.split(separator: " ").map(String.init) ?? []
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
        let json = (try? JSONParser.parse(body, path: "request body")) ?? .null
        let prompt = json["messages"]?.arrayValue?.last?["content"]?.stringValue ?? ""
        lock.lock()
        _counts[prompt, default: 0] += 1
        let request = Request(number: _requests.count, method: requestLine.first ?? "", path: requestLine.count > 1 ? requestLine[1] : "",
                              headers: headers, body: body, prompt: prompt, attempt: _counts[prompt]!)
        _requests.append(request)
        _inFlight += 1
        _maxInFlight = max(_maxInFlight, _inFlight)
        lock.unlock()
        var reply = handler(request)
        while case let .delayed(s, r) = reply { Thread.sleep(forTimeInterval: s); reply = r }
        lock.lock(); _inFlight -= 1; lock.unlock()
        let (status, text, extra): (Int, String, [String: String])
        switch reply {
        case let .content(s): (status, text, extra) = (200, Self.completion(s), [:])
        case let .completion(content, refusal, finish): (status, text, extra) = (200, Self.completion(content, refusal: refusal, finish: finish), [:])
        case let .raw(st, b, h): (status, text, extra) = (st, b, h)
        case .delayed: (status, text, extra) = (500, "unreachable", [:])
        }
        let payload = Array(text.utf8)
        var head2 = "HTTP/1.1 \(status) Stub\r\nContent-Type: application/json\r\nContent-Length: \(payload.count)\r\nConnection: close\r\n"
        for (k, v) in extra.sorted(by: { $0.key < $1.key }) { head2 += "\(k): \(v)\r\n" }
        let all = Array((head2 + "\r\n").utf8) + payload
        all.withUnsafeBytes { p in
            var off = 0
            while off < p.count {
                let n = write(c, p.baseAddress! + off, p.count - off)
                if n <= 0 { return }
                off += n
            }
        }
    }

    /// A chat-completions body whose first choice says `content`.
    public static func completion(_ content: String, refusal: String? = nil, finish: String = "stop") -> String {
        let message: JSONObject = ["role": .string("assistant"), "content": .string(content), "refusal": refusal.map { .string($0) } ?? .null]
        let choice: JSONObject = ["index": .int(0), "message": .object(message), "finish_reason": .string(finish)]
        return JSONWriter.compact(.object(["id": .string("stub"), "object": .string("chat.completion"), "choices": .array([.object(choice)])]))
    }
}
