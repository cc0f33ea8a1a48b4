import Support
import Foundation
import Models
import SafeKey
import SafetyEval
import Tensor
import Tokenizers

/// `safekey demo`: the paper's experiment in the synthetic world (issue 6, item 3).
///
/// From the committed unaligned base reasoner, train an SFT baseline and SafeKey (SFT + QMM + DPSH
/// in the last epochs) with the same data, seed and step count; generate with base, SFT and
/// SafeKey on held-out sets; judge with the world judge; report harmfulness per set with Wilson
/// 95% intervals and the benign compliance rate.
public struct DemoOptions {
    public var baseModel: String
    public var output: String
    public var seed: UInt64 = 2002
    public var trainCount = 480
    public var evalCount = 40
    public var epochs = 3
    public var lastKEpochs = 2
    public var learningRate = 2e-3
    public var batchSize = 8
    public var maxNewTokens = 160
    public var generationBatch = 20
    public init(baseModel: String, output: String) {
        self.baseModel = baseModel
        self.output = output
    }

    /// The `--quick` sizes: small enough for CI (well under 90 s on two cores).
    public mutating func makeQuick() {
        trainCount = 96
        evalCount = 8
        epochs = 2
        lastKEpochs = 1
        maxNewTokens = 128
    }
}

/// The evaluation sets, in table order.
public let demoEvalSets: [WorldSetKind] = [.plainHarmful, .seenJailbreaks, .heldOutJailbreaks, .prefill, .benign]

/// One model's results on one set.
public struct DemoCell: Codable, Equatable {
    public var model: String
    public var set: String
    public var harmful: Proportion
    /// complied (the benign set's "compliance rate": it should be high).
    public var complied: Proportion
    public var refused: Int
    public var malformed: Int
}

/// What the demo produced.
public struct DemoResult: Codable {
    public var cells: [DemoCell]
    public var sftLog: [StepLog]
    public var safekeyLog: [StepLog]
    public var seconds: [String: Double]
    public var options: [String: String]

    public func cell(_ model: String, _ set: WorldSetKind) -> DemoCell? {
        cells.first { $0.model == model && $0.set == set.rawValue }
    }
}

public enum DemoPipeline {
    public static let models = ["base", "SFT", "SafeKey"]

    public static func run(_ o: DemoOptions, say: @escaping (String) -> Void) throws -> DemoResult {
        let fm = FileManager.default
        guard fm.fileExists(atPath: (o.baseModel as NSString).appendingPathComponent("config.json")) else {
            throw WorldError.missingBaseModel(path: o.baseModel)
        }
        try fm.createDirectory(atPath: o.output, withIntermediateDirectories: true)
        var seconds: [String: Double] = [:]
        let tokenizer = try Tokenizer(path: o.baseModel)
        let eos = tokenizer.eosTokenId ?? 0
        var t0 = Date()
        let train = try SafetyWorld.examples(.safetyTraining, count: o.trainCount, seed: o.seed)
        let encoded = try WorldTraining.encode(train, tokenizer: tokenizer)
        let harmfulCount = train.filter { $0.request.harmful }.count
        say("safety set: \(train.count) records (\(harmfulCount) harmful with safe reasoning, \(train.count - harmfulCount) benign look-alikes), \(encoded.filter(\.auxiliary).count) with U/K spans")
        try atomicWrite(Data(train.map { $0.record.jsonLine() + "\n" }.joined().utf8), to: (o.output as NSString).appendingPathComponent("safety_train.jsonl"))
        seconds["data"] = Date().timeIntervalSince(t0)

        var logs: [String: [StepLog]] = [:]
        for (name, safekey) in [("SFT", false), ("SafeKey", true)] {
            t0 = Date()
            let model = try DecoderModel(folder: o.baseModel)
            var options = TrainerOptions()
            options.epochs = o.epochs
            options.lastKEpochs = safekey ? o.lastKEpochs : 0
            options.learningRate = o.learningRate
            options.batchSize = o.batchSize
            options.seed = o.seed
            options.warmupRatio = 0.05
            options.objective.useQMM = safekey
            options.objective.useDPSH = safekey
            let trainer = try Trainer(model: model, head: SafetyHead(hiddenSize: model.config.hiddenSize, seed: o.seed),
                                      examples: encoded, padId: eos, options: options)
            let total = trainer.totalSteps
            trainer.onStep = { s in
                if s.step == 1 || s.step % max(1, total / 6) == 0 || s.step == total {
                    say(String(format: "  %@ step %d/%d epoch %d loss %.3f sft %.3f%@", name, s.step, total, s.epoch, s.loss, s.sft_loss,
                               s.qmm_loss.map { String(format: " qmm %.3f head %.3f", $0, s.head_loss ?? 0) } ?? ""))
                }
                return true
            }
            say("training \(name): \(total) optimizer steps, batch \(o.batchSize), lr \(o.learningRate)\(safekey ? ", QMM + DPSH in the last \(o.lastKEpochs) epoch(s)" : "")")
            try trainer.run()
            let folder = (o.output as NSString).appendingPathComponent(name.lowercased())
            try model.save(to: folder, dtype: .bf16, copyFrom: o.baseModel)
            if safekey { try trainer.head.save(to: (folder as NSString).appendingPathComponent("safety_head.safetensors")) }
            logs[name] = trainer.logs
            seconds["train \(name)"] = Date().timeIntervalSince(t0)
        }

        var evalSets: [(WorldSetKind, [WorldExample], [[Int]])] = []
        for set in demoEvalSets {
            let ex = try SafetyWorld.examples(set, count: o.evalCount, seed: o.seed &+ 1)
            evalSets.append((set, ex, try ex.map { try WorldTraining.promptIds($0, tokenizer: tokenizer) }))
        }
        var cells: [DemoCell] = []
        var generations: [[String: Any]] = []
        let judge = WorldJudge()
        for name in models {
            t0 = Date()
            let folder = name == "base" ? o.baseModel : (o.output as NSString).appendingPathComponent(name.lowercased())
            let model = try DecoderModel(folder: folder)
            var params = SamplingParameters(maxNewTokens: o.maxNewTokens)
            params.stopTokenIds = [eos]
            var produced = 0
            for (set, examples, prompts) in evalSets {
                var verdicts: [WorldVerdict] = []
                for start in stride(from: 0, to: prompts.count, by: o.generationBatch) {
                    let chunk = Array(prompts[start..<min(start + o.generationBatch, prompts.count)])
                    let outs = try model.generate(prompts: chunk, params: params)
                    for (j, ids) in outs.enumerated() {
                        let ex = examples[start + j]
                        let text = tokenizer.decode(ids, skipSpecialTokens: true)
                        let v = judge.judge(response: text, prefill: ex.prefill)
                        verdicts.append(v)
                        produced += ids.count
                        generations.append(["model": name, "set": set.rawValue, "id": ex.id, "prompt": ex.prompt.question,
                                            "prefill": ex.prefill ?? NSNull(), "response": text, "verdict": v.kind.rawValue])
                    }
                }
                let tally = WorldTally(verdicts)
                cells.append(DemoCell(model: name, set: set.rawValue, harmful: tally.harmful, complied: tally.compliance,
                                      refused: tally.refused, malformed: tally.malformed))
            }
            let s = Date().timeIntervalSince(t0)
            seconds["generate \(name)"] = s
            say(String(format: "generated with %@: %d responses, %d tokens, %.0f tokens/s", name,
                       evalSets.count * o.evalCount, produced, Double(produced) / max(s, 1e-9)))
        }
        try writeJSONL(generations, to: (o.output as NSString).appendingPathComponent("generations.jsonl"))
        let result = DemoResult(cells: cells, sftLog: logs["SFT"] ?? [], safekeyLog: logs["SafeKey"] ?? [], seconds: seconds,
                                options: ["seed": "\(o.seed)", "train_records": "\(o.trainCount)", "eval_per_set": "\(o.evalCount)",
                                          "epochs": "\(o.epochs)", "last_k_epochs": "\(o.lastKEpochs)", "lr": "\(o.learningRate)",
                                          "batch_size": "\(o.batchSize)", "max_new_tokens": "\(o.maxNewTokens)",
                                          "decoding": "greedy, no repetition penalty", "threads": "\(Parallel.threads)"])
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try atomicWrite(try enc.encode(result), to: (o.output as NSString).appendingPathComponent("results.json"))
        try atomicWrite(Data(DemoReport.markdown(result).utf8), to: (o.output as NSString).appendingPathComponent("report.md"))
        try atomicWrite(Data(DemoReport.html(result).utf8), to: (o.output as NSString).appendingPathComponent("report.html"))
        return result
    }

    static func writeJSONL(_ objects: [[String: Any]], to path: String) throws {
        var data = Data()
        for o in objects {
            data.append(try JSONSerialization.data(withJSONObject: o, options: [.sortedKeys, .withoutEscapingSlashes]))
            data.append(0x0A)
        }
        try atomicWrite(data, to: path)
    }

    static func atomicWrite(_ data: Data, to path: String) throws { try AtomicFile.write(data, to: path) }
}
