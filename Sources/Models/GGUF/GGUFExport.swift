import Tensor
import Tokenizers

/// What `DecoderModel.exportGGUF` stores its matrices as (norms and biases stay F32, as
/// llama.cpp's converter keeps 1-D tensors).
public enum GGUFExportType: String, CaseIterable, Sendable {
    case f32, f16, bf16, q8_0

    var ggmlType: GGMLType {
        switch self {
        case .f32: return .f32
        case .f16: return .f16
        case .bf16: return .bf16
        case .q8_0: return .q8_0
        }
    }

    /// llama.cpp's `general.file_type` (`llama_ftype`: ALL_F32 0, MOSTLY_F16 1, MOSTLY_Q8_0 7, MOSTLY_BF16 32).
    var fileType: UInt32 {
        switch self {
        case .f32: return 0
        case .f16: return 1
        case .q8_0: return 7
        case .bf16: return 32
        }
    }
}

extension DecoderModel {
    /// Writes the model as a GGUF file that llama.cpp loads, as its `convert_hf_to_gguf.py` would:
    /// `general.*` and `{arch}.*` hyper-parameters, the tokenizer (`Tokenizer.ggufMetadata`, when
    /// given) with its chat template, and every weight under its GGUF name with the Llama q/k rows
    /// permuted back to ggml's interleaved RoPE layout. Matrices are stored as `type`; a matrix
    /// whose rows do not split into 32-value blocks falls back to F16 under Q8_0 (as llama.cpp
    /// does). Written atomically; the model must hold f32 weights.
    ///
    /// ```swift
    /// let model = try DecoderModel(folder: "/models/Qwen2.5-0.5B")
    /// try model.exportGGUF(to: "/tmp/qwen.gguf", type: .q8_0, tokenizer: Tokenizer(path: "/models/Qwen2.5-0.5B"))
    /// ```
    public func exportGGUF(to path: String, type: GGUFExportType, tokenizer: Tokenizer?, name: String? = nil) throws {
        guard weightStorage == .f32 else {
            throw ModelsError.invalidArgument("export: the weights are stored as BF16 for inference; load the model with f32 weights to export it")
        }
        let c = config, arch = c.family.rawValue
        guard c.rope.kind != .llama3 else {
            throw ModelsError.unsupportedConfig(path: sourceFolder ?? path, key: "rope_scaling",
                                                detail: "llama3 RoPE scaling is not exported to GGUF (llama.cpp stores it as a rope_freqs tensor); use a model with default or linear RoPE")
        }
        guard !c.outputBias, !c.mlpBias else {
            throw ModelsError.unsupportedConfig(path: sourceFolder ?? path, key: c.mlpBias ? "mlp_bias" : "attention_bias",
                                                detail: "biases on the output or MLP projections have no GGUF tensor names here")
        }
        var meta: [(key: String, value: GGUFValue)] = [
            ("general.architecture", .string(arch)),
            ("general.name", .string(name ?? "safekey-export")),
            ("general.file_type", .uint32(type.fileType)),
        ]
        if type == .q8_0 { meta.append(("general.quantization_version", .uint32(2))) }
        meta += [
            ("\(arch).block_count", .uint32(UInt32(c.numLayers))),
            ("\(arch).context_length", .uint32(UInt32(c.maxPositionEmbeddings))),
            ("\(arch).embedding_length", .uint32(UInt32(c.hiddenSize))),
            ("\(arch).feed_forward_length", .uint32(UInt32(c.intermediateSize))),
            ("\(arch).attention.head_count", .uint32(UInt32(c.numHeads))),
            ("\(arch).attention.head_count_kv", .uint32(UInt32(c.numKeyValueHeads))),
            ("\(arch).rope.freq_base", .float32(Float(c.rope.theta))),
            ("\(arch).attention.layer_norm_rms_epsilon", .float32(c.rmsNormEps)),
            ("\(arch).rope.dimension_count", .uint32(UInt32(c.headDim))),
            ("\(arch).vocab_size", .uint32(UInt32(c.vocabSize))),
        ]
        if c.headDim * c.numHeads != c.hiddenSize {
            meta += [("\(arch).attention.key_length", .uint32(UInt32(c.headDim))), ("\(arch).attention.value_length", .uint32(UInt32(c.headDim)))]
        }
        if c.rope.kind == .linear {
            meta += [("\(arch).rope.scaling.type", .string("linear")), ("\(arch).rope.scaling.factor", .float32(Float(c.rope.factor)))]
        }
        if let tokenizer { meta += try tokenizer.ggufMetadata() }

        var tensors: [GGUFWriteTensor] = []
        for p in parameters {
            let hf = p.name ?? ""
            guard let g = GGUFTensorNames.gguf(hf) else {
                throw ModelsError.invalidArgument("export: parameter \"\(hf)\" has no GGUF tensor name")
            }
            let rows = p.shape.count == 1 ? p.shape[0] : p.shape[0], cols = p.shape.count == 1 ? 1 : p.count / p.shape[0]
            var t = p.shape.count == 1 ? GGMLType.f32 : type.ggmlType
            if t == .q8_0 && cols % 32 != 0 { t = .f16 }
            let permute = GGUFRopePermutation.applies(to: hf, family: c.family), headDim = c.headDim
            tensors.append(GGUFWriteTensor(name: g, shape: p.shape, type: t) { dest in
                withExtendedLifetime(p) {
                    if permute {
                        GGUFRopePermutation.permuteRows(p.data, dest.baseAddress!, rows: rows, rowBytes: 4 * cols, headDim: headDim, toGGUF: true)
                    } else {
                        dest.baseAddress!.update(from: p.data, count: p.count)
                    }
                }
            })
        }
        try GGUFWriter.write(path: path, metadata: meta, tensors: tensors)
    }
}
