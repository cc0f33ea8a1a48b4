import ArgumentParser
import Collectives
import Foundation
import Support
import Models
import SafeKey
import Tensor

/// `safekey train --model DIR --data FILE --output DIR [...]` (issue 5, item 6): SFT, then SFT + QMM +
/// DPSH in the last k epochs; defaults are the reference implementation's.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Fine-tune a model with SafeKey (SFT + Query-Mask Modeling + Dual-Path Safety Head).",
        discussion: """
        OUTPUT becomes a Hugging Face model folder (config.json, weights, tokenizer files) plus \
        safety_head.safetensors and trainer_state.json; OUTPUT/checkpoint/ holds the resumable state \
        (f32 weights, AdamW moments), written atomically. An existing, non-empty OUTPUT is refused unless \
        --overwrite is given or it is the --resume folder. Example:
          safekey train --model Assets/world-base --data train.jsonl --output /tmp/safekey-run --epochs 3 --lr 1e-3
        With --lora-rank R (or --adapter DIR, which continues that adapter with its rank, alpha and targets) \
        the base is frozen (BF16 by default, --base-weights) and only LoRA adapters and the safety heads \
        train; OUTPUT is then a PEFT adapter folder (adapter_config.json, adapter_model.safetensors) plus \
        safety_head.safetensors and trainer_state.json.
        Data parallel (Open MPI): `mpirun -np N safekey train …` (add --hostfile across machines) splits each \
        optimizer step over N ranks: global batch = batch-size × grad-accum × N, the same data order, \
        schedule and results as one process with grad-accum × N. Rank 0 alone writes OUTPUT and --log; \
        every rank must read the same --model, --data and --resume (a shared file system, or copies).
        """)

    @OptionGroup var modelInput: ModelInputOptions
    @OptionGroup var records: RecordInputOptions
    @OptionGroup var destination: OutputFolderOptions
    @OptionGroup var trainer: TrainerFlags
    @Flag(help: "Also save the Hugging Face folder into --output at every epoch end.") var saveEveryEpoch = false
    @Option(help: "Weights dtype of the saved model.") var saveDtype: SaveDType = .bf16
    @Option(help: "JSONL log file, one line per optimizer step.") var log: String?
    @Option(help: "Resume from this earlier output folder (its checkpoint/).") var resume: String?
    @Option(help: "Initial safety head weights (safetensors).") var safetyHead: String?
    @Option(help: "Train LoRA adapters of this rank on a frozen base instead of every weight.") var loraRank: Int?
    @Option(help: "LoRA alpha (scale alpha/rank); default 2 × rank.") var loraAlpha: Float?
    @Option(help: "Dropout on the LoRA path's input.") var loraDropout: Float = 0
    @Option(help: "Comma-separated Hugging Face module names that get adapters.")
    var loraTargets = CommaList(LoRAConfig.allProjections)
    @Option(help: "Frozen base weights in memory with LoRA: bf16 (half the memory) or f32.") var baseWeights: WeightStorage = .bf16
    @Option(help: BaseMatmul.help) var baseMatmul: BaseMatmul?
    @Option(help: "Under mpirun: gradient bucket size of the all-reduce in MB (PyTorch DDP's bucket_cap_mb).") var bucketMb = 25

    var output: String { destination.output }

    func validate() throws {
        guard bucketMb > 0 else { throw ValidationError("--bucket-mb \(bucketMb) is outside its valid range 1…") }
        let inputs = [("--model", modelInput.model), ("--data", records.data)] + (safetyHead.map { [("--safety-head", $0)] } ?? [])
        try destination.refuseOverwritingInputs(inputs)
        if let log { try OutputGuard.refuseOverwritingInputs(output: ("--log", log), inputs: [("--model", modelInput.model), ("--data", records.data)]) }
        let resuming = resume.map { OutputGuard.resolved($0) == OutputGuard.resolved(output) } ?? false
        // Under mpirun only rank 0 writes OUTPUT, so only rank 0 judges it (another rank could
        // otherwise see the folder rank 0 has just created).
        if Launch.announcedRank == 0 {
            try OutputGuard.refuseExisting("--output", output, overwrite: destination.overwrite, unless: resuming)
        }
    }

    func run() throws {
        var collective: Collective?
        do {
            let c = try Launch.collective()
            collective = c
            try trainWith(try trainer.trainerOptions(), collective: c)
            c.finish()
        } catch {
            guard let c = collective, c.size > 1 else {
                let n = Launch.mpiWorldSize ?? 1
                if n > 1 { throw RankError(rank: Launch.announcedRank, size: n, underlying: error) }
                throw error
            }
            // One rank failed: end the whole job now rather than leave the others waiting in a
            // collective (MPI_Abort; mpirun then reports the job aborted).
            printErr("error: \(RankError(rank: c.rank, size: c.size, underlying: error)); stopping every rank (the last checkpoint is intact)")
            c.abort(code: 1)
        }
    }

    private func trainWith(_ options: TrainerOptions, collective: Collective) throws {
        let writer = collective.rank == 0
        let model = modelInput.model
        let loaded = try records.load(tokenizerOf: model, report: writer)
        let lora = loraRank != nil || modelInput.adapter != nil
        if let arithmetic = try BaseMatmul.apply(baseMatmul, lora: lora, storage: baseWeights), writer {
            printErr("bf16 base: \(arithmetic == .bf16 ? "bf16 products (AVX512-BF16 kernel)" : "f32 products over the bf16 weights") (--base-matmul)")
        }
        let decoder = try DecoderModel(folder: model, weightStorage: lora ? baseWeights : .f32, allowNonFinite: modelInput.allowNonfinite)
        if let adapter = modelInput.adapter {
            try decoder.loadAdapter(folder: adapter)
            if let r = loraRank, r != decoder.loraConfig?.rank {
                throw TrainingError.invalidOption("--lora-rank \(r) differs from the rank \(decoder.loraConfig?.rank ?? 0) of --adapter \(adapter); drop --lora-rank")
            }
        } else if let loraRank {
            let targets = loraTargets.values
            do { try decoder.attachLoRA(LoRAConfig(rank: loraRank, alpha: loraAlpha, dropout: loraDropout, targets: targets), seed: options.seed) }
            catch { throw TrainingError.invalidOption("--lora-*: \(error)") }
        }
        let head = try safetyHead.map { try SafetyHead(file: $0, hiddenSize: decoder.config.hiddenSize) }
            ?? SafetyHead(hiddenSize: decoder.config.hiddenSize, seed: options.seed)
        let trainer = try Trainer(model: decoder, head: head, examples: loaded.examples,
                                  padId: loaded.tokenizer.eosTokenId ?? 0, options: options, collective: collective)
        trainer.bucketBytes = bucketMb * 1_000_000
        if writer { try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true) }
        if let resume {
            guard try TrainingCheckpoint.load(into: trainer, output: resume) else {
                throw TrainingError.checkpoint(path: resume, detail: "no checkpoint/ folder to resume from")
            }
            guard trainer.globalStep <= trainer.totalSteps else {
                throw TrainingError.checkpoint(path: resume, detail: "it is at optimizer step \(trainer.globalStep), beyond this run's \(trainer.totalSteps) steps; "
                    + "resume with the options of the run that wrote it (--epochs, --batch-size, --grad-accum, the same data)")
            }
            if writer { printErr("resumed at optimizer step \(trainer.globalStep) of \(trainer.totalSteps)") }
        }
        try trainer.checkRanksAgree()
        if collective.size > 1 && writer {
            printErr("data parallel: \(collective.description); global batch \(options.batchSize) × \(options.gradAccum) × \(collective.size) = "
                + "\(options.batchSize * trainer.microBatchesPerStep) examples per optimizer step")
        }
        let logWriter = try writer ? log.map { try StepLogWriter(path: $0, keepThrough: trainer.globalStep) } : nil
        let progress = Progress(total: trainer.totalSteps)
        var logFailure: Error?
        trainer.onStep = { step in
            guard writer else { return true }
            do { try logWriter?.append(step) } catch { logFailure = error; return false }
            progress.update(step)
            return true
        }
        let dtype = saveDtype.dtype, saveEveryEpoch = self.saveEveryEpoch
        let out = output, base = model
        try trainer.run { t in
            guard writer else { return }
            try TrainingCheckpoint.save(t, output: out)
            if saveEveryEpoch && t.globalStep % t.stepsPerEpoch == 0 { try Self.saveModel(t, to: out, dtype: dtype, baseModel: base) }
        }
        if writer { progress.finish() }
        if let logFailure { throw logFailure }
        if writer {
            try Self.saveModel(trainer, to: output, dtype: dtype, baseModel: model)
            printErr("saved \(output) (\(lora ? "LoRA adapter" : saveDtype.rawValue)) after \(trainer.globalStep) optimizer steps")
            if let s = trainer.reducer?.stats, s.steps > 0 {
                printErr(String(format: "all-reduce: %d buckets of gradients per step (%.1f MB), %d started during backward and %d after it; "
                    + "%.3f s per step waited for communication after backward", trainer.reducer?.bucketCount ?? 0,
                    Double(s.bytesPerStep) / 1e6, s.startedDuringBackward, s.startedAfterBackward, s.exposedSeconds / Double(s.steps)))
            }
        }
        // Every rank waits for rank 0's files, so the job ends only once OUTPUT is complete.
        try collective.barrier()
    }

    /// The Hugging Face folder (model, tokenizer files) or, with LoRA, the PEFT adapter folder;
    /// then the safety head and trainer state. Nothing non-finite is saved.
    static func saveModel(_ t: Trainer, to folder: String, dtype: DType, baseModel: String) throws {
        try t.checkParametersFinite()
        if t.model.loraConfig != nil { try t.model.saveAdapter(to: folder, baseModel: baseModel) }
        else { try t.model.save(to: folder, dtype: dtype) }
        try t.head.save(to: (folder as NSString).appendingPathComponent("safety_head.safetensors"))
        try TrainingCheckpoint.writeJSON(TrainingCheckpoint.state(t), to: (folder as NSString).appendingPathComponent("trainer_state.json"))
    }
}

/// Appends one JSON line per optimizer step; on resume keeps only the lines up to the resumed step.
final class StepLogWriter {
    private let handle: FileHandle
    private let path: String
    init(path: String, keepThrough step: Int) throws {
        self.path = path
        var kept = ""
        if step > 0, let text = try? String(contentsOfFile: path, encoding: .utf8) {
            for line in text.split(separator: "\n") {
                if let s = (try? JSONParser.parse(String(line), path: path))?["step"]?.intValue, s <= step { kept += line + "\n" }
            }
        }
        // Rewritten in place (truncate, then write), not by rename: a rename would replace a
        // special file such as /dev/stderr given as --log.
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }  // a failure shows below
        guard let h = FileHandle(forWritingAtPath: path) else { throw TrainingError.io(path: path, detail: "cannot open the log for writing") }
        do {
            try? h.truncate(atOffset: 0)
            try h.write(contentsOf: Data(kept.utf8))
            _ = try h.seekToEnd()
        } catch {
            throw TrainingError.io(path: path, detail: "cannot write the log (\(Console.reason(error)))")
        }
        handle = h
    }
    /// Appends one line; a failed write (full disk) throws naming the log file.
    func append(_ step: StepLog) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        guard let d = try? enc.encode(step) else { return }
        do { try handle.write(contentsOf: d + Data("\n".utf8)) } catch {
            throw TrainingError.io(path: path, detail: "cannot append to the training log (\(Console.reason(error))); training stopped at step \(step.step), "
                + "the last checkpoint is intact: free space and rerun with --resume")
        }
    }
}

/// A progress line on stderr: a redrawn bar on a terminal, plain lines otherwise.
final class Progress {
    let total: Int
    let tty = isatty(2) == 1
    let start = Date()
    init(total: Int) { self.total = total }
    func update(_ s: StepLog) {
        let elapsed = Date().timeIntervalSince(start)
        let line = String(format: "step %d/%d epoch %d loss %.4f sft %.4f%@%@ lr %.2e %.0f tok/s", s.step, total, s.epoch, s.loss,
                          s.sft_loss, s.qmm_loss.map { String(format: " qmm %.4f", $0) } ?? "",
                          s.head_loss.map { String(format: " head %.4f", $0) } ?? "", s.lr, s.tokens_per_s)
        if tty {
            let width = 24, done = total > 0 ? width * s.step / total : width
            let bar = String(repeating: "█", count: done) + String(repeating: "·", count: width - done)
            Console.err("\r\(bar) \(line) \(Int(elapsed))s ")
        } else {
            printErr(line)
        }
    }
    func finish() { if tty { printErr("") } }
}
