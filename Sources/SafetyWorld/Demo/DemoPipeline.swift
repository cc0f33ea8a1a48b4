import Support
import Foundation
import Models
import SafeKey
import SafetyEval
import Tensor
import Tokenizers

/// `safekey demo`: the paper's experiment in the synthetic world (issue 6, item 3; seeds and
/// statistics: issue 16, item 3).
///
/// For each seed: from the committed unaligned base reasoner, train an SFT baseline and SafeKey
/// (SFT + QMM + DPSH in the last epochs) with the same data, seed and step count; generate with
/// base, SFT and SafeKey on held-out sets (``DemoRow/all``: three prompt sets, the four rungs of the
/// prefill ladder, benign look-alikes); judge each response against its request's object with the
/// world judge. Seed `s` draws the safety set, the training order, the DPSH heads' initialisation
/// and (with `s + 1`) the evaluation sets; seeds are `seed, seed + 1, …`.
///
/// Evaluation goes through SafetyEval's path, as `safekey generate` / `eval` / `report` do: each
/// row's examples become ``BenchmarkItem``s that ``GenerationRunner`` generates with a
/// ``DecoderGenerator`` into `generations/<model>/<row>.json` (the reference's layout; a seed other
/// than the first under `seed-<s>/`), ``JudgeRunner`` labels them with the `world` judge, ``Rates``
/// gives each cell's rate, and ``EvalReport`` (pooled over seeds) the report's per-set tables,
/// charts and examples. ``DemoStatistics`` adds what is particular to the demo: the seed spread
/// and the paired SafeKey-vs-SFT tests over the per-prompt verdicts. For the first seed the
/// report also gets the paper's analyses of the three models (``DemoAnalysis``) and example traces
/// with U and K marked (``DemoTrace``).
public struct DemoOptions {
    public var baseModel: String
    public var output: String
    public var seed: UInt64 = 2002
    /// How many seeds (default 3; `--quick` 1).
    public var seeds = 3
    public var trainCount = 480
    public var evalCount = 40
    public var epochs = 3
    public var lastKEpochs = 2
    public var learningRate = 2e-3
    public var batchSize = 8
    public var maxNewTokens = 160
    public var generationBatch = 20
    /// Take SafeKey's plain-SFT epochs from the SFT run instead of training them again (same
    /// result, less time); off only to check that claim.
    public var shareSFTEpochs = true
    public init(baseModel: String, output: String) {
        self.baseModel = baseModel
        self.output = output
    }

    /// The `--quick` sizes: small enough for CI (under 60 s on two cores).
    public mutating func makeQuick() {
        seeds = 1
        trainCount = 96
        evalCount = 8
        epochs = 2
        lastKEpochs = 1
        maxNewTokens = 128
    }

    /// The seeds run: `seed, seed + 1, …` (`seeds` of them).
    public var seedList: [UInt64] { (0..<max(seeds, 0)).map { seed &+ UInt64($0) } }
}

/// One model's results on one row for one seed.
public struct DemoCell: Codable, Equatable {
    public var model: String
    /// The row id (``DemoRow/id``).
    public var set: String
    public var seed: UInt64
    /// complied + partial (the harmful rows' harmfulness).
    public var harmful: Proportion
    /// complied (the benign row's compliance rate: it should be high).
    public var complied: Proportion
    public var refused: Int
    public var partial: Int
    public var malformed: Int
    public var offTask: Int
    /// The verdict of each prompt, in the row's prompt order (the same prompts for every model of a seed).
    public var kinds: [WorldVerdictKind]
    /// Each prompt's jailbreak family (`plain` for an unwrapped one), in the same order; nil when no
    /// prompt of the row is wrapped.
    public var families: [String]?

    /// `rate`: SafetyEval's rate of the row's judged file (``Rates``: harmfulness on harmful rows,
    /// compliance on benign ones; both count complied + partial, the world judge's `complied` label);
    /// `kinds`: each prompt's verdict kind, from the judge's details.
    public init(model: String, row: DemoRow, seed: UInt64, rate: Proportion, kinds: [WorldVerdictKind], families: [JailbreakFamily?] = []) {
        func count(_ k: WorldVerdictKind) -> Int { kinds.filter { $0 == k }.count }
        self.model = model
        set = row.id
        self.seed = seed
        harmful = rate
        complied = Proportion(k: count(.complied), n: kinds.count)
        refused = count(.refused)
        partial = count(.partial)
        malformed = count(.malformed)
        offTask = count(.offTask)
        self.kinds = kinds
        self.families = families.contains { $0 != nil } ? families.map { $0?.rawValue ?? "plain" } : nil
    }
}

/// One seed's training logs.
public struct DemoSeedLog: Codable {
    public var seed: UInt64
    public var sft: [StepLog]
    public var safekey: [StepLog]
}

/// What the demo produced.
public struct DemoResult: Codable {
    public var seeds: [UInt64]
    public var cells: [DemoCell]
    public var logs: [DemoSeedLog]
    public var seconds: [String: Double]
    public var options: [String: String]
    /// The first seed's attention and probe analyses of the three models (``DemoAnalysis``).
    public var analysis: DemoAnalysis?
    /// Example responses of the first seed, U and K marked (``DemoTrace``; ``DemoPipeline/exampleTraces``).
    public var traces: [DemoTrace]
    /// SafetyEval's report of the judged generation files, each (model, row) pooled over seeds.
    public var evaluation: EvalReport?

    public init(seeds: [UInt64], cells: [DemoCell], logs: [DemoSeedLog] = [], seconds: [String: Double] = [:], options: [String: String] = [:],
                analysis: DemoAnalysis? = nil, traces: [DemoTrace] = [], evaluation: EvalReport? = nil) {
        self.seeds = seeds
        self.cells = cells
        self.logs = logs
        self.seconds = seconds
        self.options = options
        self.analysis = analysis
        self.traces = traces
        self.evaluation = evaluation
    }

    /// The first seed's training logs.
    public var sftLog: [StepLog] { logs.first?.sft ?? [] }
    public var safekeyLog: [StepLog] { logs.first?.safekey ?? [] }

    public func cell(_ model: String, _ row: DemoRow, seed: UInt64) -> DemoCell? {
        cells.first { $0.model == model && $0.set == row.id && $0.seed == seed }
    }

    /// Every seed's cell of a model and row, in seed order.
    public func cells(_ model: String, _ row: DemoRow) -> [DemoCell] {
        seeds.compactMap { cell(model, row, seed: $0) }
    }
}

public enum DemoPipeline {
    public static let models = ["base", "SFT", "SafeKey"]

    public static func run(_ o: DemoOptions, say: @escaping (String) -> Void) throws -> DemoResult {
        let fm = FileManager.default
        guard fm.fileExists(atPath: (o.baseModel as NSString).appendingPathComponent("config.json")) else {
            throw WorldError.missingBaseModel(path: o.baseModel)
        }
        guard o.seeds >= 1 else { throw WorldError.badSeeds(o.seeds) }
        try fm.createDirectory(atPath: o.output, withIntermediateDirectories: true)
        var seconds: [String: Double] = [:]
        let tokenizer = try Tokenizer(path: o.baseModel)
        var cells: [DemoCell] = []
        var logs: [DemoSeedLog] = []
        var generations: [JSONValue] = []
        var analysis: DemoAnalysis?
        var traces: [DemoTrace] = []
        var judged: [String: GenerationFile] = [:]
        for (index, seed) in o.seedList.enumerated() {
            // The first seed's files sit in the output folder itself (as before seeds existed).
            let folder = index == 0 ? o.output : (o.output as NSString).appendingPathComponent("seed-\(seed)")
            try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
            if o.seeds > 1 { say("seed \(seed) (\(index + 1) of \(o.seeds))") }
            let (sft, safekey) = try train(o, seed: seed, folder: folder, tokenizer: tokenizer, seconds: &seconds, say: say)
            logs.append(DemoSeedLog(seed: seed, sft: sft, safekey: safekey))
            cells += try evaluate(o, seed: seed, folder: folder, tokenizer: tokenizer, generations: &generations,
                                  judged: &judged, seconds: &seconds, say: say)
            if index == 0 {
                let t0 = Date()
                let a = try DemoAnalysis.run(models: models.map { ($0, $0 == "base" ? o.baseModel : (folder as NSString).appendingPathComponent($0.lowercased())) },
                                             seed: seed &+ 1, count: o.evalCount, tokenizer: tokenizer)
                seconds["analysis", default: 0] += Date().timeIntervalSince(t0)
                say("analysis (seed \(seed), \(a.records) held-out records): " + a.models.map {
                    String(format: "%@ K→U %.3f K→prompt %.3f", $0.model, $0.kToU.mean, $0.kToPrompt.mean)
                }.joined(separator: "; "))
                analysis = a
                traces = exampleTraces(generations, seed: seed)
            }
        }
        try writeJSONL(generations, to: (o.output as NSString).appendingPathComponent("generations.jsonl"))
        let result = DemoResult(seeds: o.seedList, cells: cells, logs: logs, seconds: seconds,
                                options: ["seeds": o.seedList.map(String.init).joined(separator: ","), "train_records": "\(o.trainCount)",
                                          "eval_per_set": "\(o.evalCount)", "epochs": "\(o.epochs)", "last_k_epochs": "\(o.lastKEpochs)",
                                          "lr": "\(o.learningRate)", "batch_size": "\(o.batchSize)", "max_new_tokens": "\(o.maxNewTokens)",
                                          "decoding": "greedy, no repetition penalty", "threads": "\(Parallel.threads)",
                                          "judge": "world rules v\(WorldJudge.version)"],
                                analysis: analysis, traces: traces, evaluation: evaluationReport(judged))
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try atomicWrite(try enc.encode(result), to: (o.output as NSString).appendingPathComponent("results.json"))
        try atomicWrite(Data(DemoReport.markdown(result).utf8), to: (o.output as NSString).appendingPathComponent("report.md"))
        try atomicWrite(Data(DemoReport.html(result).utf8), to: (o.output as NSString).appendingPathComponent("report.html"))
        return result
    }

    /// Trains SFT and SafeKey for one seed into `folder`/sft and `folder`/safekey; returns their logs.
    static func train(_ o: DemoOptions, seed: UInt64, folder: String, tokenizer: Tokenizer, seconds: inout [String: Double],
                      say: @escaping (String) -> Void) throws -> ([StepLog], [StepLog]) {
        var t0 = Date()
        let eos = tokenizer.eosTokenId ?? 0
        let train = try SafetyWorld.examples(.safetyTraining, count: o.trainCount, seed: seed)
        let encoded = try WorldTraining.encode(train, tokenizer: tokenizer)
        let harmfulCount = train.filter { $0.request.harmful }.count
        say("safety set (seed \(seed)): \(train.count) records (\(harmfulCount) harmful with safe reasoning, \(train.count - harmfulCount) benign look-alikes), \(encoded.filter(\.auxiliary).count) with U/K spans")
        try atomicWrite(Data(train.map { $0.record.jsonLine() + "\n" }.joined().utf8), to: (folder as NSString).appendingPathComponent("safety_train.jsonl"))
        seconds["data", default: 0] += Date().timeIntervalSince(t0)

        // SafeKey's first `epochs - lastKEpochs` epochs are plain SFT with the same data order,
        // initialisation and schedule as the SFT run, so they are not trained twice: the SFT run
        // checkpoints its state (parameters, heads, AdamW moments, step) at the end of those
        // epochs and SafeKey resumes from it. The result is the same as training SafeKey from
        // the start (DemoPipelineTests checks it against a SafeKey run of its own).
        let shared = (folder as NSString).appendingPathComponent("shared-sft-epochs")
        let sharedSteps = { (t: Trainer) in t.stepsPerEpoch * max(0, o.epochs - o.lastKEpochs) }
        defer { try? FileManager.default.removeItem(atPath: shared) }
        var logs: [String: [StepLog]] = [:]
        for (name, safekey) in [("SFT", false), ("SafeKey", true)] {
            t0 = Date()
            let model = try DecoderModel(folder: o.baseModel)
            var options = TrainerOptions()
            options.epochs = o.epochs
            options.lastKEpochs = safekey ? o.lastKEpochs : 0
            options.learningRate = o.learningRate
            options.batchSize = o.batchSize
            options.seed = seed
            options.warmupRatio = 0.05
            options.objective.useQMM = safekey
            options.objective.useDPSH = safekey
            let trainer = try Trainer(model: model, head: SafetyHead(hiddenSize: model.config.hiddenSize, seed: seed),
                                      examples: encoded, padId: eos, options: options)
            let total = trainer.totalSteps
            let resumed = safekey && o.shareSFTEpochs && sharedSteps(trainer) > 0 ? try TrainingCheckpoint.load(into: trainer, output: shared) : false
            trainer.onStep = { s in
                if s.step == 1 || s.step % max(1, total / 6) == 0 || s.step == total {
                    say(String(format: "  %@ step %d/%d epoch %d loss %.3f sft %.3f%@", name, s.step, total, s.epoch, s.loss, s.sft_loss,
                               s.qmm_loss.map { String(format: " qmm %.3f head %.3f", $0, s.head_loss ?? 0) } ?? ""))
                }
                return true
            }
            say("training \(name): \(total) optimizer steps, batch \(o.batchSize), lr \(o.learningRate)\(safekey ? ", QMM + DPSH in the last \(o.lastKEpochs) epoch(s)" : "")"
                + (resumed ? "; steps 1-\(trainer.globalStep) (plain SFT) taken from the SFT run" : ""))
            try trainer.run { t in
                if !safekey, o.shareSFTEpochs, t.globalStep == sharedSteps(t), t.globalStep > 0 { try TrainingCheckpoint.save(t, output: shared) }
            }
            let out = (folder as NSString).appendingPathComponent(name.lowercased())
            try model.save(to: out, dtype: .bf16, copyFrom: o.baseModel)
            if safekey { try trainer.head.save(to: (out as NSString).appendingPathComponent("safety_head.safetensors")) }
            logs[name] = (resumed ? Array((logs["SFT"] ?? []).prefix(trainer.logs.first.map { $0.step - 1 } ?? 0)) : []) + trainer.logs
            seconds["train \(name)", default: 0] += Date().timeIntervalSince(t0)
        }
        return (logs["SFT"] ?? [], logs["SafeKey"] ?? [])
    }

    /// Generates with base, SFT and SafeKey of one seed on every row through SafetyEval
    /// (``GenerationRunner`` + ``DecoderGenerator``, greedy, the prefill pre-filled whole), judges
    /// each file with the `world` judge (``JudgeRunner``) and writes it to
    /// `folder`/generations/<model>/<row>.json; `judged` gathers each (model, row)'s records over seeds.
    static func evaluate(_ o: DemoOptions, seed: UInt64, folder: String, tokenizer: Tokenizer, generations: inout [JSONValue],
                         judged: inout [String: GenerationFile], seconds: inout [String: Double],
                         say: @escaping (String) -> Void) throws -> [DemoCell] {
        var bySet: [WorldSetKind: [WorldExample]] = [:]
        var rows: [(DemoRow, [WorldExample])] = []
        for row in DemoRow.all {
            if bySet[row.set] == nil { bySet[row.set] = try SafetyWorld.examples(row.set, count: o.evalCount, seed: seed &+ 1) }
            let examples = (bySet[row.set] ?? []).map { e -> WorldExample in
                guard let style = row.prefill else { return e }
                // Every example of the prefill set carries the unaligned trace its rungs are cut from.
                guard let rung = e.prefilled(style) else { preconditionFailure("\(e.id) has no unaligned trace") }
                return rung
            }
            rows.append((row, examples))
        }
        var cells: [DemoCell] = []
        let judge = WorldJudge()
        for name in models {
            let t0 = Date()
            let modelFolder = name == "base" ? o.baseModel : (folder as NSString).appendingPathComponent(name.lowercased())
            let local = try LocalModel(folder: modelFolder, model: DecoderModel(folder: modelFolder), tokenizer: tokenizer)
            let generator = DecoderGenerator(local: local, name: name, params: SamplingParameters(maxNewTokens: o.maxNewTokens),
                                             rowsPerBatch: o.generationBatch)
            let runner = GenerationRunner(generator: generator, batchSize: o.generationBatch, multiTurnMode: .recorded)
            runner.prefillWhole = true
            var produced = 0
            for (row, examples) in rows {
                let path = generationPath(folder: folder, model: name, row: row)
                // The models were trained by this run: an earlier run's file is never resumed.
                try? FileManager.default.removeItem(atPath: path)
                var tokens = 0
                let generated = try runner.run(items: examples.map { item($0, row: row) }, data: "world-\(row.id)", output: path) { p, _ in
                    tokens = p.generatedTokens
                }
                produced += tokens
                let file = try JudgeRunner.apply(judge, to: generated, part: .response)
                try file.write(to: path)
                guard let rate = Rates.compute(file, judge: judge.name, part: .response, benchmark: nil).first else {
                    throw SafetyEvalError.internalInconsistency(component: "safekey demo", detail: "\(path): the world judge's labels gave no rate")
                }
                // Each record's `world-<kind>:<rule>` detail, read once for the cell and the log line.
                let rules = file.data.map { $0.fields[ResponsePart.response.detailKey(judge: judge.name)]?.arrayValue?.first?["rule"]?.stringValue ?? "" }
                let kinds = try zip(file.data, rules).map { r, rule -> WorldVerdictKind in
                    guard let kind = WorldJudge.kind(ofRule: rule) else {
                        throw SafetyEvalError.internalInconsistency(component: "safekey demo", detail: "\(path): record \(r.fields["id"]?.stringValue ?? "?") has no world verdict")
                    }
                    return kind
                }
                cells.append(DemoCell(model: name, row: row, seed: seed, rate: rate.overall, kinds: kinds, families: examples.map(\.prompt.family)))
                judged["\(name)|\(row.id)", default: GenerationFile(metaInfo: file.metaInfo)].data += file.data
                for (i, (ex, r)) in zip(examples, file.data).enumerated() {
                    let kind = kinds[i], rule = rules[i]
                    let line: [String: JSONValue] = [
                        "model": .string(name), "seed": .number(String(seed)), "set": .string(row.id), "id": .string(ex.id),
                        "prompt": .string(ex.prompt.question), "object": .string(ex.request.object),
                        "family": ex.prompt.family.map { .string($0.rawValue) } ?? .null,
                        "prefill": ex.prefill.map(JSONValue.string) ?? .null, "response": .string(r.response.first ?? ""),
                        "verdict": .string(kind.rawValue), "rule": .string(String(rule.drop { $0 != ":" }.dropFirst()))]
                    generations.append(.object(JSONObject(line)))
                }
            }
            let s = Date().timeIntervalSince(t0)
            seconds["generate \(name)", default: 0] += s
            say(String(format: "generated with %@ (seed %llu): %d responses, %d tokens, %.0f tokens/s", name, seed,
                       rows.count * o.evalCount, produced, Double(produced) / max(s, 1e-9)))
        }
        return cells
    }

    /// Where a row's judged generation file goes: `folder`/generations/<model>/<row>.json.
    public static func generationPath(folder: String, model: String, row: DemoRow) -> String {
        ((folder as NSString).appendingPathComponent("generations/\(model.lowercased())") as NSString).appendingPathComponent("\(row.id).json")
    }

    /// An example as a SafetyEval item, with what the judge and the report need beside it: the
    /// request's `object` and the jailbreak `family`.
    static func item(_ e: WorldExample, row: DemoRow) -> BenchmarkItem {
        var item = e.benchmarkItem
        item.fields["object"] = .string(e.request.object)
        if let f = e.prompt.family { item.fields["family"] = .string(f.rawValue) }
        return item
    }

    /// SafetyEval's report of the judged files, one input per (model, row) with every seed's
    /// records (rows in table order, titled as in the table).
    static func evaluationReport(_ judged: [String: GenerationFile]) -> EvalReport {
        var inputs: [ReportInput] = []
        for row in DemoRow.all {
            for m in models {
                guard let file = judged["\(m)|\(row.id)"] else { continue }
                inputs.append(ReportInput(path: "generations/\(m.lowercased())/\(row.id).json", model: m, benchmarkName: row.title, file: file))
            }
        }
        return EvalReport.build(inputs, examplesPerCell: 2)
    }

    /// The report's example traces: per model, its responses to the first `count` prompts of
    /// `seed`'s plain harmful and held-out-family jailbreak sets (the same prompts for every model).
    static func exampleTraces(_ generations: [JSONValue], seed: UInt64, count: Int = 1) -> [DemoTrace] {
        let sets = [DemoRow(.plainHarmful).id, DemoRow(.heldOutJailbreaks).id]
        var taken: [String: Int] = [:]
        var out: [DemoTrace] = []
        for g in generations {
            guard g["seed"]?.doubleValue == Double(seed),
                  let model = g["model"]?.stringValue, let set = g["set"]?.stringValue, sets.contains(set),
                  taken["\(model) \(set)", default: 0] < count else { continue }
            taken["\(model) \(set)", default: 0] += 1
            out.append(DemoTrace(model: model, set: set, id: g["id"]?.stringValue ?? "", prompt: g["prompt"]?.stringValue ?? "",
                                 verdict: g["verdict"]?.stringValue ?? "", response: g["response"]?.stringValue ?? ""))
        }
        return out
    }

    /// One compact JSON value per line (``JSONWriter``; objects keep their sorted keys).
    static func writeJSONL(_ values: [JSONValue], to path: String) throws {
        try atomicWrite(Data(values.map { JSONWriter.compact($0) + "\n" }.joined().utf8), to: path)
    }

    static func atomicWrite(_ data: Data, to path: String) throws { try AtomicFile.write(data, to: path) }
}
