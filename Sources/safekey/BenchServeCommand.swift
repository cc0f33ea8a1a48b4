import ArgumentParser
import Foundation
import Serve
import Support

/// `safekey bench serve --model DIR`: continuous-batching throughput of `safekey serve` on loopback.
/// Starts the server in this process on a free port, then for each concurrency C (default 1, 8,
/// 32) runs C streaming clients sending `--requests` chat requests in all (greedy, `ignore_eos`,
/// `--max-tokens` new tokens each; at least one per client). The levels alternate for `--rounds`
/// rounds (this machine is shared; alternation exposes every level to the same load) and the table
/// gives each level's median round: generated tokens/s, the speed-up over the first level, p50/p99
/// whole-request latency, how busy the model thread was and how much of that was prompt prefill.
/// Every stream is checked for form.
struct BenchServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serving throughput at several concurrencies (tokens/s, p50/p99 latency).")

    @OptionGroup var modelOptions: ServedModelOptions
    @Option(parsing: .upToNextOption, help: "Concurrencies to measure.") var concurrency: [Int] = [1, 8, 32]
    @Option(help: "Requests at each concurrency and round (at least one per client).") var requests = 64
    @Option(help: "Rounds over all concurrencies (the median round is reported).") var rounds = 3
    @Option(help: "New tokens per request.") var maxTokens = 64
    @Option(help: "Most sequences per batched step.") var maxBatch = 32
    @Flag(inversion: .prefixedNo, help: "Stream the responses (server-sent events: a chunk per token, or per run of tokens when the writer falls behind) or not.") var stream = true
    @Flag(help: "Print one JSON object instead of the table.") var json = false

    func run() throws {
        guard concurrency.allSatisfy({ $0 >= 1 }), requests >= 1, maxTokens >= 1, rounds >= 1 else {
            throw ValidationError("--concurrency values, --requests, --rounds and --max-tokens must be ≥ 1")
        }
        let served = try modelOptions.load()
        let service = CompletionService(scheduler: BatchScheduler(served: served, maxBatch: maxBatch, maxQueue: 4096))
        var options = ServeOptions()
        options.port = 0
        options.logRequests = false
        let server = OpenAIServer(service: service, options: options)
        let prompts = ["How do I bake bread at home?", "Tell me about the river valley.", "How can I fix a leaking tap?",
                       "What should I pack for a hike?", "Explain how seeds grow.", "Write a note to a neighbour."]
        let name = served.name, levels = concurrency, total = requests, maxTokens = self.maxTokens, rounds = self.rounds, stream = self.stream
        let reports: [LoadReport] = runBlocking {
            let (port, task) = await server.start()
            let base = URL(string: "http://127.0.0.1:\(port)/v1")!
            // Warm-up (page in weights, first allocations).
            _ = await LoadGenerator.run(base: base, model: name, prompts: prompts, clients: 1, requestsPerClient: 1, maxTokens: 8)
            var byLevel = [[LoadReport]](repeating: [], count: levels.count)
            for _ in 0..<rounds {
                for (i, c) in levels.enumerated() {
                    let before = service.scheduler.counters
                    var r = await LoadGenerator.run(base: base, model: name, prompts: prompts, clients: c,
                                                    requestsPerClient: max(1, total / c), maxTokens: maxTokens, stream: stream)
                    let after = service.scheduler.counters
                    r.modelSeconds = after.modelSeconds - before.modelSeconds
                    r.prefillSeconds = after.prefillSeconds - before.prefillSeconds
                    byLevel[i].append(r)
                }
            }
            // Each level's median round, carrying the errors of all its rounds.
            let out = byLevel.map { runs -> LoadReport in
                var median = runs.sorted { $0.tokensPerSecond < $1.tokensPerSecond }[runs.count / 2]
                median.errors = runs.flatMap(\.errors)
                return median
            }
            task.cancel()
            _ = try? await task.value
            return out
        }
        let base = reports.first?.tokensPerSecond ?? 0
        if json {
            let rows = reports.map { r -> JSONValue in
                func fixed(_ x: Double, _ digits: Int) -> JSONValue { x.isFinite ? .number(String(format: "%.\(digits)f", x)) : .null }
                return .object(["concurrency": .int(r.concurrency), "requests": .int(r.requests), "errors": .int(r.errors.count),
                                "tokens": .int(r.completionTokens), "seconds": fixed(r.seconds, 3), "tokens_per_s": fixed(r.tokensPerSecond, 1),
                                "speedup": fixed(base > 0 ? r.tokensPerSecond / base : 0, 2), "p50_s": fixed(r.latency(0.5), 4),
                                "p99_s": fixed(r.latency(0.99), 4), "model_busy": fixed(r.modelSeconds / max(r.seconds, 1e-9), 3),
                                "prefill_busy": fixed(r.prefillSeconds / max(r.seconds, 1e-9), 3)])
            }
            print(jsonLine(["model": .string(name), "max_tokens": .int(maxTokens), "rounds": .int(rounds), "levels": .array(rows)]))
        } else {
            print("bench serve: \(name), \(maxTokens) new tokens a request (greedy, ignore_eos, \(stream ? "streamed" : "not streamed")), \(requests) requests a level, max batch \(maxBatch), median of \(rounds) alternating rounds")
            print("concurrency  requests  errors  tokens/s  speed-up  p50 latency  p99 latency  model busy  of it prefill")
            for r in reports {
                print(String(format: "%11d  %8d  %6d  %8.1f  %7.2fx  %9.3f s  %9.3f s  %9.0f%%  %12.0f%%", r.concurrency, r.requests, r.errors.count,
                             r.tokensPerSecond, base > 0 ? r.tokensPerSecond / base : 0, r.latency(0.5), r.latency(0.99),
                             100 * r.modelSeconds / max(r.seconds, 1e-9), 100 * r.prefillSeconds / max(r.seconds, 1e-9)))
            }
        }
        if let bad = reports.first(where: { !$0.errors.isEmpty }) {
            throw ValidationError("\(bad.errors.count) failed requests at concurrency \(bad.concurrency); first: \(bad.errors[0])")
        }
    }
}
