import ChatAPI
import Foundation
import Support

/// Settings for an OpenAI-compatible `POST {apiBase}/chat/completions` endpoint used by a judge.
public struct EndpointConfig: Sendable {
    /// E.g. `https://api.openai.com/v1` or `http://127.0.0.1:8000/v1`.
    public var apiBase: String
    /// Bearer token; nil sends no `Authorization` header (local servers).
    public var apiKey: String?
    public var modelName: String
    /// Seconds per HTTP request (any positive value).
    public var timeout: Double
    /// Attempts per item (first try included).
    public var maxAttempts: Int
    /// Delay before the second attempt; doubled each further attempt (with jitter, see ``RetryPolicy``).
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

/// The judges' cache: ChatAPI's request-keyed ``ResponseCache``.
public typealias CompletionCache = ResponseCache

/// What the judges need from an API: many chats answered at temperature 0 with bounded
/// concurrency, each content checked by the judge (`accept`). The HTTP, retries (transport
/// errors, timeouts, HTTP 408/429/5xx, non-completions and contents `accept` rejects), timeouts,
/// cache and key handling are ChatAPI's ``ChatClient``; this type only builds the request body
/// and fans the chats out. Only accepted contents are cached.
public final class ChatCompletionClient: Sendable {
    public let config: EndpointConfig
    public let client: ChatClient

    public init(config: EndpointConfig, cache: CompletionCache? = nil) throws {
        let endpoint: ChatEndpoint
        do { endpoint = try ChatEndpoint(base: config.apiBase, apiKey: config.apiKey, timeout: config.timeout) } catch let e as ChatAPIError {
            throw SafetyEvalError.endpoint(detail: "--api-base: \(e)")
        }
        self.config = config
        self.client = ChatClient(endpoint: endpoint,
                                 retry: RetryPolicy(maxAttempts: config.maxAttempts, baseDelay: config.retryDelay, maxDelay: 30),
                                 cache: cache, maxConnections: config.concurrency)
    }

    public var cache: CompletionCache? { client.cache }

    /// The request body for one chat: the configured model, temperature 0, JSON mode if set.
    public func requestBody(_ chat: [ChatTurn]) -> JSONValue {
        ChatRequest(model: config.modelName, messages: chat, temperature: 0, jsonMode: config.jsonMode).body
    }

    /// Completes every prompt (single user message); `accept` decides whether a content is usable
    /// (e.g. a score parses). Results are in prompt order.
    public func complete(_ prompts: [String], accept: @escaping @Sendable (String) -> Bool) -> [CompletionOutcome] {
        completeChats(prompts.map { [ChatTurn(role: "user", content: $0)] }, accept: accept)
    }

    /// Completes whole chats (the server applies its model's chat template, e.g. a served
    /// Llama Guard); otherwise as ``complete(_:accept:)``. Blocks the calling thread until done.
    public func completeChats(_ chats: [[ChatTurn]], accept: @escaping @Sendable (String) -> Bool) -> [CompletionOutcome] {
        final class Box: @unchecked Sendable { var results: [CompletionOutcome] = [] }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let width = min(config.concurrency, chats.count)
        Task.detached { [self] in
            box.results = await withTaskGroup(of: (Int, CompletionOutcome).self) { group in
                var out = [CompletionOutcome](repeating: .failure("not run"), count: chats.count)
                var next = 0
                while next < width { let i = next; group.addTask { (i, await self.completeOne(chats[i], accept: accept)) }; next += 1 }
                while let (i, r) = await group.next() {
                    out[i] = r
                    if next < chats.count { let j = next; group.addTask { (j, await self.completeOne(chats[j], accept: accept)) }; next += 1 }
                }
                return out
            }
            done.signal()
        }
        done.wait()
        return box.results
    }

    /// One chat: cache look-up, then attempts until `accept` takes a content.
    public func completeOne(_ chat: [ChatTurn], accept: (String) -> Bool) async -> CompletionOutcome {
        do {
            let content = try await client.complete(requestBody(chat)) { answer -> String in
                guard let content = answer.content else { throw ChatAPIError.malformedResponse("no message content") }
                guard accept(content) else { throw ChatAPIError.unusable("unparseable verdict: \(content.prefix(200))") }
                return content
            }
            return .content(content)
        } catch let e as ChatAPIError {
            let n = config.maxAttempts
            return .failure(e.isRetryable ? "\(e) (after \(n) attempt\(n == 1 ? "" : "s"))" : "\(e)")
        } catch {
            return .failure("\(error)")
        }
    }
}
