import ArgumentParser
import ChatAPI
import Foundation
import Models
import SafetyEval
import Tokenizers

/// `generate --api-base`'s endpoint defaults: no base (the flag selects the server), no key
/// unless `--api-key-env` names one, 600 s a request, 8 in flight.
enum GenerateEndpoint: EndpointDefaults {
    static let apiBaseHelp = "Generate through an OpenAI-compatible server at this base URL (e.g. http://127.0.0.1:8000/v1) instead of --model."
    static let apiBase: String? = nil
    static let apiKeyEnv: String? = nil
    static let keyRequired = true
    static let scope = "api: "
    static let timeout: Double = 600
    static let concurrency = 8
}

/// `safekey generate --api-base URL --model-name NAME …`: generation through an OpenAI-compatible
/// server (vLLM, llama.cpp's server, `safekey serve`) instead of the in-process decoder (issue 18
/// item 2). See ``APIGenerator`` for what is sent and how prompts are rendered.
struct GenerateAPIOptions: ParsableArguments {
    @OptionGroup var endpoint: EndpointOptions<GenerateEndpoint>
    @Option(help: "api: the model's tokenizer (folder or .gguf). Prompts are then rendered here by its chat template and sent to /v1/completions, exactly as in-process generation builds them (needed for the prefilling attack); without it, /v1/chat/completions and the server's template.")
    var tokenizer: String?
    @Option(help: "api: attempts per request (retries with back-off on 408/429/5xx, timeouts and broken answers).") var maxAttempts: Int = 4

    var isSet: Bool { endpoint.apiBase != nil }

    func validate(prefilling: Bool) throws {
        guard isSet else {
            if tokenizer != nil { throw ValidationError("--tokenizer goes with --api-base (in-process generation uses --model's tokenizer)") }
            return
        }
        try OptionRange.atLeast("--max-attempts", maxAttempts, 1)
        if prefilling && tokenizer == nil {
            throw ValidationError("the prefilling attack through --api-base needs --tokenizer (the model folder or .gguf): the target is cut to N tokens and appended to the prompt rendered here, sent to /v1/completions")
        }
    }

    /// The generator for `modelName` on the server.
    func generator(modelName: String, params: SamplingParameters) throws -> APIGenerator {
        let client = ChatClient(endpoint: try endpoint.endpoint(), retry: RetryPolicy(maxAttempts: maxAttempts, baseDelay: 1, maxDelay: 30),
                                maxConnections: endpoint.concurrency)
        let generator = APIGenerator(client: client, modelName: modelName, params: params,
                                     tokenizer: try tokenizer.map { try Tokenizer(path: $0) }, concurrency: endpoint.concurrency)
        if generator.mode == .completions { generator.contextLength = serverContext(client, modelName: modelName) }
        return generator
    }

    /// The served model's context length from `GET /models` (`max_model_len`; vLLM and `safekey
    /// serve` state it), or nil when the server does not say or the listing fails — then
    /// `max_tokens` goes unclamped and an over-long request fails its item with the server's error.
    private func serverContext(_ client: ChatClient, modelName: String) -> Int? {
        guard let models = try? client.modelsBlocking() else { return nil }
        return (models.first { $0.id == modelName } ?? (models.count == 1 ? models[0] : nil))?.contextLength
    }
}
