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
    @OptionGroup var destination: OutputFolderOptions
    @Option(help: "Weights dtype written.") var dtype: SaveDType = .bf16

    func validate() throws {
        try destination.refuse(inputs: [("--model", model), ("--adapter", adapter)])
    }

    func run() throws {
        let m = try DecoderModel(folder: model, adapter: adapter)
        try m.mergeAdapters()
        try m.save(to: destination.output, dtype: dtype.dtype)
        printErr("merged \(adapter) into \(model) -> \(destination.output) (\(dtype.rawValue))")
    }
}
