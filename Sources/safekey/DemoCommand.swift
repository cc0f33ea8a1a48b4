import ArgumentParser
import Foundation
import SafetyWorld

/// `safekey demo [--output DIR] [--quick] [--seeds N]`: the paper's experiment in the synthetic
/// world, end to end on a CPU (issue 6; seeds and statistics: issue 16). See README "The demo".
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Train SFT and SafeKey from the embedded base model and compare their harmfulness.",
        discussion: """
        Builds a STAR-1-like safety set in the synthetic world, trains an SFT baseline and SafeKey (SFT + QMM +
        DPSH in the last epochs) from the same base with the same data, seed and steps, generates with base, SFT
        and SafeKey on held-out sets (plain harmful, seen-family jailbreaks, held-out-family jailbreaks, the
        prefill ladder: U / U + K / whole thinking / thinking + answer head, benign look-alikes), judges each
        response against its request, and prints the table: per set, the mean over seeds with the seed spread
        and a pooled 95% Wilson interval, a paired exact McNemar test of SafeKey vs SFT, and benign
        over-refusal beside harm. Each seed S (S = --seed, --seed + 1, …) draws the safety set, the training
        order, the heads' initialisation and the evaluation sets. DIR receives the first seed's models (sft/,
        safekey/; later seeds under seed-S/), generations.jsonl, results.json, report.md and report.html.
        Example: safekey demo --output /tmp/safekey-demo --quick
        """)

    @Option(help: "Output folder.") var output = "demo-output"
    @Option(help: "The base model folder.") var baseModel = "Assets/world-base"
    @Flag(help: "Small sizes for a quick check (CI).") var quick = false
    @Option(help: "First seed; seeds run are seed, seed + 1, ….") var seed: UInt64 = 2002
    @Option(help: "How many seeds to train and evaluate (default 3; --quick 1).") var seeds: Int?
    @Option(help: "Training records (default 480; --quick 96).") var trainCount: Int?
    @Option(help: "Prompts per evaluation set (default 40; --quick 8).") var evalCount: Int?
    @Option(help: "Epochs (default 3; --quick 2).") var epochs: Int?

    func validate() throws {
        if let seeds { try OptionRange.atLeast("--seeds", seeds, 1) }
    }

    func run() throws {
        var o = DemoOptions(baseModel: baseModel, output: output)
        o.seed = seed
        if quick { o.makeQuick() }
        if let seeds { o.seeds = seeds }
        if let trainCount { o.trainCount = trainCount }
        if let evalCount { o.evalCount = evalCount }
        if let epochs { o.epochs = epochs; o.lastKEpochs = min(o.lastKEpochs, epochs) }
        let start = Date()
        let result = try DemoPipeline.run(o) { line in
            printErr(String(format: "[%5.1fs] ", Date().timeIntervalSince(start)) + line)
        }
        print("")
        print(DemoReport.table(result))
        print("")
        print(String(format: "demo finished in %.1f s; report: %@/report.md, %@/report.html", Date().timeIntervalSince(start), output, output))
    }
}

/// `safekey world pretrain`: pre-trains the tiny unaligned base reasoner (Assets/world-base).
struct WorldPretrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain",
        abstract: "Pre-train the world's tiny base reasoning model from scratch (unaligned: it complies with everything).",
        discussion: "Example (how Assets/world-base was made): safekey world pretrain --tokenizer Assets/world-base --output Assets/world-base")

    @Option(help: "Folder with the world tokenizer.json and tokenizer_config.json.") var tokenizer = "Assets/world-base"
    @Option(help: "Output model folder.") var output = "Assets/world-base"
    @Option var count = 6000
    @Option var epochs = 3
    @Option var lr = 3e-3
    @Option var batchSize = 8
    @Option(help: "Seed of the pre-training data and initialisation.") var seed: UInt64 = 2002
    @Flag(help: "Replace a model already in --output (default: refuse).") var overwrite = false

    func validate() throws {
        try OptionRange.atLeast("--count", count, 1)
        try OptionRange.atLeast("--epochs", epochs, 1)
        try OptionRange.atLeast("--batch-size", batchSize, 1)
        try OptionRange.within("--lr", lr, 1e-12...1)
        let weights = (output as NSString).appendingPathComponent("model.safetensors")
        if !overwrite && FileManager.default.fileExists(atPath: weights) {
            throw ValidationError("--output \(output) already holds a model (\(weights)); pass --overwrite to replace it, or choose another --output")
        }
    }

    func run() throws {
        var p = WorldPretraining(tokenizerFolder: tokenizer, output: output)
        p.count = count
        p.epochs = epochs
        p.learningRate = lr
        p.batchSize = batchSize
        p.seed = seed
        let start = Date()
        let logs = try p.run { s, total in
            if s.step == 1 || s.step % 20 == 0 || s.step == total {
                printErr(String(format: "[%6.1fs] step %d/%d epoch %d loss %.4f acc %.3f lr %.2e %.0f tok/s",
                                Date().timeIntervalSince(start), s.step, total, s.epoch, s.loss, s.token_acc, s.lr, s.tokens_per_s))
            }
        }
        printErr(String(format: "pre-trained in %.1f s; final loss %.4f; saved %@", Date().timeIntervalSince(start), logs.last?.loss ?? .nan, output))
    }
}
