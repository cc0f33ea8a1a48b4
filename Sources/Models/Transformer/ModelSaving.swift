import Foundation
import Tensor
import Tokenizers

extension DecoderModel {
    /// Files copied from the source folder on save (tokenizer, chat template, generation defaults).
    public static let companionFiles = [
        "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json",
        "vocab.json", "merges.txt", "tokenizer.model", "chat_template.jinja", "chat_template.json",
        "generation_config.json",
    ]

    /// Saves the model as a Hugging Face folder that transformers and vLLM load unchanged:
    /// `config.json` (every key of the original kept; `dtype`/`torch_dtype` set to what is
    /// written), weights under their original names (a tied head is not stored, as transformers
    /// does), sharded above `maxShardBytes`, and the companion files of `copyFrom` (default: the
    /// folder the model was loaded from; for a model loaded from a `.gguf` file, `tokenizer.json`
    /// and `tokenizer_config.json` built from its metadata). Every file is written atomically.
    public func save(to folder: String, dtype: DType = .f32,
                     maxShardBytes: Int = SafeTensorsWriter.defaultMaxShardBytes,
                     copyFrom: String? = nil) throws {
        guard dtype == .f32 || dtype == .bf16 else {
            throw ModelsError.invalidArgument("save: weights are written as F32 or BF16, not \(dtype.rawValue)")
        }
        guard weightStorage == .f32 else {
            throw ModelsError.invalidArgument("save: the weights are stored as BF16 for inference; load the model with weightStorage: .f32 to save it (as F32 or BF16)")
        }
        let fm = FileManager.default
        try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
        guard slots.allSatisfy({ $0.adapter == nil }) else {
            throw ModelsError.invalidArgument("save: the model carries LoRA adapters; save them with saveAdapter(to:), or call mergeAdapters() first")
        }
        let entries = storedWeights.compactMap(\.tensor).map {
            SafeTensorsEntry(name: $0.name ?? "", shape: $0.shape, pointer: UnsafePointer($0.data), owner: $0)
        }
        try SafeTensorsWriter.writeModel(entries, folder: folder, dtype: dtype, maxShardBytes: maxShardBytes)

        var raw = config.raw
        let dtypeName = dtype == .bf16 ? "bfloat16" : "float32"
        var wroteDType = false
        for key in ["dtype", "torch_dtype"] where raw[key] != nil {
            raw[key] = .string(dtypeName)
            wroteDType = true
        }
        if !wroteDType { raw["torch_dtype"] = .string(dtypeName) }
        let text = Array(JSONWriter.pretty(.object(raw)).utf8)
        try SafeTensorsWriter.atomicWrite(path: (folder as NSString).appendingPathComponent("config.json")) { try $0.write(text) }

        guard let source = copyFrom ?? sourceFolder else {
            if let sourceGGUF { try Tokenizer.writeHuggingFaceFiles(gguf: sourceGGUF, to: folder) }
            return
        }
        let same = URL(fileURLWithPath: source).standardizedFileURL.path == URL(fileURLWithPath: folder).standardizedFileURL.path
        guard !same else { return }
        for name in Self.companionFiles {
            let src = (source as NSString).appendingPathComponent(name)
            guard fm.fileExists(atPath: src) else { continue }
            guard let data = fm.contents(atPath: src) else { throw ModelsError.io(path: src, detail: "cannot read") }
            try SafeTensorsWriter.atomicWrite(path: (folder as NSString).appendingPathComponent(name)) { out in
                try data.withUnsafeBytes { try out.write($0) }
            }
        }
    }
}
