import Foundation
import Support

/// Builds the `tokenizer.json` / `tokenizer_config.json` objects that a GGUF file's tokenizer
/// metadata describes, so that `Tokenizer(spec:config:)` builds the same in-memory BPE model,
/// pre-tokenizer, added tokens and post-processor it builds from a Hugging Face folder.
///
/// Mirrors transformers' GGUF tokenizer path (`integrations/gguf/gguf_tokenizer_mapping.py`,
/// `byte_level_tokenizer`, `add_gguf_special_tokens`, `set_split_regex`) for
/// `tokenizer.ggml.model = gpt2`:
/// - vocabulary: `tokenizer.ggml.tokens` (id = index); a token with a character outside GPT-2's
///   byte alphabet is respelled as the byte-level form of its UTF-8 bytes;
/// - merges: `tokenizer.ggml.merges` ("a b");
/// - added tokens: `token_type` 3 (control) → special, 4 (user-defined) → non-special, both
///   matched whole and unnormalised under their own id, as llama.cpp matches them (transformers
///   skips control tokens spelled outside the byte alphabet, e.g. DeepSeek's `<｜…｜>`; llama.cpp,
///   the files' main reader, keeps them);
/// - the pre-tokenizer named by `tokenizer.ggml.pre` (llama.cpp's `llama-vocab.cpp` regexes;
///   the Llama 3 names also ignore merges for whole-vocabulary words, as llama.cpp does):
///   `gpt2`/`gpt-2` (and none) → GPT-2 `ByteLevel`; `smollm` → digits split one by one, then
///   GPT-2 `ByteLevel` (SmolLM's `Digits` + `ByteLevel`); `llama-bpe`/`llama3`/`llama-v3` → the
///   Llama 3 split; `qwen2`/`deepseek-r1-qwen` → the Qwen2 split. Other names throw.
/// - BOS/EOS/UNK/PAD from `tokenizer.ggml.*_token_id`; BOS added when `add_bos_token` is true
///   (and EOS with `add_eos_token`); the chat template from `tokenizer.chat_template`.
enum GGUFTokenizerSpec {
    /// The pre-tokenizer names accepted, grouped by what they split with.
    static let preTokenizers: [String: JSONValue] = {
        let gpt2: JSONValue = ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true]
        func split(_ regex: String) -> JSONValue {
            ["type": "Sequence", "pretokenizers": [
                ["type": "Split", "pattern": ["Regex": .string(regex)], "behavior": "Isolated", "invert": false],
                ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false],
            ]]
        }
        let smollm: JSONValue = ["type": "Sequence", "pretokenizers": [
            ["type": "Split", "pattern": ["Regex": .string(#"\p{N}"#)], "behavior": "Isolated", "invert": false],
            gpt2,
        ]]
        let llama3 = split(PatternScanner.llama3Pattern), qwen2 = split(PatternScanner.qwen2Pattern)
        return ["gpt2": gpt2, "gpt-2": gpt2, "default": gpt2, "smollm": smollm,
                "llama-bpe": llama3, "llama3": llama3, "llama-v3": llama3,
                "qwen2": qwen2, "deepseek-r1-qwen": qwen2]
    }()

    static let llama3Names: Set<String> = ["llama-bpe", "llama3", "llama-v3"]

    /// `(tokenizer.json, tokenizer_config.json)` objects for the tokenizer in `meta`.
    static func build(_ meta: GGUFMetadata) throws -> (spec: JSONObject, config: JSONObject) {
        let file = meta.path
        func bad(_ key: String, _ reason: String) -> TokenizerError { .malformedConfig(file: file, key: key, reason: reason) }
        guard let model = meta["tokenizer.ggml.model"]?.stringValue else {
            throw bad("tokenizer.ggml.model", "missing: this GGUF file has no tokenizer")
        }
        guard model == "gpt2" else {
            throw TokenizerError.unsupported(file: file, key: "tokenizer.ggml.model", value: "\"\(model)\" (only \"gpt2\", byte-level BPE, is)")
        }
        let preName = meta["tokenizer.ggml.pre"]?.stringValue ?? "default"
        guard let pre = preTokenizers[preName] else {
            let known = preTokenizers.keys.sorted().joined(separator: ", ")
            throw TokenizerError.unsupported(file: file, key: "tokenizer.ggml.pre", value: "\"\(preName)\" (supported: \(known))")
        }
        guard let tokens = meta["tokenizer.ggml.tokens"]?.stringArray else {
            throw bad("tokenizer.ggml.tokens", "missing or not an array of strings")
        }
        guard let merges = meta["tokenizer.ggml.merges"]?.stringArray else {
            throw bad("tokenizer.ggml.merges", "missing or not an array of strings (a gpt2 tokenizer needs its merges)")
        }
        var types = [Int](repeating: 1, count: tokens.count)
        if let t = meta["tokenizer.ggml.token_type"] {
            guard let list = t.intArray, list.count == tokens.count else {
                throw bad("tokenizer.ggml.token_type", "must be an integer array with one entry per token (\(tokens.count))")
            }
            types = list
        }
        var vocab = [String: Int](minimumCapacity: tokens.count)
        var added = [JSONValue]()
        for (id, token) in tokens.enumerated() {
            let inAlphabet = ByteLevel.bytes(ofTokenString: token) != nil
            if types[id] == 3 || types[id] == 4 {
                // Control / user-defined: matched whole in the text under their own id, as llama.cpp
                // does; in the BPE vocabulary only when spelled in the byte alphabet.
                added.append(["id": .int(id), "content": .string(token), "special": .bool(types[id] == 3), "single_word": false,
                              "lstrip": false, "rstrip": false, "normalized": false])
                if inAlphabet { vocab[token] = id }
            } else {
                vocab[inAlphabet ? token : ByteLevel.tokenString(ofBytes: Array(token.utf8))] = id
            }
        }
        var config = JSONObject()
        var named = [String: String]()
        for (name, key) in [("bos_token", "bos_token_id"), ("eos_token", "eos_token_id"),
                            ("unk_token", "unknown_token_id"), ("pad_token", "padding_token_id")] {
            guard let v = meta["tokenizer.ggml.\(key)"] else { continue }
            guard let id = v.intValue, id >= 0, id < tokens.count else {
                throw bad("tokenizer.ggml.\(key)", "\(v) is not a token id in 0..<\(tokens.count)")
            }
            named[name] = tokens[id]
            config[name] = .string(tokens[id])
        }
        if let template = meta["tokenizer.chat_template"]?.stringValue { config["chat_template"] = .string(template) }
        let addBOS = meta["tokenizer.ggml.add_bos_token"]?.boolValue ?? false
        let addEOS = meta["tokenizer.ggml.add_eos_token"]?.boolValue ?? false
        let vocabObject = JSONObject(vocab.sorted { $0.value < $1.value }.map { (key: $0.key, value: JSONValue.int($0.value)) })
        var spec: JSONObject = [
            // llama.cpp's Llama 3 vocabulary ignores merges for words in the vocabulary (as its tokenizer.json does).
            // Every field Hugging Face tokenizers requires is written, so the file also loads there.
            "version": "1.0", "truncation": .null, "padding": .null, "normalizer": .null, "post_processor": .null,
            "model": ["type": "BPE", "dropout": .null, "unk_token": .null, "continuing_subword_prefix": .null,
                      "end_of_word_suffix": .null, "fuse_unk": false, "byte_fallback": false,
                      "ignore_merges": .bool(llama3Names.contains(preName)),
                      "vocab": .object(vocabObject), "merges": .array(merges.map { .string($0) })],
            "pre_tokenizer": pre,
            "decoder": ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true],
            "added_tokens": .array(added),
        ]
        var single = [JSONValue]()
        var specials = JSONObject()
        for (flag, name) in [(addBOS, "bos_token"), (addEOS, "eos_token")] {
            guard flag, let token = named[name], let id = vocab[token] ?? tokens.firstIndex(of: token) else { continue }
            specials[token] = ["id": .string(token), "ids": [.int(id)], "tokens": [.string(token)]]
        }
        if addBOS, let bos = named["bos_token"], specials[bos] != nil { single.append(["SpecialToken": ["id": .string(bos), "type_id": 0]]) }
        single.append(["Sequence": ["id": "A", "type_id": 0]])
        if addEOS, let eos = named["eos_token"], specials[eos] != nil { single.append(["SpecialToken": ["id": .string(eos), "type_id": 0]]) }
        if !specials.isEmpty {
            let pair = single + single.map { $0["Sequence"] != nil ? ["Sequence": ["id": "B", "type_id": 1]] : $0 }
            spec["post_processor"] = ["type": "TemplateProcessing", "single": .array(single), "pair": .array(pair),
                                      "special_tokens": .object(specials)]
        }
        return (spec, config)
    }
}

extension Tokenizer {
    /// The tokenizer and chat template stored in a GGUF file's metadata (see `GGUFTokenizerSpec`).
    ///
    ///     let tok = try Tokenizer(path: "SmolLM2-135M-Instruct.Q4_1.gguf")
    ///     try tok.encode("Hello world")     // the ids transformers gives for the same file
    public convenience init(gguf meta: GGUFMetadata) throws {
        let (spec, config) = try GGUFTokenizerSpec.build(meta)
        try self.init(spec: spec, config: config, source: meta.path)
    }

    /// Whether `path` names a GGUF file (by its `.gguf` extension, any case).
    public static func isGGUFPath(_ path: String) -> Bool { path.lowercased().hasSuffix(".gguf") }
}

extension Tokenizer {
    /// Writes the tokenizer of a GGUF file's metadata as a Hugging Face folder's `tokenizer.json`
    /// and `tokenizer_config.json` (the objects `GGUFTokenizerSpec` builds, so `Tokenizer(path:
    /// folder)` encodes exactly as `Tokenizer(gguf: meta)`), each written atomically. A model
    /// fine-tuned from a `.gguf` file saves these beside its weights, so the output folder is a
    /// complete Hugging Face model folder.
    ///
    ///     try Tokenizer.writeHuggingFaceFiles(gguf: GGUFFile(path: "m.gguf").metadata, to: "out/")
    public static func writeHuggingFaceFiles(gguf meta: GGUFMetadata, to folder: String) throws {
        let (spec, config) = try GGUFTokenizerSpec.build(meta)
        var cfg = config
        if cfg["model_max_length"] == nil, let arch = meta["general.architecture"]?.stringValue,
           let context = meta["\(arch).context_length"]?.intValue {
            cfg["model_max_length"] = .int(context)
        }
        try AtomicFile.write(JSONWriter.pretty(.object(spec)), to: (folder as NSString).appendingPathComponent("tokenizer.json"))
        try AtomicFile.write(JSONWriter.pretty(.object(cfg)), to: (folder as NSString).appendingPathComponent("tokenizer_config.json"))
    }
}
