import ArgumentParser
import Foundation
import Models
import Serve
import Support

/// Options shared by `serve`, `chat` and `bench serve`: which model and how it is held.
struct ServedModelOptions: ParsableArguments {
    @OptionGroup var location: ModelLocation
    @Option(help: "Name clients use in the 'model' field (default: the folder's name).") var servedModelName: String?
    @Option(help: "Weights in memory: f32 or bf16 (inference only; half the memory).") var weights: WeightStorage = .f32
    @Option(help: "Reasoning parser: auto (deepseek_r1 when the chat template writes <think>), deepseek_r1 or none.") var reasoningParser: ReasoningParserChoice = .auto
    @Option(help: "Context length per sequence (prompt + generated tokens; default and maximum: max_position_embeddings).") var maxModelLen: Int?

    func load() throws -> ServedModel {
        try ServedModel(path: location.model, name: servedModelName, weightStorage: weights, adapter: location.adapter, reasoningParser: reasoningParser,
                        maxModelLength: maxModelLen)
    }
}

/// `safekey serve --model DIR|FILE.gguf [--adapter DIR] [--host 127.0.0.1] [--port 8000]` — an OpenAI-compatible server with
/// continuous batching (issue 18): `POST /v1/chat/completions` (streaming or not),
/// `POST /v1/completions`, `GET /v1/models`, `GET /health`.
///
///     safekey serve --model Assets/world-base --port 8000 &
///     curl -s localhost:8000/v1/chat/completions -H 'Content-Type: application/json' \
///       -d '{"model": "world-base", "messages": [{"role": "user", "content": "How do I bake bread?"}], "max_tokens": 64}'
///
/// Prints `listening on http://HOST:PORT` on stdout once ready (with `--port 0`, the port picked);
/// one log line per request on stderr (no bodies). SIGTERM/SIGINT: stop accepting, let in-flight
/// responses finish, exit 0.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve a model over the OpenAI API (chat/completions, completions, models; continuous batching).")

    @OptionGroup var modelOptions: ServedModelOptions
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port (0: pick a free one).") var port = 8000
    @Option(help: "Most sequences decoded together (one batched step).") var maxBatch = 32
    @Option(help: "Most sequences waiting for a slot; more get HTTP 429.") var maxQueue = 256
    @Option(help: "Largest request body in bytes (HTTP 413 above).") var maxBodyBytes = 4 << 20
    @Option(help: "Environment variable holding the API key; requests then need 'Authorization: Bearer <key>'.") var apiKeyEnv: String?
    @Flag(help: "No per-request log lines.") var quiet = false

    func validate() throws {
        guard maxBatch >= 1, maxQueue >= 0, maxBodyBytes >= 1024, (0...65535).contains(port) else {
            throw ValidationError("need --max-batch ≥ 1, --max-queue ≥ 0, --max-body-bytes ≥ 1024 and --port in 0...65535")
        }
    }

    func run() throws {
        var options = ServeOptions()
        options.host = host
        options.port = port
        options.maxBodyBytes = maxBodyBytes
        options.logRequests = !quiet
        if let name = apiKeyEnv {
            guard let key = ProcessInfo.processInfo.environment[name], !key.isEmpty else {
                throw ValidationError("--api-key-env \(name): the environment variable \(name) is not set or empty")
            }
            options.apiKey = key
        }
        let t0 = Date()
        let served = try modelOptions.load()
        let cfg = served.local.model.config
        FileHandle.standardError.write(Data(String(format: "loaded %@ (%@, %d layers, context %d, reasoning parser %@) in %.1f s\n", served.name,
                                                   cfg.family.rawValue, cfg.numLayers, served.contextLength,
                                                   served.reasoning ? "deepseek_r1" : "none", Date().timeIntervalSince(t0)).utf8))
        let service = CompletionService(scheduler: BatchScheduler(served: served, maxBatch: maxBatch, maxQueue: maxQueue))
        let server = OpenAIServer(service: service, options: options)
        let host = self.host
        try runBlocking {
            try await server.run { port in
                // Written straight to the descriptor (no stdio buffer to flush): clients wait for this line.
                try? Console.out("listening on http://\(host):\(port)\n")
            }
        }
        FileHandle.standardError.write(Data("server stopped\n".utf8))
    }
}
