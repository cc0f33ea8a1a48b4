import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Settings for an OpenAI-compatible `POST {apiBase}/chat/completions` endpoint.
public struct EndpointConfig: Sendable {
    /// E.g. `https://api.openai.com/v1` or `http://127.0.0.1:8000/v1`.
    public var apiBase: String
    /// Bearer token; nil sends no `Authorization` header (local servers).
    public var apiKey: String?
    public var modelName: String
    /// Seconds per HTTP request.
    public var timeout: Double
    /// Attempts per item (first try included).
    public var maxAttempts: Int
    /// Delay before the second attempt; doubled each further attempt.
    public var retryDelay: Double
    /// Requests in flight at once.
    public var concurrency: Int
    /// Ask for `response_format: {"type": "json_object"}` (the reference does for its rubric).
    public var jsonMode: Bool

    public init(apiBase: String, apiKey: String? = nil, modelName: String, timeout: Double = 60, maxAttempts: Int = 3,
                retryDelay: Double = 1, concurrency: Int = 4, jsonMode: Bool = true) {
        self.apiBase = apiBase
        self.apiKey = apiKey
        self.modelName = modelName
        self.timeout = timeout
        self.maxAttempts = max(1, maxAttempts)
        self.retryDelay = max(0, retryDelay)
        self.concurrency = max(1, concurrency)
        self.jsonMode = jsonMode
    }
}

/// The outcome of one completion: the message content, or why it failed after all attempts.
public enum CompletionOutcome: Equatable, Sendable {
    case content(String)
    case failure(String)
}

/// A small client for OpenAI-compatible chat completions with bounded concurrency, retries with
/// exponential back-off, a per-request timeout and an optional on-disk cache.
///
/// Retry policy: transport errors, timeouts, HTTP 408/429/5xx, bodies that are not a chat
/// completion, and contents that `accept` rejects are retried; other HTTP 4xx (bad key, bad
/// model) fail the item at once. Only accepted contents are cached.
public final class ChatCompletionClient {
    public let config: EndpointConfig
    public let cache: CompletionCache?
    private let session: URLSession
    private let endpoint: URL

    public init(config: EndpointConfig, cache: CompletionCache? = nil) throws {
        var base = config.apiBase
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base + "/chat/completions"), let scheme = url.scheme, scheme == "http" || scheme == "https" else {
            throw SafetyEvalError.endpoint(detail: "--api-base '\(config.apiBase)' is not an http(s) URL (expected e.g. https://api.openai.com/v1)")
        }
        self.config = config
        self.cache = cache
        self.endpoint = url
        let sc = URLSessionConfiguration.ephemeral
        sc.timeoutIntervalForRequest = config.timeout
        sc.timeoutIntervalForResource = config.timeout * 2
        sc.httpMaximumConnectionsPerHost = config.concurrency
        self.session = URLSession(configuration: sc)
    }

    /// Completes every prompt (single user message, temperature 0); `accept` decides whether a
    /// content is usable (e.g. a score parses). Results are in prompt order.
    public func complete(_ prompts: [String], accept: @escaping (String) -> Bool) -> [CompletionOutcome] {
        completeChats(prompts.map { [ChatTurn(role: "user", content: $0)] }, accept: accept)
    }

    /// Completes whole chats (the server applies its model's chat template, e.g. a served
    /// Llama Guard); otherwise as ``complete(_:accept:)``.
    public func completeChats(_ prompts: [[ChatTurn]], accept: @escaping (String) -> Bool) -> [CompletionOutcome] {
        final class Shared: @unchecked Sendable {
            let lock = NSLock()
            var next = 0
            var results: [CompletionOutcome]
            init(_ n: Int) { results = [CompletionOutcome](repeating: .failure("not run"), count: n) }
            func take() -> Int { lock.lock(); defer { lock.unlock() }; let i = next; next += 1; return i }
            func put(_ i: Int, _ r: CompletionOutcome) { lock.lock(); results[i] = r; lock.unlock() }
        }
        let shared = Shared(prompts.count)
        let group = DispatchGroup()
        for _ in 0 ..< min(config.concurrency, prompts.count) {
            group.enter()
            Thread.detachNewThread { [self] in
                while true {
                    let i = shared.take()
                    if i >= prompts.count { break }
                    shared.put(i, self.completeOne(prompts[i], accept: accept))
                }
                group.leave()
            }
        }
        group.wait()
        return shared.results
    }

    /// One chat with cache look-up and retries. The cache key is the prompt text for a single
    /// user message, else the chat as JSON.
    public func completeOne(_ chat: [ChatTurn], accept: (String) -> Bool) -> CompletionOutcome {
        let prompt: String
        if chat.count == 1, chat[0].role == "user" { prompt = chat[0].content } else {
            prompt = (try? AtomicFile.encoder().encode(chat)).map { String(decoding: $0, as: UTF8.self) } ?? chat.map(\.content).joined(separator: "\u{0}")
        }
        if let hit = cache?.lookup(model: config.modelName, prompt: prompt), accept(hit) { return .content(hit) }
        var lastError = "no attempt made"
        for attempt in 0 ..< config.maxAttempts {
            if attempt > 0 { Thread.sleep(forTimeInterval: config.retryDelay * pow(2, Double(attempt - 1))) }
            switch request(chat) {
            case let .success(content):
                if accept(content) {
                    cache?.store(model: config.modelName, prompt: prompt, content: content)
                    return .content(content)
                }
                lastError = "unparseable verdict: \(content.prefix(200))"
            case let .retryable(why):
                lastError = why
            case let .fatal(why):
                return .failure(why)
            }
        }
        return .failure("\(lastError) (after \(config.maxAttempts) attempt\(config.maxAttempts == 1 ? "" : "s"))")
    }

    enum Attempt {
        case success(String)
        case retryable(String)
        case fatal(String)
    }

    func request(_ chat: [ChatTurn]) -> Attempt {
        var req = URLRequest(url: endpoint, timeoutInterval: config.timeout)
        req.httpMethod = "POST"
        req.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let key = config.apiKey { req.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        var body: [String: Any] = [
            "model": config.modelName,
            "temperature": 0,
            "messages": chat.map { ["role": $0.role, "content": $0.content] },
        ]
        if config.jsonMode { body["response_format"] = ["type": "json_object"] }
        guard let data = try? JSONSerialization.data(withJSONObject: body) else { return .fatal("could not encode the request") }
        req.httpBody = data

        final class Box: @unchecked Sendable {
            private let lock = NSLock()
            private var value: Attempt = .retryable("no response")
            var attempt: Attempt {
                get { lock.lock(); defer { lock.unlock() }; return value }
                set { lock.lock(); value = newValue; lock.unlock() }
            }
        }
        let sem = DispatchSemaphore(value: 0)
        let box = Box()
        let task = session.dataTask(with: req) { data, response, error in
            var out: Attempt = .retryable("no response")
            defer { box.attempt = out; sem.signal() }
            if let error {
                out = .retryable("transport error: \(error.localizedDescription)")
                return
            }
            guard let http = response as? HTTPURLResponse else { out = .retryable("not an HTTP response"); return }
            let bodyText = data.flatMap { String(data: $0, encoding: .utf8) } ?? ""
            guard (200 ..< 300).contains(http.statusCode) else {
                let why = "HTTP \(http.statusCode): \(bodyText.prefix(200))"
                out = [408, 429].contains(http.statusCode) || http.statusCode >= 500 ? .retryable(why) : .fatal(why)
                return
            }
            guard let data, let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let choices = obj["choices"] as? [[String: Any]], let msg = choices.first?["message"] as? [String: Any],
                  let content = msg["content"] as? String else {
                out = .retryable("response is not a chat completion: \(bodyText.prefix(200))")
                return
            }
            out = .success(content)
        }
        task.resume()
        if sem.wait(timeout: .now() + config.timeout + 5) == .timedOut {
            task.cancel()
            return .retryable("timed out after \(config.timeout) s")
        }
        return box.attempt
    }
}

/// An on-disk cache of completions: one JSON file per (model, prompt) named by a 128-bit FNV-1a
/// hash; each file stores model, prompt and content, and a look-up checks both model and prompt,
/// so a hash collision is only a miss. Writes are atomic.
public final class CompletionCache {
    public let directory: String

    public init(directory: String) throws {
        self.directory = directory
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw SafetyEvalError.writeFailed(path: directory, reason: error.localizedDescription)
        }
    }

    struct Entry: Codable {
        var model: String
        var prompt: String
        var content: String
    }

    func path(model: String, prompt: String) -> String {
        let bytes = Array((model + "\u{0}" + prompt).utf8)
        let h1 = Self.fnv1a(bytes, seed: 0xcbf2_9ce4_8422_2325), h2 = Self.fnv1a(bytes, seed: 0x8422_2325_cbf2_9ce4)
        return (directory as NSString).appendingPathComponent(String(format: "%016llx%016llx.json", h1, h2))
    }

    static func fnv1a(_ bytes: [UInt8], seed: UInt64) -> UInt64 {
        var h = seed
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    public func lookup(model: String, prompt: String) -> String? {
        guard let d = FileManager.default.contents(atPath: path(model: model, prompt: prompt)),
              let e = try? JSONDecoder().decode(Entry.self, from: d), e.model == model, e.prompt == prompt else { return nil }
        return e.content
    }

    public func store(model: String, prompt: String, content: String) {
        guard let d = try? AtomicFile.encoder().encode(Entry(model: model, prompt: prompt, content: content)) else { return }
        try? AtomicFile.write(d, to: path(model: model, prompt: prompt))
    }
}
