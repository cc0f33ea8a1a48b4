/// Why a chat request failed. Texts from the server are truncated and scrubbed of the API key.
public enum ChatAPIError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The base URL or a setting is invalid (nothing was sent).
    case invalidEndpoint(String)
    /// The server answered with a non-2xx status (body prefix).
    case httpStatus(Int, String)
    /// The connection failed (refused, reset, DNS…).
    case transport(String)
    /// No complete answer within the timeout (seconds).
    case timedOut(Double)
    /// A 2xx answer that is not a chat completion.
    case malformedResponse(String)
    /// The answer arrived but the caller's check rejected it (retried like a server error).
    case unusable(String)
    /// Redirects that could not be followed (too many, or no Location).
    case redirect(String)

    /// Whether another attempt may succeed: timeouts, transport errors, 408/429/5xx, malformed
    /// and unusable answers. Other 4xx (bad key, bad model) and invalid endpoints are final.
    public var isRetryable: Bool {
        switch self {
        case let .httpStatus(code, _): return code == 408 || code == 429 || (500...599).contains(code)
        case .transport, .timedOut, .malformedResponse, .unusable: return true
        case .invalidEndpoint, .redirect: return false
        }
    }

    public var description: String {
        switch self {
        case let .invalidEndpoint(s): return "invalid endpoint: \(s)"
        case let .httpStatus(code, body): return "HTTP \(code): \(body)"
        case let .transport(s): return "transport error: \(s)"
        case let .timedOut(s): return "timed out after \(s) s"
        case let .malformedResponse(s): return "response is not a chat completion: \(s)"
        case let .unusable(s): return "unusable answer: \(s)"
        case let .redirect(s): return "redirect not followed: \(s)"
        }
    }
}
