import Foundation

/// Which OpenAI endpoint a request goes to.
public enum ChatRoute: String, Sendable, Equatable {
    /// `POST {base}/chat/completions` (`messages`; the server applies its chat template).
    case chat
    /// `POST {base}/completions` (a raw `prompt`, e.g. one rendered by the local chat template).
    case text
}

/// Where and how to reach an OpenAI-compatible server: `POST {baseURL}/chat/completions` or
/// `POST {baseURL}/completions`.
///
/// The API key is a secret: it is sent only as `Authorization: Bearer …` to the endpoint's own
/// origin (scheme, host and port), never written to a cache, a log or an error message, and it
/// does not appear in this value's `description`.
public struct ChatEndpoint: Sendable, CustomStringConvertible {
    /// E.g. `https://api.openai.com/v1` or `http://127.0.0.1:8000/v1` (any user:password part is dropped).
    public let baseURL: URL
    /// The bearer token, or nil for servers without authentication (local vLLM, llama.cpp).
    public let apiKey: String?
    /// Seconds one HTTP exchange may take (connection to last byte); any positive value, sub-second included.
    public let timeout: Double

    /// Validates `base` (http or https with a host). Throws ``ChatAPIError/invalidEndpoint(_:)``.
    public init(base: String, apiKey: String? = nil, timeout: Double = 60) throws {
        var text = base
        while text.hasSuffix("/") { text.removeLast() }
        guard var parts = URLComponents(string: text), let scheme = parts.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = parts.host, !host.isEmpty else {
            throw ChatAPIError.invalidEndpoint("'\(base)' is not an http(s) URL with a host (expected e.g. https://api.openai.com/v1)")
        }
        parts.user = nil
        parts.password = nil
        guard let url = parts.url else { throw ChatAPIError.invalidEndpoint("'\(base)' is not a valid URL") }
        guard timeout > 0, timeout.isFinite else { throw ChatAPIError.invalidEndpoint("timeout must be a positive number of seconds, not \(timeout)") }
        self.baseURL = url
        self.apiKey = apiKey.flatMap { $0.isEmpty ? nil : $0 }
        self.timeout = timeout
    }

    public init(baseURL: URL, apiKey: String? = nil, timeout: Double = 60) throws {
        try self.init(base: baseURL.absoluteString, apiKey: apiKey, timeout: timeout)
    }

    /// `{baseURL}/chat/completions`.
    public var completionsURL: URL { baseURL.appendingPathComponent("chat/completions") }

    /// The URL of `route`: `{baseURL}/chat/completions` or `{baseURL}/completions`.
    public func url(for route: ChatRoute) -> URL {
        switch route {
        case .chat: return completionsURL
        case .text: return baseURL.appendingPathComponent("completions")
        }
    }

    public var description: String {
        "ChatEndpoint(\(baseURL.absoluteString), key: \(apiKey == nil ? "none" : "set"), timeout: \(timeout) s)"
    }

    /// `text` with every occurrence of the key replaced by `[redacted]` (for anything a server
    /// sends back — an error body may echo the key — before it reaches a message or a file).
    public func scrub(_ text: String) -> String {
        guard let key = apiKey, !key.isEmpty else { return text }
        return text.replacingOccurrences(of: key, with: "[redacted]")
    }

    /// Whether `url` has the endpoint's scheme, host and port (the only place the key may go).
    public func isSameOrigin(_ url: URL) -> Bool {
        func origin(_ u: URL) -> (String, String, Int) {
            let scheme = u.scheme?.lowercased() ?? ""
            return (scheme, u.host?.lowercased() ?? "", u.port ?? (scheme == "https" ? 443 : 80))
        }
        return origin(url) == origin(baseURL)
    }
}
