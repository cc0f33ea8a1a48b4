import ArgumentParser
import ChatAPI
import Foundation
import Models
import SafetyEval

/// `safekey generate --model DIR --data NAME=PATH [--limit N] --output FILE` — batched generation
/// with the KV cache and the model's chat template, written in the reference's layout
/// (`{"meta_info": {...}, "data": [{"instruction", "prompt", "response": [...]}]}`) after every
/// batch, so a rerun with the same settings resumes where the last one stopped (issue 9 item 2).
///
/// Defaults are the reference's `gen.py`: greedy (temperature 0, top-p 1), repetition penalty 1.2,
/// 8000 new tokens, no system prompt. Multi-turn sets replay every user turn, generating each
/// assistant turn in between (`--multi-turn recorded` keeps the recorded turns instead).
///
///     safekey generate --model models/R1-7B --data strongreject=../shared/data/eval/strongreject/strongreject_dataset.csv \
///         --limit 20 --max-new-tokens 512 --output result/R1-7B/strongreject.json
///     safekey generate --model M --data prefilling=prefill.csv --prefill-tokens 20 --output result/M/prefilling.json
///
/// With several `--data`, `--output` is a folder and each benchmark goes to `<folder>/<name>.json`.
///
/// Through an OpenAI-compatible server instead of `--model` (vLLM, llama.cpp's server, `safekey serve`;
/// ``GenerateAPIOptions``, ``APIGenerator``): the same selection, prefilling, multi-turn replay, resume
/// and file; a request that fails after its retries is recorded in its item (`generation_error`,
/// empty `response`), a rerun retries it, and the exit status is 3 unless `--allow-failures` accepts it.
///
///     safekey serve --model Assets/world-base --port 8000 &
///     safekey generate --api-base http://127.0.0.1:8000/v1 --model-name world-base --tokenizer Assets/world-base \
///         --data strongreject=../shared/data/eval/strongreject/strongreject_dataset.csv --limit 10 --max-new-tokens 48 --output sr.json
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate responses to benchmark prompts with a local model, or through an OpenAI-compatible server (reference layout, resumable, progress line)."
    )

    @Option(help: "Model folder (config.json, *.safetensors, tokenizer.json with a chat template), or a .gguf file (its tokenizer and template come with it). Not with --api-base.")
    var model: String?

    @Option(help: "Benchmark as NAME=PATH (repeatable), e.g. strongreject=strongreject_dataset.csv.") var data: [String] = []
    @Option(help: "Output file (one --data) or folder (several: <folder>/<name>.json). An existing file is resumed.") var output: String
    @OptionGroup var selection: BenchmarkSelectionOptions
    @Option(help: "Maximum new tokens per response (reference: 8000).") var maxNewTokens: Int = 8000
    @Option(help: "Sampling temperature (0 = greedy, the reference).") var temperature: Float = 0
    @Option(help: "Top-p (1 = off).") var topP: Float = 1
    @Option(help: "Top-k (0 = off).") var topK: Int = 0
    @Option(help: "Repetition penalty (reference: 1.2; 1 = off).") var repetitionPenalty: Float = 1.2
    @Option(help: "Pre-fill the first N tokens of each item's target into the response (prefilling attack; default 20 for the 'prefilling' benchmark, as the reference).")
    var prefillTokens: Int?
    @Option(help: "Responses per prompt.") var samples: Int = 1
    @Option(help: "Prompts per batch (each prompt contributes --samples rows).") var batchSize: Int = 8
    @Option(help: "Multi-turn sets: replay (generate every assistant turn) or recorded (keep recorded turns).") var multiTurn: MultiTurnMode = .replay
    @Option(help: "Name stored in meta_info.model (default: the model folder's name); with --api-base, also the model asked for (required).") var modelName: String?
    @Option(help: "Weights in memory: f32, or bf16 (half the memory and ~1.6× faster batch-1 decoding; results differ from f32 by bf16 rounding unless the checkpoint is bf16).")
    var weights: WeightStorage = .f32
    @Option(help: "PEFT LoRA adapter folder applied on top of --model (e.g. the output of train --lora-rank).") var adapter: String?
    @Flag(help: "No progress line on stderr.") var quiet = false
    @OptionGroup var api: GenerateAPIOptions
    @OptionGroup var failureAllowance: FailureOptions

    func validate() throws {
        guard !data.isEmpty else { throw ValidationError("give at least one --data NAME=PATH") }
        switch (model, api.endpoint.apiBase) {
        case (nil, nil): throw ValidationError("give --model (in-process) or --api-base with --model-name (an OpenAI-compatible server)")
        case (.some, .some): throw ValidationError("give either --model or --api-base, not both (--tokenizer gives the server's model's tokenizer)")
        case (nil, .some):
            guard modelName != nil else { throw ValidationError("--api-base needs --model-name, the model the server serves (GET <api-base>/models lists it)") }
            guard adapter == nil, weights == .f32 else { throw ValidationError("--adapter and --weights apply to in-process generation; with --api-base the server holds the model") }
        case (.some, nil): break
        }
        let prefilling = (prefillTokens ?? 0) > 0 || (prefillTokens == nil && data.contains { (try? DataArgument(parsing: $0))?.benchmark == .prefilling })
        try api.validate(prefilling: prefilling)
        guard maxNewTokens >= 1, samples >= 1, batchSize >= 1 else {
            throw ValidationError("need --max-new-tokens, --samples and --batch-size ≥ 1")
        }
        if let p = prefillTokens, p < 0 { throw ValidationError("--prefill-tokens must be ≥ 0") }
        try OptionRange.within("--temperature", Double(temperature), 0...100)
        try OptionRange.within("--top-p", Double(topP), 0...1)
        try OptionRange.atLeast("--top-k", topK, 0)
        try OptionRange.within("--repetition-penalty", Double(repetitionPenalty), 1e-3...1e3)
        for d in data {
            if let path = d.split(separator: "=", maxSplits: 1).last.map(String.init) {
                try OutputGuard.refuseOverwritingInputs(output: ("--output", output), inputs: [("--data", path)] + (model.map { [("--model", $0)] } ?? []))
            }
        }
    }

    func run() throws {
        let arguments = try data.map(DataArgument.init(parsing:))
        let start = selection.start, chosen = selection.selection
        // Load every benchmark before the model, so a bad --data fails in milliseconds.
        let loaded = try arguments.map { arg -> (DataArgument, [BenchmarkItem]) in
            let all = try BenchmarkLoader.load(arg)
            guard start < all.count || all.isEmpty else {
                throw ValidationError("--start \(start) is past the end of \(arg.benchmark.rawValue) (\(all.count) items); use 0…\(all.count - 1)")
            }
            return (arg, chosen.apply(all))
        }
        let params = SamplingParameters(maxNewTokens: maxNewTokens, temperature: temperature, topK: topK, topP: topP,
                                        repetitionPenalty: repetitionPenalty, seed: selection.seed)
        let generator: ResponseGenerator
        if let model {
            let t0 = Date()
            let local = try DecoderGenerator(folder: model, name: modelName, params: params, rowsPerBatch: batchSize * samples,
                                             weightStorage: weights, adapter: adapter)
            log(String(format: "loaded %@ (%@, %d layers, vocab %d) in %.1f s", local.modelName, local.local.model.config.family.rawValue,
                       local.local.model.config.numLayers, local.local.model.config.vocabSize, Date().timeIntervalSince(t0)))
            generator = local
        } else {
            let remote = try api.generator(modelName: modelName ?? "", params: params)
            log("generating through \(remote.client.endpoint.baseURL.absoluteString) (model \(remote.modelName), \(remote.mode == .completions ? "prompts rendered here, /completions" : "/chat/completions"), \(api.endpoint.concurrency) in flight)")
            if let c = remote.contextLength { log("the server's context is \(c) tokens (max_model_len): max_tokens is cut per prompt to fit it") }
            generator = remote
        }
        // Through a server, a batch is what is in flight at once (the file is written after each).
        let batch = api.isSet ? max(batchSize, api.endpoint.concurrency) : batchSize
        var failed = 0, total = 0
        for (arg, items) in loaded {
            let dest = arguments.count == 1 ? output : (output as NSString).appendingPathComponent("\(arg.benchmark.rawValue).json")
            try FileManager.default.createDirectory(atPath: (dest as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let prefill = prefillTokens ?? (arg.benchmark == .prefilling ? 20 : nil)
            let runner = GenerationRunner(generator: generator, batchSize: batch, samples: samples, prefillTokens: prefill,
                                          multiTurnMode: multiTurn)
            log("\(arg.benchmark.rawValue): \(items.count) items -> \(dest)")
            let file = try runner.run(items: items, benchmark: arg.benchmark, output: dest) { p, startedAt in
                if !quiet { Console.err("\r" + p.line(startedAt: startedAt)) }
            }
            if !quiet { Console.err("\n") }
            let failures = file.data.filter { $0.generationError != nil }
            for r in failures.prefix(5) {
                Console.err("\(arg.benchmark.rawValue) item \(r.fields["id"]?.stringValue ?? "?") failed: \(r.generationError ?? "")\n")
            }
            if failures.count > 5 { Console.err("… and \(failures.count - 5) more (their records carry \(GenerationRecord.errorKey))\n") }
            failed += failures.count
            total += file.data.count
            try Console.out("\(arg.benchmark.rawValue): \(file.data.count) items, \(file.data.reduce(0) { $0 + $1.response.count }) responses"
                            + (failures.isEmpty ? "" : ", \(failures.count) failed") + " -> \(dest)\n")
        }
        if let remote = generator as? APIGenerator, remote.clampedRequests > 0, let c = remote.contextLength {
            log("\(remote.clampedRequests) request(s) asked for fewer than --max-new-tokens \(maxNewTokens) tokens to fit the server's context of \(c)")
        }
        try failureAllowance.enforce(failed: failed, total: total, what: "items")
    }

    private func log(_ s: String) {
        if !quiet { Console.err(s + "\n") }
    }
}
