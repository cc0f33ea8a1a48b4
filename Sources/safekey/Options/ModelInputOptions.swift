import ArgumentParser
import Models

/// `--model` and `--adapter`: which model a command runs — a Hugging Face folder or a GGUF file,
/// with a PEFT LoRA adapter on top. Part of ``ModelInputOptions`` and of `ServedModelOptions`.
struct ModelLocation: ParsableArguments {
    @Option(help: "Model: a Hugging Face folder (config.json, *.safetensors, tokenizer.json with a chat template) or a .gguf file.") var model: String
    @Option(help: "PEFT LoRA adapter folder applied on top of --model (e.g. the output of train --lora-rank).") var adapter: String?

    /// `--model` and `--adapter` as (flag, path) pairs, for ``OutputGuard`` (an output must not replace them).
    var inputPaths: [(flag: String, path: String)] {
        [("--model", model)] + (adapter.map { [("--adapter", $0)] } ?? [])
    }
}

/// `--model`, `--adapter`, `--allow-nonfinite`: the model a command loads (`forward`, `loss`,
/// `train`, `analyze …`, `world generate`). Declared once, so a flag added here reaches every such
/// command (and the help snapshots show where).
///
///     @OptionGroup var modelInput: ModelInputOptions
///     let model = try modelInput.load()          // the adapter applied, non-finite weights refused
struct ModelInputOptions: ParsableArguments {
    @OptionGroup var location: ModelLocation
    @Flag(help: "Load weights that hold NaN or infinity (refused by default).") var allowNonfinite = false

    var model: String { location.model }
    var adapter: String? { location.adapter }
    var inputPaths: [(flag: String, path: String)] { location.inputPaths }

    /// The model with `--adapter` applied, its weights held as `weights`.
    func load(weights: WeightStorage = .f32) throws -> DecoderModel {
        try DecoderModel(folder: model, weightStorage: weights, adapter: adapter, allowNonFinite: allowNonfinite)
    }
}
