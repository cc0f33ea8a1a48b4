import Foundation
@preconcurrency import Models

/// The OpenAI semantics between HTTP and the scheduler, independent of the HTTP library: parse and
/// validate a body, check the model name and the context limit, submit the choices, and turn the
/// scheduler's events into a whole response or server-sent events.
public final class CompletionService: Sendable {
    public let scheduler: BatchScheduler
    public var served: ServedModel { scheduler.served }
    let created = Int(Date().timeIntervalSince1970)

    public init(scheduler: BatchScheduler) { self.scheduler = scheduler }

    /// A validated request, submitted.
    struct Submitted {
        let request: APIRequest
        let promptTokens: Int
        let events: BatchScheduler.Events
        let response: APIResponse
    }

    /// Parses, validates and queues a request (throws ``OpenAIError``s: 400, 404, 429, 503).
    func submit(body: [UInt8], chat: Bool) throws -> Submitted {
        let req = try APIRequest.parse(body: body, chat: chat)
        if let m = req.model, m != served.name { throw OpenAIError.unknownModel(m, served: served.name) }
        let ids: [Int]
        do { ids = try served.encode(req.prompt) } catch let e as OpenAIError { throw e } catch {
            throw OpenAIError.invalid("The prompt could not be prepared: \(error)", param: chat ? "messages" : "prompt")
        }
        let ctx = served.contextLength
        let maxTokens = req.options.maxTokens ?? (ctx - ids.count)
        guard ids.count < ctx, ids.count + maxTokens <= ctx else {
            throw OpenAIError.invalid("This model's maximum context length is \(ctx) tokens. However, you requested \(ids.count + maxTokens) tokens (\(ids.count) in the \(chat ? "messages" : "prompt"), \(maxTokens) in the completion). Please reduce the length of the \(chat ? "messages" : "prompt") or completion.",
                                      param: req.options.maxTokens == nil ? (chat ? "messages" : "prompt") : "max_tokens",
                                      code: "context_length_exceeded")
        }
        let o = req.options
        let seed = o.seed ?? UInt64.random(in: 0...UInt64.max)
        let specs = (0..<o.n).map { i in
            SequenceSpec(promptIds: ids,
                         params: SamplingParameters(maxNewTokens: maxTokens, temperature: o.temperature, topK: o.topK, topP: o.topP,
                                                    repetitionPenalty: o.repetitionPenalty, seed: seed &+ UInt64(i)),
                         stop: o.stop, ignoreEOS: o.ignoreEOS)
        }
        let (_, events) = try scheduler.submit(specs)
        return Submitted(request: req, promptTokens: ids.count, events: events, response: APIResponse(chat: chat, model: served.name))
    }

    /// Waits for every choice and returns the response body (non-streaming).
    func collect(_ s: Submitted) async throws -> JSONValue {
        defer { s.events.close() }
        let n = s.request.options.n
        var texts = [String](repeating: "", count: n)
        var finish = [FinishReason?](repeating: nil, count: n)
        var tokens = 0
        events: for await batch in s.events {
            for (i, event) in batch {
                switch event {
                case let .text(t): texts[i] += t
                case let .finished(reason, count): finish[i] = reason; tokens += count
                case let .failed(message): throw OpenAIError.server(message)
                }
                if finish.allSatisfy({ $0 != nil }) { break events }
            }
        }
        guard finish.allSatisfy({ $0 != nil }) else { throw OpenAIError.shuttingDown }
        let choices = zip(texts, finish).map { APIResponse.Choice(text: $0, finish: $1!) }
        return s.response.full(choices, reasoning: served.reasoning, promptTokens: s.promptTokens, completionTokens: tokens)
    }

    /// The server-sent events of a streaming response: `data: {chunk}` events with each choice's new
    /// text, a final chunk per choice with its `finish_reason`, the usage chunk when asked, `data: [DONE]`.
    /// Each batch of scheduler events goes to `write` as one string, on the caller's task (no task or
    /// stream of its own between the scheduler and the connection): a choice's text that arrived since
    /// the last write goes out as one chunk — one token's when the writer keeps up with decoding, several
    /// when it is behind (``EventChannel``). When `write` throws (the client went away), the error
    /// propagates and the channel closes, which cancels the request.
    func streamSSE(_ s: Submitted, write: (String) async throws -> Void) async throws {
        defer { s.events.close() }
        let reasoning = served.reasoning && s.response.chat
        var out = ""
        func send(_ v: JSONValue) { out += "data: " + JSONWriter.compact(v) + "\n\n" }
        let n = s.request.options.n
        var splitters = [ReasoningSplitter](repeating: ReasoningSplitter(enabled: reasoning), count: n)
        var started = [Bool](repeating: false, count: n), finished = 0, tokens = 0
        var held = [String](repeating: "", count: n)   // text of this batch not yet sent, per choice
        func emit(_ i: Int, final: Bool) {
            var (r, c) = splitters[i].push(held[i])
            held[i] = ""
            if final { let f = splitters[i].finish(); r += f.reasoning; c += f.content }
            if !started[i] && s.response.chat {
                started[i] = true
                send(s.response.chunk(index: i, role: true, content: ""))
            }
            if !r.isEmpty { send(s.response.chunk(index: i, reasoning: r)) }
            if !c.isEmpty { send(s.response.chunk(index: i, content: c)) }
        }
        events: for await batch in s.events {
            for (i, event) in batch {
                switch event {
                case let .text(t): held[i] += t
                case let .finished(reason, count):
                    emit(i, final: true)
                    send(s.response.chunk(index: i, finish: reason))
                    finished += 1
                    tokens += count
                case let .failed(message):
                    send(OpenAIError.server(message).json)
                    finished = -1
                }
                if finished == n || finished < 0 { break events }
            }
            for i in 0..<n where !held[i].isEmpty { emit(i, final: false) }
            try await write(out)
            out = ""
        }
        if finished == n {
            if s.request.options.includeUsage { send(s.response.usageChunk(promptTokens: s.promptTokens, completionTokens: tokens)) }
        } else if finished >= 0 {
            send(OpenAIError.shuttingDown.json)
        }
        out += "data: [DONE]\n\n"
        try await write(out)
    }

    /// `GET /v1/models`.
    var modelsJSON: JSONValue { APIResponse.models(name: served.name, contextLength: served.contextLength, created: created) }

    /// `GET /health`: status and load.
    var healthJSON: JSONValue {
        let c = scheduler.counters
        return .object(JSONObject([("status", .string("ok")), ("model", .string(served.name)), ("active", .int(c.active)),
                                   ("waiting", .int(c.waiting)), ("steps", .int(c.steps)), ("tokens", .int(c.tokens))]))
    }
}
