import ArgumentParser
import Foundation
import Models

/// `safekey merge --model BASE --adapter DIR --output DIR [--dtype bf16|f32]`: folds a PEFT LoRA
/// adapter into its base (`W += (α/r)·B·A`, PEFT `merge_and_unload`) and writes a Hugging Face
/// model folder (config.json, weights, the base's tokenizer files).
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge a LoRA adapter into its base model and save a Hugging Face folder.",
        discussion: "Example: safekey merge --model /models/R1-Qwen-1.5B --adapter runs/lora --output runs/merged --dtype bf16")

    @Option(help: "Base model: a Hugging Face folder or a .gguf file (its tokenizer is written as tokenizer.json).") var model: String
    @Option(help: "PEFT adapter folder (adapter_config.json + adapter_model.safetensors).") var adapter: String
    @Option(help: "Output folder.") var output: String
    @Option(help: "Weights dtype written: bf16 or f32.") var dtype: MergeDType = .bf16
    @Flag(help: "Replace an existing, non-empty --output folder.") var overwrite = false

    enum MergeDType: String, ExpressibleByArgument, CaseIterable {
        case bf16, f32
        var dtype: DType { self == .bf16 ? .bf16 : .f32 }
    }

    func validate() throws {
        try OutputGuard.refuseOverwritingInputs(output: ("--output", output), inputs: [("--model", model), ("--adapter", adapter)], folder: true)
        try OutputGuard.refuseExisting("--output", output, overwrite: overwrite)
    }

    func run() throws {
        do {
            let m = try DecoderModel(folder: model, adapter: adapter)
            try m.mergeAdapters()
            try m.save(to: output, dtype: dtype.dtype)
            FileHandle.standardError.write(Data("merged \(adapter) into \(model) -> \(output) (\(dtype.rawValue))\n".utf8))
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
