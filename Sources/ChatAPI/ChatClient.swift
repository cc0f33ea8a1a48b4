import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Support

/// The package's one OpenAI-compatible client (`POST {base}/chat/completions`, or
/// `POST {base}/completions` with ``ChatRoute/text``), used by the annotator's `api` picker, the
/// API-backed judges and `safekey generate --api-base`.
///
/// - Retries per ``RetryPolicy``: timeouts, transport errors, HTTP 408/429/5xx, malformed bodies
///   and answers the caller rejects with ``ChatAPIError/unusable(_:)``; other 4xx fail at once.
/// - Timeouts per attempt, any positive value (sub-second ones work).
/// - An optional ``ResponseCache`` keyed by the canonical request body.
/// - Redirects (301/302/303/307/308, at most 5) are followed by re-sending the same POST;
///   `Authorization` goes only to the endpoint's own scheme, host and port.
/// - The key is never logged or stored; server texts in errors are scrubbed of it.
///
///     let client = try ChatClient(endpoint: ChatEndpoint(base: "http://127.0.0.1:8000/v1"))
///     let answer = try await client.complete(ChatRequest(model: "m", messages: [.init(role: "user", content: "Hi")]).body)
public final class ChatClient: Sendable {
    public let endpoint: ChatEndpoint
    public let retry: RetryPolicy
    public let cache: ResponseCache?
    private let exchange: HTTPExchange
    private let jitter: JitterSource

    /// `maxConnections` bounds the connections kept open to the server at once.
    public init(endpoint: ChatEndpoint, retry: RetryPolicy = RetryPolicy(), cache: ResponseCache? = nil, maxConnections: Int = 8) {
        self.endpoint = endpoint
        self.retry = retry
        self.cache = cache
        self.exchange = HTTPExchange(maxConnections: maxConnections)
        self.jitter = JitterSource(seed: retry.seed)
    }

    deinit { exchange.invalidate() }

    public static let maxRedirects = 5

    /// Sends `body` with retries (no cache) and returns the first choice.
    public func complete(_ body: JSONValue) async throws -> ChatCompletion {
        try await complete(body, cached: false) { $0 }
    }

    /// Looks `body` up in the cache, else sends it with retries; `accept` turns a completion into
    /// the caller's result. `accept` throwing ``ChatAPIError/unusable(_:)`` counts as a failed
    /// attempt (retried; a cached answer it rejects is ignored); any other error it throws ends the
    /// call at once. Only accepted live answers are cached.
    /// `route` picks the endpoint (chat completions unless told otherwise).
    public func complete<T>(_ body: JSONValue, route: ChatRoute = .chat, cached: Bool = true, accept: (ChatCompletion) throws -> T) async throws -> T {
        let url = endpoint.url(for: route)
        if cached, let cache, let hit = cache.get(url: url, body: body) {
            do { return try accept(hit) } catch ChatAPIError.unusable {}
        }
        let bytes = Data(JSONWriter.compact(body).utf8)
        var attempt = 0
        while true {
            attempt += 1
            var retryAfter: Double? = nil
            let failure: ChatAPIError
            do {
                let reply = try await send(bytes, to: url)
                if (200..<300).contains(reply.status) {
                    let completion = try parse(reply.body)
                    let result = try accept(completion)
                    if cached { cache?.put(url: url, body: body, completion: completion) }
                    return result
                }
                failure = .httpStatus(reply.status, endpoint.scrub(String(decoding: reply.body.prefix(300), as: UTF8.self)))
                retryAfter = RetryPolicy.retryAfterSeconds(reply.headers["retry-after"])
            } catch let e as ChatAPIError {
                failure = e
            }
            guard failure.isRetryable, attempt < retry.maxAttempts else { throw failure }
            let wait = retry.delay(afterAttempt: attempt, retryAfter: retryAfter, unit: jitter.next())
            if wait > 0 { try await Task.sleep(nanoseconds: UInt64(wait * 1e9)) }
        }
    }

    /// The reply with the key scrubbed from its texts too: an endpoint that echoes the key in a
    /// reply must not get it into a judged file or onto the screen (issue 20, item 5).
    private func parse(_ body: Data) throws -> ChatCompletion {
        do {
            var c = try ChatCompletion.parse(body)
            c.content = c.content.map(endpoint.scrub)
            c.refusal = c.refusal.map(endpoint.scrub)
            c.reasoning = c.reasoning.map(endpoint.scrub)
            return c
        } catch let ChatAPIError.malformedResponse(why) {
            throw ChatAPIError.malformedResponse(endpoint.scrub(why))
        }
    }

    /// Sends every body (each as ``complete(_:route:cached:accept:)``), at most `concurrency` in
    /// flight at once, and returns one result per body, in order: the accepted value, or the
    /// ``ChatAPIError`` of its last attempt. One failing body never stops the others.
    public func completeAll<T: Sendable>(_ bodies: [JSONValue], route: ChatRoute = .chat, concurrency: Int, cached: Bool = true,
                                         accept: @escaping @Sendable (ChatCompletion) throws -> T) async -> [Result<T, ChatAPIError>] {
        guard !bodies.isEmpty else { return [] }
        let width = max(1, min(concurrency, bodies.count))
        return await withTaskGroup(of: (Int, Result<T, ChatAPIError>).self) { group in
            var out = [Result<T, ChatAPIError>](repeating: .failure(.transport("not sent")), count: bodies.count)
            var next = 0
            func add() {
                let i = next
                next += 1
                group.addTask {
                    do { return (i, .success(try await self.complete(bodies[i], route: route, cached: cached, accept: accept))) } catch let e as ChatAPIError {
                        return (i, .failure(e))
                    } catch is CancellationError {
                        return (i, .failure(.transport("cancelled")))
                    } catch {
                        return (i, .failure(.unusable("\(error)")))
                    }
                }
            }
            while next < width { add() }
            while let (i, r) = await group.next() {
                out[i] = r
                if next < bodies.count { add() }
            }
            return out
        }
    }

    /// ``completeAll(_:route:concurrency:cached:accept:)`` for synchronous callers (judges, the
    /// generation runner): the work runs on the cooperative pool while the calling thread waits.
    /// Never call it from inside a Swift concurrency task.
    public func completeAllBlocking<T: Sendable>(_ bodies: [JSONValue], route: ChatRoute = .chat, concurrency: Int, cached: Bool = true,
                                                 accept: @escaping @Sendable (ChatCompletion) throws -> T) -> [Result<T, ChatAPIError>] {
        runBlocking { await self.completeAll(bodies, route: route, concurrency: concurrency, cached: cached, accept: accept) }
    }

    /// `GET {base}/models`: the models the server offers, each with its context length where the
    /// server states one (`max_model_len`: vLLM and `safekey serve`; other servers leave it out).
    /// One attempt with the endpoint's timeout; redirects and the key as for completions.
    public func models() async throws -> [ServedModelInfo] {
        let reply = try await send(nil, to: endpoint.baseURL.appendingPathComponent("models"))
        guard (200..<300).contains(reply.status) else {
            throw ChatAPIError.httpStatus(reply.status, endpoint.scrub(String(decoding: reply.body.prefix(300), as: UTF8.self)))
        }
        let list: [JSONValue]
        do { list = try JSONParser.parse(reply.body, path: "GET /models").objectValue?["data"]?.arrayValue ?? [] } catch {
            throw ChatAPIError.malformedResponse(endpoint.scrub("GET /models: \(error)"))
        }
        return list.compactMap { m in
            m["id"]?.stringValue.map { ServedModelInfo(id: $0, contextLength: m["max_model_len"]?.intValue) }
        }
    }

    /// ``models()`` for synchronous callers (never from inside a Swift concurrency task).
    public func modelsBlocking() throws -> [ServedModelInfo] {
        try runBlocking { try await self.models() }
    }

    /// One exchange (a POST of `body`, or a GET when it is nil), following redirects; transport
    /// failures become ``ChatAPIError``s.
    func send(_ body: Data?, to start: URL) async throws -> HTTPReply {
        var url = start
        for _ in 0...Self.maxRedirects {
            var req = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData)
            req.httpMethod = body == nil ? "GET" : "POST"
            req.httpBody = body
            if body != nil { req.setValue("application/json", forHTTPHeaderField: "Content-Type") }
            req.setValue("application/json", forHTTPHeaderField: "Accept")
            if let key = endpoint.apiKey, endpoint.isSameOrigin(url) {
                req.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
            }
            let reply: HTTPReply
            do { reply = try await exchange.send(req, timeout: endpoint.timeout) } catch let e as ChatAPIError {
                if case let .transport(why) = e { throw ChatAPIError.transport(endpoint.scrub(why)) }
                throw e
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                throw ChatAPIError.transport(endpoint.scrub(error.localizedDescription))
            }
            guard [301, 302, 303, 307, 308].contains(reply.status) else { return reply }
            guard let location = reply.headers["location"], let next = URL(string: location, relativeTo: url)?.absoluteURL,
                  let scheme = next.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
                throw ChatAPIError.redirect("HTTP \(reply.status) without a usable http(s) Location")
            }
            url = next
        }
        throw ChatAPIError.redirect("more than \(Self.maxRedirects) redirects")
    }
}

/// One entry of `GET /models`.
public struct ServedModelInfo: Sendable, Equatable {
    public var id: String
    /// Positions one sequence may hold (prompt + generated), when the server says.
    public var contextLength: Int?
    public init(id: String, contextLength: Int?) {
        self.id = id
        self.contextLength = contextLength
    }
}

/// The retry jitter's seeded generator, shared by the concurrent calls of one client.
private final class JitterSource: @unchecked Sendable {
    private var rng: SplitMix64
    private let lock = NSLock()
    init(seed: UInt64) { rng = SplitMix64(seed: seed) }
    func next() -> Double { lock.lock(); defer { lock.unlock() }; return rng.nextUnit() }
}
