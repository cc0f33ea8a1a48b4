import ChatAPI
import Foundation
import Support

/// The outcome of one completion: the message content, or why it failed after all attempts.
public enum CompletionOutcome: Equatable, Sendable {
    case content(String)
    case failure(String)
}

/// The judges' cache: ChatAPI's request-keyed ``ResponseCache``.
public typealias CompletionCache = ResponseCache

/// What the API-backed judges (``RubricJudge``, ``LlamaGuardJudge``) ask of ChatAPI's one
/// ``ChatClient``: many chats answered at temperature 0 with bounded concurrency, each content
/// checked by the judge. The HTTP, retries (transport errors, timeouts, HTTP 408/429/5xx,
/// non-completions and contents `accept` rejects), timeouts, cache and key handling are the
/// client's; only accepted contents are cached.
extension ChatClient {
    /// A client for a judge's endpoint (`--api-base`, the key, seconds per request, attempts per
    /// item with back-off from `retryDelay`, connections); a bad URL is ``SafetyEvalError/endpoint(detail:)``.
    ///
    ///     let client = try ChatClient.judgeClient(apiBase: "http://127.0.0.1:8000/v1", concurrency: 4)
    ///     let judge = RubricJudge(client: client, model: "gpt-4o-mini", concurrency: 4)
    public static func judgeClient(apiBase: String, apiKey: String? = nil, timeout: Double = 60, maxAttempts: Int = 3,
                                   retryDelay: Double = 1, concurrency: Int = 4, cache: CompletionCache? = nil) throws -> ChatClient {
        let endpoint: ChatEndpoint
        do { endpoint = try ChatEndpoint(base: apiBase, apiKey: apiKey, timeout: timeout) } catch let e as ChatAPIError {
            throw SafetyEvalError.endpoint(detail: "--api-base: \(e)")
        }
        return ChatClient(endpoint: endpoint, retry: RetryPolicy(maxAttempts: maxAttempts, baseDelay: max(0, retryDelay), maxDelay: 30),
                          cache: cache, maxConnections: max(1, concurrency))
    }

    /// The request body of one judged chat: `model`, temperature 0, JSON mode if asked.
    public static func judgeRequest(model: String, chat: [ChatTurn], jsonMode: Bool) -> JSONValue {
        ChatRequest(model: model, messages: chat, temperature: 0, jsonMode: jsonMode).body
    }

    /// Completes whole chats (the server applies its model's chat template), at most `concurrency`
    /// at once; `accept` decides whether a content is usable (e.g. a score parses). Outcomes are in
    /// chat order; a failure says why and after how many attempts. Blocks the calling thread.
    public func judgeChats(_ chats: [[ChatTurn]], model: String, jsonMode: Bool, concurrency: Int,
                           accept: @escaping @Sendable (String) -> Bool) -> [CompletionOutcome] {
        let bodies = chats.map { Self.judgeRequest(model: model, chat: $0, jsonMode: jsonMode) }
        let n = retry.maxAttempts
        return completeAllBlocking(bodies, concurrency: concurrency) { answer -> String in
            guard let content = answer.content else { throw ChatAPIError.malformedResponse("no message content") }
            guard accept(content) else { throw ChatAPIError.unusable("unparseable verdict: \(content.prefix(200))") }
            return content
        }.map { result in
            switch result {
            case let .success(content): return .content(content)
            case let .failure(e): return .failure(e.isRetryable ? "\(e) (after \(n) attempt\(n == 1 ? "" : "s"))" : "\(e)")
            }
        }
    }
}
