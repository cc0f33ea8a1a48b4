import ArgumentParser
import ChatAPI
import Foundation
import SafeKey
import Support
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `safekey annotate` — find U (query understanding) and K (key sentence) in reasoning traces and
/// write `summary_end_idx` / `next_sentence_end_idx` (issue 8). See Sources/SafeKey/Annotator.
struct AnnotateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "annotate",
        abstract: "Find U and K in reasoning traces: write summary_end_idx / next_sentence_end_idx, or score a method on a gold set.",
        discussion: """
        Annotate: safekey annotate --input STAR-1.json --output star1-uk.jsonl
        Evaluate: safekey annotate --evaluate Tests/Fixtures/annotator/gold.jsonl --input STAR-1.json
        Model: safekey annotate --method model --model DIR --input IN --output OUT
        API: safekey annotate --method api --api-base http://localhost:8000/v1 --model-name M --input IN --output OUT

        The output is JSONL: each input record's keys plus summary_end_idx and next_sentence_end_idx (Unicode code-point offsets into the normalised response) and an "annotation" object. Reruns skip records already in the output. Records that cannot be annotated are reported and left out.
        """
    )

    @Option(help: "Records: JSON array or JSONL (question, response, source, …).") var input: String?
    @Option(help: "Output JSONL (written atomically; an existing file is resumed).") var output: String?
    @Option(help: "rules (instant), api (an OpenAI-compatible endpoint) or model (a local model folder, --model DIR).") var method: AnnotateMethod = .rules
    @Option(help: "Sentence segmentation: improved, or reference (the reference's regex split).") var segmenter: SentenceSegmenter.Mode = .improved
    @Flag(help: "Stop at the first bad input record instead of skipping it.") var strict = false
    @Option(help: "Score the method on a gold file instead of annotating (needs --input STAR-1.json for its STAR-1 rows).") var evaluate: String?
    @Flag(help: "With --evaluate: list every miss.") var showMisses = false
    @OptionGroup var endpoint: EndpointOptions<AnnotateEndpoint>
    @Option(help: "api: model name sent in the request.") var modelName: String?
    @Option(help: "model: local model folder (config.json, safetensors, tokenizer.json with a chat template).") var model: String?
    @Option(help: "model: PEFT LoRA adapter folder applied on top of --model.") var adapter: String?
    @Option(help: "api: retries after a failed request (exponential back-off).") var retries: Int = 4
    @Option(help: "api: cache folder (responses keyed by request); default <output or gold>.cache.") var cacheDir: String?
    @Flag(help: "Replace an existing --output that is not an earlier output of annotate (default: refuse).") var overwrite = false
    @OptionGroup var failureAllowance: FailureOptions

    func validate() throws {
        if evaluate == nil {
            guard input != nil, output != nil else { throw ValidationError("give --input and --output (or --evaluate GOLD)") }
        }
        guard retries >= 0, retries <= 100, endpoint.timeout >= 1 else { throw ValidationError("need 0 ≤ --retries ≤ 100 and --timeout ≥ 1 (seconds)") }
        if let input, let output {
            try OutputGuard.refuseOverwritingInputs(output: ("--output", output), inputs: [("--input", input)] + (model.map { [("--model", $0)] } ?? []))
            if !overwrite, !(try AnnotationRun.isPreviousOutput(output)) {
                throw ValidationError("--output \(output) exists and is not an earlier output of safekey annotate; pass --overwrite to replace it")
            }
            if overwrite { try? FileManager.default.removeItem(atPath: output + ".partial") }
        }
    }

    func run() throws {
        try runBlocking { try await body() }
    }

    func makePicker() throws -> any SentencePicker {
        switch method {
        case .rules: return RulesPicker()
        case .api:
            guard endpoint.apiBase != nil else {
                throw AnnotatorError.configuration("--method api needs --api-base URL (e.g. http://localhost:8000/v1)")
            }
            guard let model = modelName else { throw AnnotatorError.configuration("--method api needs --model-name") }
            let cache = cacheDir ?? ((output ?? evaluate ?? "annotate") + ".cache")
            let client = ChatClient(endpoint: try endpoint.endpoint(), retry: RetryPolicy(maxAttempts: retries + 1, baseDelay: 0.5, maxDelay: 16),
                                    cache: try ResponseCache(directory: cache))
            return APIPicker(client: client, model: model)
        case .model:
            guard let folder = model else { throw AnnotatorError.configuration("--method model needs --model DIR (a local chat model folder)") }
            return ModelPicker(scorer: try LocalModelScorer(folder: folder, adapter: adapter))
        }
    }

    func body() async throws {
        let annotator = Annotator(picker: try makePicker(), segmenter: SentenceSegmenter(mode: segmenter))
        let warn: (RecordIssue) -> Void = { Console.err("warning: \($0)\n") }
        if let gold = evaluate {
            var star1: [SafeKeyRecord]? = nil
            if let input { star1 = try RecordReader.read(path: input, options: .init(strict: strict), warn: warn).0 }
            let (items, notes) = try GoldSet.load(path: gold, star1: star1)
            for n in notes { Console.err("note: \(n)\n") }
            let report = await GoldSet.evaluate(items, annotator: annotator, concurrency: endpoint.concurrency)
            try Console.out(report.text + "\n")
            if showMisses {
                for (name, got, want, why) in report.misses {
                    try Console.out("miss \(name): gold \(want.0)/\(want.1), got " + (got.map { "\($0.0)/\($0.1)" } ?? "failure: \(why)") + "\n")
                }
            }
            return
        }
        guard let input, let output else { return }
        let (records, readReport) = try RecordReader.read(path: input, options: .init(strict: strict), warn: warn)
        Console.err("read \(input): \(readReport.summary)\n")
        let bar = AnnotateProgress()
        let run = AnnotationRun(annotator: annotator, concurrency: method == .rules ? 1 : endpoint.concurrency)
        let summary = try await run.run(records: records, outputPath: output, progress: bar.update) { r, e in
            bar.interrupt("record #\(r.index) (line \(r.line)\(r.id.map { ", id \($0)" } ?? "")) not annotated: \(e)")
        }
        bar.finish()
        Console.err("annotate: \(summary.line); \(readReport.skipped.count) input records skipped as bad\n")
        if summary.annotated + summary.alreadyDone == 0 && summary.failed.isEmpty { throw ExitCode(1) }
        try failureAllowance.enforce(failed: summary.failed.count, total: summary.total, what: "records")
    }
}

/// A progress bar on a terminal (stderr), a line per 10% otherwise. `@unchecked Sendable`: the
/// concurrent annotation tasks call ``update(_:_:)`` and ``interrupt(_:)``, and the mutable state
/// (`lastDecile`, `lastDraw`) is only touched while `lock` is held.
final class AnnotateProgress: @unchecked Sendable {
    private let tty = isatty(2) != 0
    private var lastDecile = -1
    private var lastDraw = Date.distantPast
    private let lock = NSLock()

    func update(_ done: Int, _ total: Int) {
        lock.lock(); defer { lock.unlock() }
        guard total > 0 else { return }
        if tty {
            guard done == total || Date().timeIntervalSince(lastDraw) > 0.1 else { return }
            lastDraw = Date()
            let width = 30, filled = width * done / total
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            Console.err("\r[\(bar)] \(done)/\(total)")
        } else {
            let decile = 10 * done / total
            if decile != lastDecile { lastDecile = decile; Console.err("annotate: \(done)/\(total)\n") }
        }
    }

    func interrupt(_ message: String) {
        lock.lock(); defer { lock.unlock() }
        Console.err(((tty ? "\r\u{1B}[K" : "") + "warning: " + message + "\n"))
    }

    func finish() { if tty { Console.err("\n") } }
}

/// `annotate --method api`'s endpoint defaults: the key in OPENAI_API_KEY when set (no key
/// otherwise, as for a local server), 60 s a request, 4 records at once.
enum AnnotateEndpoint: EndpointDefaults {
    static let apiBaseHelp = "api: base URL of an OpenAI-compatible server, e.g. http://localhost:8000/v1."
    static let apiBase: String? = nil
    static let apiKeyEnv: String? = "OPENAI_API_KEY"
    static let keyRequired = false
    static let scope = "api: "
    static let timeout: Double = 60
    static let concurrency = 4
}
