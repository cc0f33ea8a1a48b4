import ArgumentParser
import Foundation
import Serve

/// `safekey bench serve --model DIR`: continuous-batching throughput of `safekey serve` on loopback.
/// Starts the server in this process on a free port, then for each concurrency C (default 1, 8,
/// 32) runs C streaming clients, each sending `--requests` chat requests one after another
/// (greedy, `ignore_eos`, `--max-tokens` new tokens each), and prints generated tokens/s, the
/// speed-up over C = 1, and p50/p99 whole-request latency. Every stream is checked for form.
struct BenchServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serving throughput at several concurrencies (tokens/s, p50/p99 latency).")

    @OptionGroup var modelOptions: ServedModelOptions
    @Option(parsing: .upToNextOption, help: "Concurrencies to measure.") var concurrency: [Int] = [1, 8, 32]
    @Option(help: "Requests per client at each concurrency.") var requests = 4
    @Option(help: "New tokens per request.") var maxTokens = 64
    @Option(help: "Most sequences per batched step.") var maxBatch = 32
    @Flag(help: "Print one JSON object instead of the table.") var json = false

    func run() throws {
        guard concurrency.allSatisfy({ $0 >= 1 }), requests >= 1, maxTokens >= 1 else {
            throw ValidationError("--concurrency values, --requests and --max-tokens must be ≥ 1")
        }
        let served = try modelOptions.load()
        let service = CompletionService(scheduler: BatchScheduler(served: served, maxBatch: maxBatch, maxQueue: 4096))
        var options = ServeOptions()
        options.port = 0
        options.logRequests = false
        let server = OpenAIServer(service: service, options: options)
        let prompts = ["How do I bake bread at home?", "Tell me about the river valley.", "How can I fix a leaking tap?",
                       "What should I pack for a hike?", "Explain how seeds grow.", "Write a note to a neighbour."]
        let name = served.name, levels = concurrency, perClient = requests, maxTokens = self.maxTokens
        let reports: [LoadReport] = try runBlocking {
            let (port, task) = await server.start()
            let base = URL(string: "http://127.0.0.1:\(port)/v1")!
            // Warm-up (page in weights, first allocations).
            _ = await LoadGenerator.run(base: base, model: name, prompts: prompts, clients: 1, requestsPerClient: 1, maxTokens: 8)
            var out: [LoadReport] = []
            for c in levels {
                out.append(await LoadGenerator.run(base: base, model: name, prompts: prompts, clients: c, requestsPerClient: perClient,
                                                   maxTokens: maxTokens))
            }
            task.cancel()
            _ = try? await task.value
            return out
        }
        let base = reports.first?.tokensPerSecond ?? 0
        if json {
            let rows = reports.map { r in
                String(format: "{\"concurrency\": %d, \"requests\": %d, \"errors\": %d, \"tokens\": %d, \"seconds\": %.3f, \"tokens_per_s\": %.1f, \"speedup\": %.2f, \"p50_s\": %.4f, \"p99_s\": %.4f}",
                       r.concurrency, r.requests, r.errors.count, r.completionTokens, r.seconds, r.tokensPerSecond,
                       base > 0 ? r.tokensPerSecond / base : 0, r.latency(0.5), r.latency(0.99))
            }
            print("{\"model\": \"\(name)\", \"max_tokens\": \(maxTokens), \"levels\": [\(rows.joined(separator: ", "))]}")
        } else {
            print("bench serve: \(name), \(maxTokens) new tokens a request (greedy, ignore_eos), \(requests) requests a client, max batch \(maxBatch)")
            print("concurrency  requests  errors  tokens/s  speed-up  p50 latency  p99 latency")
            for r in reports {
                print(String(format: "%11d  %8d  %6d  %8.1f  %7.2fx  %9.3f s  %9.3f s", r.concurrency, r.requests, r.errors.count,
                             r.tokensPerSecond, base > 0 ? r.tokensPerSecond / base : 0, r.latency(0.5), r.latency(0.99)))
            }
        }
        if let bad = reports.first(where: { !$0.errors.isEmpty }) {
            throw ValidationError("\(bad.errors.count) failed requests at concurrency \(bad.concurrency); first: \(bad.errors[0])")
        }
    }
}
