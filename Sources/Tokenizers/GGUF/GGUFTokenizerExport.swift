/// The GGUF metadata of a tokenizer (the inverse of `GGUFTokenizerSpec`), as llama.cpp's
/// `convert_hf_to_gguf.py` writes it for a byte-level BPE vocabulary: `tokenizer.ggml.model =
/// gpt2`, the pre-tokenizer's llama.cpp name, `tokens` by id, `token_type` (1 normal, 3 control
/// for special added tokens, 4 user-defined for other added tokens), `merges` by rank, the
/// BOS/EOS/UNK/PAD ids, `add_bos_token`, and `tokenizer.chat_template`.
extension Tokenizer {
    /// The entries to store in a GGUF file; throws for a tokenizer GGUF cannot describe (a
    /// pre-tokenizer without a llama.cpp name, or gaps in the ids).
    public func ggufMetadata() throws -> [(key: String, value: GGUFValue)] {
        guard let pre = preTokenizer.ggufName else {
            throw TokenizerError.unsupported(file: source, key: "pre_tokenizer",
                                             value: "a pre-tokenizer with no llama.cpp name (GGUF export knows the GPT-2, SmolLM, Llama 3 and Qwen2 ones)")
        }
        var tokens = [GGUFValue](), types = [GGUFValue]()
        for id in 0..<idToToken.count {
            let name = idToToken[id]
            guard !name.isEmpty else {
                throw TokenizerError.unsupported(file: source, key: "vocab", value: "no token has id \(id); GGUF needs ids 0..<n without gaps")
            }
            tokens.append(.string(name))
            let added = model.vocab[name] != id || addedTokens.contains { $0.id == id }
            types.append(.int32(!added ? 1 : (isSpecial[id] ? 3 : 4)))
        }
        var meta: [(key: String, value: GGUFValue)] = [
            ("tokenizer.ggml.model", .string("gpt2")),
            ("tokenizer.ggml.pre", .string(pre)),
            ("tokenizer.ggml.tokens", .array(elementType: .string, values: tokens)),
            ("tokenizer.ggml.token_type", .array(elementType: .int32, values: types)),
            ("tokenizer.ggml.merges", .array(elementType: .string, values: model.mergeList().map { .string($0) })),
        ]
        for (key, id) in [("bos_token_id", bosTokenId), ("eos_token_id", eosTokenId), ("unknown_token_id", unkToken.flatMap { tokenId($0) }),
                          ("padding_token_id", padTokenId)] {
            if let id { meta.append(("tokenizer.ggml.\(key)", .uint32(UInt32(id)))) }
        }
        meta.append(("tokenizer.ggml.add_bos_token", .bool(postProcessor.addsPrefix)))
        if let chatTemplate { meta.append(("tokenizer.chat_template", .string(chatTemplate))) }
        return meta
    }
}

extension PreTokenizer {
    /// llama.cpp's `tokenizer.ggml.pre` name for this pre-tokenizer, or nil.
    var ggufName: String? {
        switch self {
        case .byteLevel(false, true): return "gpt2"
        case let .sequence(parts):
            if parts.count == 1 { return parts[0].ggufName }
            guard parts.count == 2, case let .split(pattern, .isolated, false) = parts[0] else { return nil }
            guard case let .scanner(scanner) = pattern else { return nil }
            switch (scanner, parts[1]) {
            case (.llama3(3), .byteLevel(false, false)): return "llama-bpe"
            case (.llama3(1), .byteLevel(false, false)): return "qwen2"
            case (.digits, .byteLevel(false, true)): return "smollm"
            default: return nil
            }
        default:
            return nil
        }
    }
}
