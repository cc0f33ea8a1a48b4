import Support
import Foundation
import Models
import Tokenizers

/// A model folder loaded for inference: the decoder (Sources/Models), its tokenizer and chat
/// template, and the ids that end a turn. Shared by ``DecoderGenerator`` and ``LocalGuardClassifier``.
///
/// Stop ids = `config.json`'s `eos_token_id` (one or a list) ∪ `generation_config.json`'s
/// `eos_token_id` ∪ the tokenizer's `eos_token` — the union transformers and vLLM stop on.
/// This is where `generate`, `eval --guard-model` and the local guard open models, `--adapter` included.
public final class LocalModel {
    public let folder: String
    public let model: DecoderModel
    public let tokenizer: Tokenizer
    public let stopIds: Set<Int>

    /// Loads `folder` (config.json, safetensors weights, tokenizer.json [+ tokenizer_config.json /
    /// chat_template.jinja]). Throws when the tokenizer has ids the model's embedding cannot hold.
    /// `weightStorage: .bf16` keeps the matrices in bf16 (half the memory, inference only);
    /// `adapter` is a PEFT LoRA adapter folder applied on top (`DecoderModel.loadAdapter`).
    public convenience init(folder: String, weightStorage: WeightStorage = .f32, adapter: String? = nil) throws {
        let model = try DecoderModel(folder: folder, weightStorage: weightStorage, adapter: adapter)
        let tokenizer = try Tokenizer(path: folder)
        try self.init(folder: folder, model: model, tokenizer: tokenizer)
    }

    public init(folder: String, model: DecoderModel, tokenizer: Tokenizer) throws {
        guard tokenizer.vocabularySize <= model.config.vocabSize else {
            throw ModelsError.invalidArgument("\(folder): the tokenizer has \(tokenizer.vocabularySize) ids but the model's vocabulary has \(model.config.vocabSize) rows (config.json vocab_size); the tokenizer does not belong to this model")
        }
        self.folder = folder
        self.model = model
        self.tokenizer = tokenizer
        var stops = Set(model.config.eosTokenIds)
        if let e = tokenizer.eosTokenId { stops.insert(e) }
        stops.formUnion(Self.generationConfigStops(folder: folder))
        stopIds = stops
    }

    /// `generation_config.json`'s `eos_token_id` (an integer or a list); empty when absent.
    static func generationConfigStops(folder: String) -> [Int] {
        let path = (folder as NSString).appendingPathComponent("generation_config.json")
        guard let value = try? JSONParser.parse(file: path) else { return [] }
        if let one = value["eos_token_id"]?.intValue { return [one] }
        return value["eos_token_id"]?.arrayValue?.compactMap(\.intValue) ?? []
    }

    /// Greedy or sampled continuation of already-encoded prompts, in chunks of `batchSize` rows.
    /// Returns each row's new ids with the trailing stop token removed.
    public func continuations(_ prompts: [[Int]], params: SamplingParameters, batchSize: Int) throws -> [[Int]] {
        var out: [[Int]] = []
        out.reserveCapacity(prompts.count)
        var p = params
        p.stopTokenIds.formUnion(stopIds)
        var start = 0
        while start < prompts.count {
            let chunk = Array(prompts[start..<min(prompts.count, start + max(1, batchSize))])
            for var ids in try model.generate(prompts: chunk, params: p) {
                if let last = ids.last, p.stopTokenIds.contains(last) { ids.removeLast() }
                out.append(ids)
            }
            start += chunk.count
        }
        return out
    }

    /// Encodes a rendered prompt exactly as transformers' `apply_chat_template(tokenize=True)`
    /// does: no special tokens added (the template writes its own BOS).
    public func encodePrompt(_ text: String) throws -> [Int] {
        let ids = try tokenizer.encode(text, addSpecialTokens: false)
        guard !ids.isEmpty else { throw ModelsError.invalidArgument("\(folder): the prompt encodes to no tokens") }
        return ids
    }
}

/// The ``ResponseGenerator`` on our own decoder: renders each request with the model's chat
/// template (generation prompt on, no system prompt unless the messages carry one), appends the
/// prefill, and generates all requests × samples as batched rows with the KV cache
/// (`DecoderModel.generate`). Defaults mirror the reference's `gen.py`: temperature 0, top-p 1,
/// repetition penalty 1.2, 8000 new tokens.
///
/// ```swift
/// let gen = try DecoderGenerator(folder: "/models/R1-Distill-Qwen-7B",
///                                params: SamplingParameters(maxNewTokens: 512, repetitionPenalty: 1.2))
/// try GenerationRunner(generator: gen, batchSize: 8).run(items: items, benchmark: .strongreject, output: "out.json")
/// ```
///
/// Prefill (the reference): the prompt text becomes `rendered + " " + prefillText`, where
/// `prefillText` decodes the first `tokens` ids of the target (encoded without special tokens).
/// Samples: each request becomes `samples` rows of one batch; with temperature 0 they coincide.
public final class DecoderGenerator: ResponseGenerator {
    public let local: LocalModel
    public let modelName: String
    public var params: SamplingParameters
    /// Rows (requests × samples) per `DecoderModel.generate` call.
    public var rowsPerBatch: Int

    public static func referenceDefaults(maxNewTokens: Int = 8000) -> SamplingParameters {
        SamplingParameters(maxNewTokens: maxNewTokens, temperature: 0, topP: 1, repetitionPenalty: 1.2)
    }

    public convenience init(folder: String, name: String? = nil, params: SamplingParameters = DecoderGenerator.referenceDefaults(),
                            rowsPerBatch: Int = 64, weightStorage: WeightStorage = .f32, adapter: String? = nil) throws {
        try self.init(local: LocalModel(folder: folder, weightStorage: weightStorage, adapter: adapter), name: name, params: params,
                      rowsPerBatch: rowsPerBatch)
    }

    public init(local: LocalModel, name: String? = nil, params: SamplingParameters, rowsPerBatch: Int = 64) {
        self.local = local
        modelName = name ?? URL(fileURLWithPath: local.folder).standardizedFileURL.lastPathComponent
        self.params = params
        self.rowsPerBatch = max(1, rowsPerBatch)
    }

    public var settings: [String: EvalJSON] { params.generationSettings(engine: "safekey") }

    /// Renders one request: chat template + optional `" " + prefill` (``PromptRenderer``). Returns the prompt text and the prefill used.
    public func render(_ request: GenerationRequest) throws -> (prompt: String, prefill: String?) {
        try PromptRenderer(tokenizer: local.tokenizer).render(request)
    }

    public func generate(_ requests: [GenerationRequest]) throws -> [GenerationResult] {
        let renderer = PromptRenderer(tokenizer: local.tokenizer)
        var rendered: [(prompt: String, prefill: String?)] = []
        var rows: [[Int]] = []
        for r in requests {
            let x = try renderer.render(r)
            rendered.append(x)
            let ids = try local.encodePrompt(x.prompt)
            rows += Array(repeating: ids, count: max(1, r.samples))
        }
        let outs = try local.continuations(rows, params: params, batchSize: rowsPerBatch)
        var results: [GenerationResult] = []
        var k = 0
        for (r, x) in zip(requests, rendered) {
            let n = max(1, r.samples)
            let mine = outs[k..<(k + n)]
            k += n
            let texts = mine.map { local.tokenizer.decode($0, skipSpecialTokens: true).trimmingCharacters(in: .whitespacesAndNewlines) }
            let produced = mine.reduce(0) { $0 + $1.count }
            results.append(GenerationResult(prompt: x.prompt, responses: texts, prefillText: x.prefill, generatedTokens: produced,
                                            responseTokens: mine.map(\.count), thinkTokens: zip(mine, texts).map { renderer.thinkLength(ids: Array($0), text: $1) }))
        }
        return results
    }
}

extension SamplingParameters {
    /// The `meta_info` settings of a generation run with these parameters (the reference's keys;
    /// `engine` names what generated: `safekey` in-process, `openai-api` through a server).
    public func generationSettings(engine: String) -> [String: EvalJSON] {
        ["temperature": Self.decimal(temperature), "top_p": Self.decimal(topP), "top_k": .int(topK),
         "repetition_penalty": Self.decimal(repetitionPenalty), "max_new_tokens": .int(maxNewTokens),
         "seed": .int(Int(truncatingIfNeeded: seed)), "system_prompt": .null, "engine": .string(engine)]
    }

    /// A Float through its shortest decimal form, so 1.2 is stored as 1.2, not 1.2000000476837158.
    static func decimal(_ x: Float) -> EvalJSON { .double(Double("\(x)") ?? Double(x)) }
}
