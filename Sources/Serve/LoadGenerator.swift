import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@preconcurrency import Models

/// One streamed response, checked: every event is `data: <JSON chunk>` or the final `data: [DONE]`,
/// every choice ends with a `finish_reason`, and the usage chunk (when sent) counts the tokens.
public struct StreamSummary: Sendable {
    /// Per choice: reasoning and answer text, concatenated from the deltas.
    public var reasoning: [Int: String] = [:]
    public var content: [Int: String] = [:]
    public var finishReasons: [Int: String] = [:]
    public var completionTokens: Int?
    public var chunks = 0

    /// Parses a whole `text/event-stream` body; throws a message naming the first malformed event.
    public static func parse(_ body: Data) throws -> StreamSummary {
        let text = String(decoding: body, as: UTF8.self)
        guard text.hasSuffix("data: [DONE]\n\n") else { throw LoadError("stream does not end with 'data: [DONE]': …\(text.suffix(120))") }
        var s = StreamSummary()
        let events = text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        for (k, event) in events.enumerated() {
            guard event.hasPrefix("data: ") else { throw LoadError("event \(k) does not start with 'data: ': \(event.prefix(80))") }
            let payload = String(event.dropFirst(6))
            if payload == "[DONE]" {
                guard k == events.count - 1 else { throw LoadError("'[DONE]' is event \(k) of \(events.count)") }
                break
            }
            let v: JSONValue
            do { v = try JSONParser.parse(payload, path: "event \(k)") } catch { throw LoadError("event \(k) is not JSON: \(error)") }
            guard let o = v.objectValue else { throw LoadError("event \(k) is not an object") }
            if let e = o["error"] { throw LoadError("event \(k) is an error: \(JSONWriter.compact(e))") }
            guard let obj = o["object"]?.stringValue, obj == "chat.completion.chunk" || obj == "text_completion",
                  let choices = o["choices"]?.arrayValue else { throw LoadError("event \(k) is not a completion chunk: \(payload.prefix(120))") }
            s.chunks += 1
            if let u = o["usage"]?.objectValue { s.completionTokens = u["completion_tokens"]?.intValue }
            for c in choices {
                guard let co = c.objectValue, let i = co["index"]?.intValue else { throw LoadError("event \(k): a choice without an index") }
                guard s.finishReasons[i] == nil else { throw LoadError("event \(k): choice \(i) continues after its finish_reason") }
                if let d = co["delta"]?.objectValue {
                    if let r = d["reasoning_content"]?.stringValue { s.reasoning[i, default: ""] += r }
                    if let t = d["content"]?.stringValue { s.content[i, default: ""] += t }
                } else if let t = co["text"]?.stringValue {
                    s.content[i, default: ""] += t
                }
                if let f = co["finish_reason"]?.stringValue { s.finishReasons[i] = f }
            }
        }
        guard !s.finishReasons.isEmpty, Set(s.finishReasons.keys) == Set(s.reasoning.keys).union(s.content.keys).union(s.finishReasons.keys) else {
            throw LoadError("a choice has no finish_reason (finished: \(s.finishReasons.keys.sorted()))")
        }
        return s
    }
}

public struct LoadError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ d: String) { description = d }
}

/// What ``LoadGenerator/run`` measured at one concurrency.
public struct LoadReport: Sendable {
    public var concurrency: Int
    public var requests: Int
    public var errors: [String]
    public var completionTokens: Int
    public var seconds: Double
    /// Whole-request latencies in seconds, sorted.
    public var latencies: [Double]
    /// Seconds the server's model was busy during the run, and the part of them spent prefilling
    /// prompts (set by the caller; 0 when unknown).
    public var modelSeconds = 0.0, prefillSeconds = 0.0

    public var tokensPerSecond: Double { seconds > 0 ? Double(completionTokens) / seconds : 0 }
    /// The `q`-quantile latency (nearest rank), seconds.
    public func latency(_ q: Double) -> Double {
        guard !latencies.isEmpty else { return 0 }
        return latencies[min(latencies.count - 1, max(0, Int((q * Double(latencies.count)).rounded(.up)) - 1))]
    }
}

/// A loopback load generator for `safekey serve` (`safekey bench serve`, the load test): `clients`
/// concurrent clients, each sending `requestsPerClient` streaming chat requests one after another,
/// every stream checked by ``StreamSummary/parse(_:)``.
public enum LoadGenerator {
    public static func run(base: URL, model: String, prompts: [String], clients: Int, requestsPerClient: Int, maxTokens: Int,
                           ignoreEOS: Bool = true, stream: Bool = true, apiKey: String? = nil) async -> LoadReport {
        let config = URLSessionConfiguration.ephemeral
        config.httpMaximumConnectionsPerHost = max(clients, 1) * 2
        config.timeoutIntervalForRequest = 300
        let session = URLSession(configuration: config)
        defer { session.finishTasksAndInvalidate() }
        let start = Date()
        let results = await withTaskGroup(of: [(Double, Result<Int, LoadError>)].self) { group in
            for c in 0..<clients {
                group.addTask {
                    var out: [(Double, Result<Int, LoadError>)] = []
                    for r in 0..<requestsPerClient {
                        let prompt = prompts[(c * requestsPerClient + r) % max(prompts.count, 1)]
                        let t0 = Date()
                        let result = await streamOnce(session: session, base: base, model: model, prompt: prompt, maxTokens: maxTokens,
                                                      ignoreEOS: ignoreEOS, stream: stream, apiKey: apiKey)
                        out.append((Date().timeIntervalSince(t0), result))
                    }
                    return out
                }
            }
            var all: [(Double, Result<Int, LoadError>)] = []
            for await part in group { all += part }
            return all
        }
        var report = LoadReport(concurrency: clients, requests: results.count, errors: [], completionTokens: 0,
                                seconds: Date().timeIntervalSince(start), latencies: results.map(\.0).sorted())
        for (_, r) in results {
            switch r {
            case let .success(n): report.completionTokens += n
            case let .failure(e): report.errors.append(e.description)
            }
        }
        return report
    }

    /// One streaming chat request; the completion tokens from its usage chunk.
    static func streamOnce(session: URLSession, base: URL, model: String, prompt: String, maxTokens: Int, ignoreEOS: Bool,
                           stream: Bool, apiKey: String?) async -> Result<Int, LoadError> {
        var req = URLRequest(url: base.appendingPathComponent("chat/completions"))
        req.httpMethod = "POST"
        req.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let apiKey { req.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization") }
        let body: JSONValue = .object(JSONObject([
            ("model", .string(model)), ("messages", .array([.object(JSONObject([("role", .string("user")), ("content", .string(prompt))]))])),
            ("max_tokens", .int(maxTokens)), ("temperature", .int(0)), ("stream", .bool(stream)), ("ignore_eos", .bool(ignoreEOS)),
            ("stream_options", .object(JSONObject([("include_usage", .bool(true))]))),
        ]))
        req.httpBody = Data(JSONWriter.compact(body).utf8)
        do {
            let (data, response) = try await session.data(for: req)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            guard status == 200 else { return .failure(LoadError("HTTP \(status): \(String(decoding: data.prefix(200), as: UTF8.self))")) }
            if !stream {
                let usage = (try? JSONParser.parse([UInt8](data), path: "response"))?.objectValue?["usage"]?.objectValue
                guard let n = usage?["completion_tokens"]?.intValue else { return .failure(LoadError("no usage in the response")) }
                return .success(n)
            }
            let s = try StreamSummary.parse(data)
            guard let n = s.completionTokens else { return .failure(LoadError("no usage chunk")) }
            return .success(n)
        } catch let e as LoadError {
            return .failure(e)
        } catch {
            return .failure(LoadError("\(error)"))
        }
    }
}
