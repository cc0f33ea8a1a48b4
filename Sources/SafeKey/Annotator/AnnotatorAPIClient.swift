import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A minimal OpenAI-compatible chat-completions client: `POST {base}/chat/completions`, bearer key
/// optional, a per-request timeout, and retries with exponential back-off
/// (`backoff · 2^attempt` seconds, capped at `maxBackoff`; a `Retry-After` of up to 60 s is honoured)
/// on transport errors, timeouts (at least 1 s), HTTP 408/429/5xx and malformed JSON. Other 4xx fail at once.
public struct AnnotatorAPIClient: Sendable {
    public var baseURL: URL
    public var apiKey: String?
    public var timeout: Double
    public var retries: Int
    public var backoff: Double
    public var maxBackoff: Double

    public init(baseURL: URL, apiKey: String? = nil, timeout: Double = 60, retries: Int = 4,
                backoff: Double = 0.5, maxBackoff: Double = 16) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        // swift-corelibs-foundation turns a sub-second timeout into an immediate failure (measured:
        // 0.3 s fails in 2 ms), so timeouts are at least one second.
        self.timeout = max(1, timeout)
        self.retries = retries
        self.backoff = backoff
        self.maxBackoff = maxBackoff
    }

    /// The parts of a chat-completions answer the pickers use.
    public struct Answer: Sendable, Equatable {
        public let content: String?
        public let refusal: String?
        public let finishReason: String?
    }

    public var endpoint: URL { baseURL.appendingPathComponent("chat/completions") }

    /// Sends `body` (a JSON request) and returns the first choice, retrying as described above.
    public func complete(body: Data) async throws -> Answer {
        var attempt = 0
        while true {
            var retryAfter: Double? = nil
            var failure: AnnotatorError
            do {
                let (data, status, header) = try await send(body)
                if status == 200 {
                    do { return try Self.parse(data) } catch let e as AnnotatorError { failure = e }
                } else {
                    failure = .httpStatus(status, String(decoding: data.prefix(300), as: UTF8.self))
                    if !(status == 408 || status == 429 || status >= 500) { throw failure }
                    retryAfter = header.flatMap(Double.init).map { min($0, 60) }
                }
            } catch let e as AnnotatorError {
                throw e
            } catch {
                failure = .transport(Self.describe(error))
            }
            guard attempt < retries else { throw failure }
            let delay = retryAfter ?? min(maxBackoff, backoff * pow(2, Double(attempt)))
            attempt += 1
            try await Task.sleep(nanoseconds: UInt64(max(0, delay) * 1e9))
        }
    }

    func send(_ body: Data) async throws -> (Data, Int, String?) {
        var req = URLRequest(url: endpoint, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        req.httpMethod = "POST"
        req.httpBody = body
        req.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let apiKey { req.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization") }
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = timeout
        config.timeoutIntervalForResource = timeout
        let session = URLSession(configuration: config)
        defer { session.finishTasksAndInvalidate() }
        let (data, response) = try await session.data(for: req)
        guard let http = response as? HTTPURLResponse else { throw AnnotatorError.transport("not an HTTP response") }
        return (data, http.statusCode, http.value(forHTTPHeaderField: "Retry-After"))
    }

    static func describe(_ error: Error) -> String {
        if let u = error as? URLError, u.code == .timedOut { return "timed out" }
        return error.localizedDescription
    }

    /// `choices[0].message.{content, refusal}` and `finish_reason`; anything else is malformed.
    static func parse(_ data: Data) throws -> Answer {
        guard let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw AnnotatorError.malformedResponse("body is not a JSON object: \(String(decoding: data.prefix(120), as: UTF8.self))")
        }
        guard let choices = obj["choices"] as? [[String: Any]], let first = choices.first,
              let message = first["message"] as? [String: Any] else {
            throw AnnotatorError.malformedResponse("no choices[0].message")
        }
        return Answer(content: message["content"] as? String, refusal: message["refusal"] as? String,
                      finishReason: first["finish_reason"] as? String)
    }
}
