@preconcurrency import Models

/// An error answered in OpenAI's shape, `{"error": {"message", "type", "param", "code"}}`, with its
/// HTTP status (what OpenAI's API and vLLM send, so clients' retry logic and messages work).
public struct OpenAIError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var message: String
    public var type: String
    public var param: String?
    public var code: String?

    public init(status: Int, message: String, type: String = "invalid_request_error", param: String? = nil, code: String? = nil) {
        self.status = status; self.message = message; self.type = type; self.param = param; self.code = code
    }

    public var description: String { "\(status) \(type): \(message)" }

    /// The response body.
    public var json: JSONValue {
        .object(JSONObject([("error", .object(JSONObject([
            ("message", .string(message)), ("type", .string(type)),
            ("param", param.map(JSONValue.string) ?? .null), ("code", code.map(JSONValue.string) ?? .null),
        ])))]))
    }

    static func invalid(_ message: String, param: String? = nil, code: String? = nil) -> OpenAIError {
        OpenAIError(status: 400, message: message, param: param, code: code)
    }
    static func badJSON(_ detail: String) -> OpenAIError {
        invalid("We could not parse the JSON body of your request (\(detail)). The OpenAI API expects a JSON payload.")
    }
    static func wrongType(_ param: String, expected: String, got: JSONValue) -> OpenAIError {
        invalid("Invalid type for '\(param)': expected \(expected), but got \(got.typeName).", param: param, code: "invalid_type")
    }
    static func unknownModel(_ name: String, served: String) -> OpenAIError {
        OpenAIError(status: 404, message: "The model '\(name)' does not exist; this server serves '\(served)' (GET /v1/models).",
                    param: "model", code: "model_not_found")
    }
    static func tooLarge(limit: Int) -> OpenAIError {
        OpenAIError(status: 413, message: "The request body is larger than this server's limit of \(limit) bytes (--max-body-bytes).",
                    code: "request_too_large")
    }
    static func queueFull(_ limit: Int) -> OpenAIError {
        OpenAIError(status: 429, message: "The server is busy: \(limit) sequences are already waiting (--max-queue). Retry after a short wait.",
                    type: "rate_limit_exceeded", code: "rate_limit_exceeded")
    }
    static let unauthorized = OpenAIError(status: 401, message: "Incorrect or missing API key: send 'Authorization: Bearer <key>' with the key in the server's --api-key-env variable.",
                                          code: "invalid_api_key")
    static func notFound(_ method: String, _ path: String) -> OpenAIError {
        OpenAIError(status: 404, message: "Invalid URL (\(method) \(path)); this server answers POST /v1/chat/completions, POST /v1/completions, GET /v1/models and GET /health.",
                    code: "unknown_url")
    }
    static let shuttingDown = OpenAIError(status: 503, message: "The server is shutting down.", type: "server_error", code: "shutting_down")
    static func server(_ message: String) -> OpenAIError { OpenAIError(status: 500, message: message, type: "server_error") }
}
