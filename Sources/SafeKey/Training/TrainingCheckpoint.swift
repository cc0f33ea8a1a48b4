import Foundation
import Models
import Support
import Tensor

/// Resumable training state in `OUTPUT/checkpoint/` (issue 5, item 7):
/// `model.safetensors` (f32 parameters under their Hugging Face names), `safety_head.safetensors`,
/// `optimizer.safetensors` (`<name>.exp_avg`, `<name>.exp_avg_sq`), `trainer_state.json`
/// (step, epoch, schedule, seed and data-order rule, options digest).
///
/// Atomicity: the state is written into `checkpoint.tmp/`, then `checkpoint/` is renamed to
/// `checkpoint.old/`, `checkpoint.tmp/` to `checkpoint/`, and the old one removed. A crash at any
/// point leaves a complete `checkpoint/` or `checkpoint.old/`, and `load` takes whichever exists.
public enum TrainingCheckpoint {
    public static func save(_ trainer: Trainer, output: String) throws {
        try trainer.checkParametersFinite()
        let fm = FileManager.default
        let dir = (output as NSString).appendingPathComponent("checkpoint")
        let tmp = dir + ".tmp", old = dir + ".old"
        try? fm.removeItem(atPath: tmp)
        try fm.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        let params = trainer.model.parameters
        try SafeTensorsWriter.write(params.map { entry($0) }, to: (tmp as NSString).appendingPathComponent("model.safetensors"))
        try trainer.head.save(to: (tmp as NSString).appendingPathComponent("safety_head.safetensors"))
        var moments: [SafeTensorsEntry] = []
        var steps: [String: Int] = [:]
        for p in params + trainer.head.parameters {
            guard let (m, v, t) = trainer.optimizer.moments(of: p) else { continue }
            moments.append(SafeTensorsEntry(name: (p.name ?? "") + ".exp_avg", shape: p.shape, values: m))
            moments.append(SafeTensorsEntry(name: (p.name ?? "") + ".exp_avg_sq", shape: p.shape, values: v))
            steps[p.name ?? ""] = t
        }
        try SafeTensorsWriter.write(moments, to: (tmp as NSString).appendingPathComponent("optimizer.safetensors"))
        var saved = state(trainer)
        saved["parameter_steps"] = .object(JSONObject(steps.mapValues { .int($0) }))
        try writeJSON(saved, to: (tmp as NSString).appendingPathComponent("trainer_state.json"))
        if fm.fileExists(atPath: dir) {
            try? fm.removeItem(atPath: old)
            try fm.moveItem(atPath: dir, toPath: old)
        }
        try fm.moveItem(atPath: tmp, toPath: dir)
        try? fm.removeItem(atPath: old)
    }

    /// The `trainer_state.json` object.
    public static func state(_ t: Trainer) -> JSONObject {
        var s: JSONObject = [
            "global_step": .int(t.globalStep),
            "epoch": .int(t.globalStep / t.stepsPerEpoch),
            "step_in_epoch": .int(t.globalStep % t.stepsPerEpoch),
            "steps_per_epoch": .int(t.stepsPerEpoch),
            "total_steps": .int(t.totalSteps),
            "warmup_steps": .int(t.schedule.warmupSteps),
            "base_learning_rate": .double(t.schedule.baseLearningRate),
            "seed": .int(Int(t.options.seed)),
            "shuffle": .bool(t.options.shuffle),
            "data_order": "epoch e: Fisher–Yates with SplitMix64 seeded by seed + e",
            "examples": .int(t.examples.count),
            "world_size": .int(t.collective.size),
            "micro_batches_per_step": .int(t.microBatchesPerStep),
            "optimizer_step_count": .int(t.optimizer.stepCount),
        ]
        if let lora = t.model.loraConfig {
            s["lora"] = ["r": .int(lora.rank), "lora_alpha": .double(Double(lora.alpha)), "lora_dropout": .double(Double(lora.dropout)),
                         "target_modules": .array(lora.targets.map { .string($0) })]
        }
        return s
    }

    /// Loads `OUTPUT/checkpoint/` (or `.old`) into the trainer; returns false when there is none.
    @discardableResult
    public static func load(into trainer: Trainer, output: String) throws -> Bool {
        let fm = FileManager.default
        var dir = (output as NSString).appendingPathComponent("checkpoint")
        if !fm.fileExists(atPath: (dir as NSString).appendingPathComponent("trainer_state.json")) {
            dir += ".old"
            guard fm.fileExists(atPath: (dir as NSString).appendingPathComponent("trainer_state.json")) else { return false }
        }
        let statePath = (dir as NSString).appendingPathComponent("trainer_state.json")
        let state: JSONValue
        do { state = try JSONParser.parse(file: statePath) } catch {
            throw TrainingError.checkpoint(path: statePath, detail: "unreadable trainer state (\(error)); delete the checkpoint folder to start over")
        }
        guard let step = state["global_step"]?.intValue, let examples = state["examples"]?.intValue,
              let optSteps = state["optimizer_step_count"]?.intValue else {
            throw TrainingError.checkpoint(path: statePath, detail: "trainer state lacks an integer global_step, examples or optimizer_step_count; delete the checkpoint folder to start over")
        }
        let ranks = state["world_size"]?.intValue ?? 1
        guard ranks == trainer.collective.size else {
            let how = ranks == 1 ? "resume it without mpirun (one process)" : "resume it with `mpirun -np \(ranks) safekey train … --resume`"
            throw TrainingError.checkpoint(path: statePath, detail: "was written by a run of \(ranks) process\(ranks == 1 ? "" : "es") (data-parallel ranks) "
                + "and this run has \(trainer.collective.size); the data order and steps per epoch depend on the rank count, so \(how), "
                + "or start a new run without --resume")
        }
        let savedRank = state["lora"]?["r"]?.intValue
        guard savedRank == trainer.model.loraConfig?.rank else {
            throw TrainingError.checkpoint(path: statePath, detail: savedRank.map { "was made with LoRA rank \($0); resume with --lora-rank \($0)" }
                ?? "was made by full fine-tuning; resume without --lora-rank/--adapter")
        }
        guard examples == trainer.examples.count, state["steps_per_epoch"]?.intValue == trainer.stepsPerEpoch,
              state["seed"]?.intValue == Int(trainer.options.seed) else {
            let written = { (key: String) in state[key].map { JSONWriter.compact($0) } ?? "?" }
            throw TrainingError.checkpoint(path: statePath, detail: "was made with other data or options (examples \(examples), steps/epoch \(written("steps_per_epoch")), seed \(written("seed"))); resume with the same --data, --batch-size, --grad-accum and --seed")
        }
        let weights = try SafeTensorsFile(path: (dir as NSString).appendingPathComponent("model.safetensors"))
        for p in trainer.model.parameters { try fill(p, from: weights, name: p.name ?? "") }
        let head = try SafeTensorsFile(path: (dir as NSString).appendingPathComponent("safety_head.safetensors"))
        for p in trainer.head.parameters { try fill(p, from: head, name: p.name ?? "") }
        let opt = try SafeTensorsFile(path: (dir as NSString).appendingPathComponent("optimizer.safetensors"))
        let paramSteps = (state["parameter_steps"]?.objectValue?.dictionary ?? [:]).compactMapValues(\.intValue)
        var moments: [(Tensor, m: [Float], v: [Float], step: Int)] = []
        for p in trainer.model.parameters + trainer.head.parameters {
            let name = p.name ?? ""
            guard opt.tensors[name + ".exp_avg"] != nil else { continue }
            guard let t = paramSteps[name] else {
                throw TrainingError.checkpoint(path: statePath, detail: "no step count for \(name); the checkpoint is incomplete")
            }
            moments.append((p, try opt.floats(name + ".exp_avg"), try opt.floats(name + ".exp_avg_sq"), t))
        }
        try trainer.optimizer.restore(stepCount: optSteps, moments: moments)
        trainer.restore(step: step)
        return true
    }

    private static func entry(_ p: Tensor) -> SafeTensorsEntry {
        SafeTensorsEntry(name: p.name ?? "", shape: p.shape, pointer: UnsafePointer(p.data), owner: p)
    }

    private static func fill(_ p: Tensor, from file: SafeTensorsFile, name: String) throws {
        let info = try file.info(name)
        guard info.shape == p.shape else {
            throw TrainingError.checkpoint(path: file.path, detail: "\(name) has shape \(info.shape), the model needs \(p.shape)")
        }
        try file.read(name, into: UnsafeMutableBufferPointer(start: p.data, count: p.count))
    }

    /// Writes a JSON object atomically: two-space indent, keys sorted (``JSONObject/foundationKeyOrder(_:_:)``).
    public static func writeJSON(_ object: JSONObject, to path: String) throws {
        let data = Data(JSONWriter.pretty(JSONValue.object(object).sortingKeys()).utf8)
        try SafeTensorsWriter.atomicWrite(path: path) { sink in try data.withUnsafeBytes { try sink.write($0) } }
    }
}
