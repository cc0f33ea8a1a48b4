import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
@preconcurrency import Models

/// Settings of `safekey serve` beyond the model.
public struct ServeOptions: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port (reported through `onRunning`).
    public var port = 8000
    /// Largest request body accepted (413 above).
    public var maxBodyBytes = 4 << 20
    /// When set, every endpoint but `/health` needs `Authorization: Bearer <apiKey>`.
    public var apiKey: String?
    /// Log one line per request (method, path, status, duration; never bodies).
    public var logRequests = true
    public init() {}
}

/// The OpenAI-compatible HTTP server over a ``CompletionService`` (Hummingbird 2):
/// `POST /v1/chat/completions`, `POST /v1/completions`, `GET /v1/models`, `GET /health`.
///
/// ```swift
/// let served = try ServedModel(path: "Assets/world-base")
/// let scheduler = BatchScheduler(served: served, maxBatch: 32)
/// try await OpenAIServer(service: CompletionService(scheduler: scheduler), options: ServeOptions()).run()
/// ```
///
/// ``run(gracefulShutdownSignals:onRunning:)`` returns after SIGTERM/SIGINT (or when its task is
/// cancelled) once in-flight responses have finished; the scheduler is stopped then.
public struct OpenAIServer: Sendable {
    public let service: CompletionService
    public let options: ServeOptions

    public init(service: CompletionService, options: ServeOptions) {
        self.service = service
        self.options = options
    }

    public func run(gracefulShutdownSignals: Bool = true, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let app = application(onRunning: onRunning)
        service.scheduler.start()
        defer { service.scheduler.shutdown() }
        if gracefulShutdownSignals { try await app.runService() } else { try await app.run() }
    }

    /// The Hummingbird application: routes, middleware, address.
    func application(onRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol & Service {
        let router = Router()
        router.add(middleware: APIMiddleware(apiKey: options.apiKey.map { Array($0.utf8) }, log: options.logRequests))
        let service = self.service, limit = options.maxBodyBytes
        router.get("/health") { _, _ in Self.json(service.healthJSON) }
        router.get("/v1/models") { _, _ in Self.json(service.modelsJSON) }
        router.post("/v1/chat/completions") { request, _ in try await Self.complete(request, chat: true, service: service, limit: limit) }
        router.post("/v1/completions") { request, _ in try await Self.complete(request, chat: false, service: service, limit: limit) }
        return Application(router: router, configuration: .init(address: .hostname(options.host, port: options.port), serverName: "safekey"),
                           onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) })
    }

    static func json(_ v: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: JSONWriter.compact(v))))
    }

    static func error(_ e: OpenAIError) -> Response { json(e.json, status: HTTPResponse.Status(code: e.status)) }

    /// Reads the body (bounded), submits, and answers JSON or server-sent events.
    static func complete(_ request: Request, chat: Bool, service: CompletionService, limit: Int) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw OpenAIError.tooLarge(limit: limit) }
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: limit) } catch { throw OpenAIError.tooLarge(limit: limit) }
        let submitted = try service.submit(body: Array(buffer.readableBytesView), chat: chat)
        guard submitted.request.options.stream else { return json(try await service.collect(submitted)) }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            try await service.streamSSE(submitted) { line in try await writer.write(ByteBuffer(string: line)) }
            try await writer.finish(nil)
        })
    }
}

/// Bearer-key check (constant time), OpenAI-shaped errors for everything thrown below it (404s of
/// unknown routes included), and one log line per request without bodies.
struct APIMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let apiKey: [UInt8]?
    let log: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        if let key = apiKey, request.uri.path != "/health", !Self.authorized(request.headers[.authorization], key: key) {
            response = OpenAIServer.error(.unauthorized)
        } else {
            do {
                response = try await next(request, context)
            } catch let e as OpenAIError {
                response = OpenAIServer.error(e)
            } catch let e as HTTPError {
                response = OpenAIServer.error(e.status == .notFound || e.status == .methodNotAllowed
                    ? .notFound(request.method.rawValue, request.uri.path)
                    : OpenAIError(status: e.status.code, message: e.body ?? e.status.reasonPhrase))
            } catch {
                response = OpenAIServer.error(.server("\(error)"))
            }
        }
        if log {
            let ms = (ContinuousClock.now - start).components
            let elapsed = Double(ms.seconds) * 1000 + Double(ms.attoseconds) / 1e15
            let line = String(format: "%@ %@ %@ %d %.1f ms\n", ISO8601DateFormatter().string(from: Date()), request.method.rawValue,
                              request.uri.path, response.status.code, elapsed)
            FileHandle.standardError.write(Data(line.utf8))
        }
        return response
    }

    /// `Bearer <key>` compared in time independent of where the bytes differ.
    static func authorized(_ header: String?, key: [UInt8]) -> Bool {
        guard let header, header.hasPrefix("Bearer ") else { return false }
        let given = Array(header.utf8.dropFirst(7))
        var diff = UInt8(truncatingIfNeeded: given.count ^ key.count)
        for i in 0..<key.count { diff |= key[i] ^ (i < given.count ? given[i] : 0) }
        return diff == 0
    }
}

extension OpenAIServer {
    /// Runs the server in a new task (no signal handling) and returns once it listens: the port
    /// (the one picked when `options.port` is 0; 0 when it could not listen — the task's error says
    /// why) and the task. Cancelling the task shuts the server down gracefully, as SIGTERM does
    /// `safekey serve`: it stops accepting, lets in-flight responses finish, then the task ends
    /// (through swift-service-lifecycle's graceful shutdown, so the server does not log the
    /// cancellation of its accept loop as an error). For in-process use: `bench serve`, tests.
    public func start() async -> (port: Int, task: Task<Void, Error>) {
        let (ports, sink) = AsyncStream<Int>.makeStream()
        let group = ServiceGroup(configuration: .init(services: [application { sink.yield($0); sink.finish() }],
                                                      logger: Logger(label: "safekey-serve")))
        let scheduler = service.scheduler
        let running = Task {
            defer { sink.finish() }   // a server that fails to bind ends the wait with port 0
            scheduler.start()
            defer { scheduler.shutdown() }
            try await group.run()
        }
        let task = Task {
            try await withTaskCancellationHandler { try await running.value } onCancel: {
                Task { await group.triggerGracefulShutdown() }
            }
        }
        for await p in ports { return (p, task) }
        return (0, task)
    }
}
