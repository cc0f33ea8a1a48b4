import ArgumentParser
import Foundation
import Models
import Tokenizers

/// `safekey export --model DIR|FILE.gguf --format gguf --type f32|f16|bf16|q8_0 --output FILE.gguf`
/// — writes a model (a Hugging Face folder, e.g. one `safekey train` wrote, or a GGUF file) as a
/// GGUF file for llama.cpp and Ollama: hyper-parameters, the tokenizer and chat template, and
/// every weight (Llama q/k rows permuted as llama.cpp expects). Written atomically.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a model as a GGUF file for llama.cpp / Ollama."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case gguf }

    @Option(help: "Model to export: a Hugging Face folder (config.json, safetensors, tokenizer.json) or a .gguf file.") var model: String
    @Option(help: "Output format.") var format: Format = .gguf
    @Option(help: "Storage of the matrices (norms and biases stay f32).") var type: GGUFExportType = .f16
    @Option(help: "Tokenizer to embed (default: the model's own; a folder, tokenizer.json or .gguf).") var tokenizer: String?
    @Option(help: "Output file (.gguf).") var output: String

    func validate() throws {
        guard output.lowercased().hasSuffix(".gguf") else { throw ValidationError("--output must name a .gguf file") }
    }

    func run() throws {
        let start = Date()
        let m = try DecoderModel(folder: model)
        let tokPath = tokenizer ?? model
        let hasTokenizer = ModelFiles.isGGUF(tokPath) || FileManager.default.fileExists(atPath: (tokPath as NSString).appendingPathComponent("tokenizer.json"))
            || tokPath.hasSuffix(".json")
        let tok: Tokenizer? = hasTokenizer ? try Tokenizer(path: tokPath) : nil
        if tok == nil {
            FileHandle.standardError.write(Data("export: no tokenizer at \(tokPath); the GGUF file will hold no tokenizer (pass --tokenizer)\n".utf8))
        }
        let name = ((model as NSString).lastPathComponent as NSString).deletingPathExtension
        try m.exportGGUF(to: output, type: type, tokenizer: tok, name: name)
        let size = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        print(String(format: "wrote %@ (%@, %d tensors, %.1f MB) in %.1f s", output, type.rawValue,
                     m.parameters.count, Double(size) / 1e6, Date().timeIntervalSince(start)))
    }
}
