import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Support

/// The package's one OpenAI-compatible chat-completions client (`POST {base}/chat/completions`),
/// used by the annotator's `api` picker and by the API-backed judges.
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
    public func complete<T>(_ body: JSONValue, cached: Bool = true, accept: (ChatCompletion) throws -> T) async throws -> T {
        let url = endpoint.completionsURL
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
            return c
        } catch let ChatAPIError.malformedResponse(why) {
            throw ChatAPIError.malformedResponse(endpoint.scrub(why))
        }
    }

    /// One exchange, following redirects; transport failures become ``ChatAPIError``s.
    func send(_ body: Data, to start: URL) async throws -> HTTPReply {
        var url = start
        for _ in 0...Self.maxRedirects {
            var req = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData)
            req.httpMethod = "POST"
            req.httpBody = body
            req.setValue("application/json", forHTTPHeaderField: "Content-Type")
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

/// The retry jitter's seeded generator, shared by the concurrent calls of one client.
private final class JitterSource: @unchecked Sendable {
    private var rng: SplitMix64
    private let lock = NSLock()
    init(seed: UInt64) { rng = SplitMix64(seed: seed) }
    func next() -> Double { lock.lock(); defer { lock.unlock() }; return rng.nextUnit() }
}
