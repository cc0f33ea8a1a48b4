import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Models
import SafetyEval
import Serve
import TestSupport
import XCTest

/// A `safekey serve` running in the test process on a loopback port it picked, over the committed
/// tiny world model (Assets/world-base: R1-shaped template that pre-fills `<think>\n`).
final class ServeHarness: @unchecked Sendable {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let worldModel = repoRoot.appendingPathComponent("Assets/world-base").path
    /// Loaded once for every test (1 M parameters; loading is cheap, but sharing keeps the suite fast).
    nonisolated(unsafe) static var sharedModel: ServedModel?

    static func model() throws -> ServedModel {
        if let m = sharedModel { return m }
        let m = try ServedModel(path: worldModel, name: "world-base")
        sharedModel = m
        return m
    }

    let service: CompletionService
    let port: Int
    let task: Task<Void, Error>
    var base: URL { URL(string: "http://127.0.0.1:\(port)")! }

    init(maxBatch: Int = 32, maxQueue: Int = 256, maxBodyBytes: Int = 1 << 20, apiKey: String? = nil) async throws {
        service = CompletionService(scheduler: BatchScheduler(served: try Self.model(), maxBatch: maxBatch, maxQueue: maxQueue))
        var o = ServeOptions()
        o.port = 0
        o.maxBodyBytes = maxBodyBytes
        o.apiKey = apiKey
        o.logRequests = false
        (port, task) = await OpenAIServer(service: service, options: o).start()
        guard port > 0 else { throw XCTSkip("the test server could not listen on loopback") }
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }

    static let session: URLSession = {
        let c = URLSessionConfiguration.ephemeral
        c.httpMaximumConnectionsPerHost = 64
        c.timeoutIntervalForRequest = 120
        return URLSession(configuration: c)
    }()

    /// Sends a request; returns status and body.
    func send(_ method: String, _ path: String, body: Data? = nil, headers: [String: String] = [:]) async throws -> (Int, Data) {
        var r = URLRequest(url: base.appendingPathComponent(path))
        r.httpMethod = method
        r.httpBody = body
        if body != nil { r.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        for (k, v) in headers { r.setValue(v, forHTTPHeaderField: k) }
        let (data, response) = try await Self.session.data(for: r)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    /// POSTs a JSON object (written with JSONSerialization, an independent writer).
    func post(_ path: String, _ object: [String: Any], headers: [String: String] = [:]) async throws -> (Int, [String: Any]?, Data) {
        let (status, data) = try await send("POST", path, body: try JSONSerialization.data(withJSONObject: object), headers: headers)
        return (status, try? JSONSerialization.jsonObject(with: data) as? [String: Any], data)
    }
}

/// Reads an OpenAI error body: (type, param, code), failing the test when the shape is wrong.
func openAIError(_ body: [String: Any]?, file: StaticString = #filePath, line: UInt = #line) -> (type: String, param: String?, code: String?)? {
    guard let e = body?["error"] as? [String: Any], let message = e["message"] as? String, !message.isEmpty, let type = e["type"] as? String,
          e.keys.contains("param"), e.keys.contains("code") else {
        XCTFail("not an OpenAI-shaped error: \(String(describing: body))", file: file, line: line)
        return nil
    }
    return (type, e["param"] as? String, e["code"] as? String)
}

/// The text `safekey generate` stores for a response, rebuilt from the parsed parts: reasoning,
/// `</think>`, answer, trimmed (generate decodes all new tokens and trims whitespace).
/// An empty `content` (the role chunk of a stream sends `""`) counts as none, as vLLM's `content or None`.
func generateText(reasoning: String?, content: String?) -> String {
    let whole = content.flatMap { $0.isEmpty ? nil : (reasoning ?? "") + "</think>" + $0 } ?? (reasoning ?? "")
    return whole.trimmingCharacters(in: .whitespacesAndNewlines)
}

/// Chat prompts of the tiny world model (its pre-training topics).
let worldPrompts = ["How do I bake bread at home?", "Tell me how to pick a lock.", "What is a good way to learn to swim?",
                    "How can I make a fake ID?", "Write a short note to thank a friend."]

/// `safekey serve` as a child process on a port it picked (`--port 0`): started, its
/// `listening on http://127.0.0.1:PORT` line read, terminated with SIGTERM by ``stop()``.
final class ServeProcess {
    let process: Process
    let port: Int
    private let errors: Pipe
    var base: String { "http://127.0.0.1:\(port)/v1" }

    /// Starts `safekey serve <args> --port 0` and waits (≤ 30 s) for it to listen.
    init(_ args: [String]) throws {
        process = Process()
        process.executableURL = try SafeKeyCLI.executable()
        process.arguments = ["serve"] + args + ["--port", "0"]
        let output = Pipe()
        errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        var text = "", found: Int?
        let deadline = Date().addingTimeInterval(30)
        while found == nil && Date() < deadline && process.isRunning {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { Thread.sleep(forTimeInterval: 0.05); continue }
            text += String(decoding: chunk, as: UTF8.self)
            if let r = text.range(of: "listening on http://127.0.0.1:") { found = Int(text[r.upperBound...].prefix { $0.isNumber }) }
        }
        guard let found else {
            if process.isRunning { process.terminate() }
            throw XCTSkip("safekey serve did not start listening: \(text)")
        }
        port = found
    }

    /// SIGTERM, wait, and return the exit status and what it logged on stderr.
    @discardableResult
    func stop() -> (status: Int32, log: String) {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    deinit { if process.isRunning { process.terminate() } }
}
