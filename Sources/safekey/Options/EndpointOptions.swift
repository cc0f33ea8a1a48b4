import ArgumentParser
import ChatAPI
import Foundation

/// What differs between the commands that call an OpenAI-compatible server: the defaults and the
/// help of their endpoint flags. Each command names its own (``GenerateEndpoint``, ``RubricEndpoint``,
/// ``AnnotateEndpoint``); the flags themselves are declared once, in ``EndpointOptions``.
protocol EndpointDefaults {
    /// The help of `--api-base` (what the server is for in this command).
    static var apiBaseHelp: String { get }
    /// The base URL used when `--api-base` is not given; nil: none (the flag selects the server mode).
    static var apiBase: String? { get }
    /// The variable read for the key when `--api-key-env` is not given; nil: no key.
    static var apiKeyEnv: String? { get }
    /// Whether a key variable that is unset or empty is an error (else no key is sent).
    static var keyRequired: Bool { get }
    /// What the flags apply to, at the head of their help (e.g. "api: ", "rubric: ").
    static var scope: String { get }
    static var timeout: Double { get }
    static var concurrency: Int { get }
}

extension EndpointDefaults {
    /// The help of `--api-key-env`, naming the default variable.
    static var apiKeyEnvHelp: String {
        let fallback = apiKeyEnv.map { "default: \($0)" } ?? "default: no key, as for a local server"
        return scope + "environment variable holding the API key (\(fallback)" + (keyRequired ? ")." : "; unset or empty: no key).")
    }
}

/// `--api-base`, `--api-key-env`, `--timeout`, `--concurrency`: where an OpenAI-compatible server
/// is, how its key is found, and how requests are paced — for `generate --api-base`, `eval --judge
/// rubric|llama-guard --guard-endpoint` and `annotate --method api`. The key is read from the
/// environment only, never from a flag, and is never printed.
struct EndpointOptions<Defaults: EndpointDefaults>: ParsableArguments {
    @Option(help: ArgumentHelp(Defaults.apiBaseHelp)) var apiBase: String?
    @Option(help: ArgumentHelp(Defaults.apiKeyEnvHelp)) var apiKeyEnv: String?
    @Option(help: ArgumentHelp(Defaults.scope + "seconds one request may take.")) var timeout: Double = Defaults.timeout
    @Option(help: ArgumentHelp(Defaults.scope + "requests in flight at once.")) var concurrency: Int = Defaults.concurrency

    init() {}

    func validate() throws {
        try OptionRange.duration("--timeout", timeout)
        try OptionRange.atLeast("--concurrency", concurrency, 1)
    }

    /// `--api-base`, or the command's default base URL.
    var base: String? { apiBase ?? Defaults.apiBase }

    /// The key from the environment: nil with `noAuth`, when no variable is named, or (for a
    /// command whose key is optional) when it is unset or empty.
    func apiKey(noAuth: Bool = false) throws -> String? {
        guard !noAuth, let name = apiKeyEnv ?? Defaults.apiKeyEnv else { return nil }
        if let key = ProcessInfo.processInfo.environment[name], !key.isEmpty { return key }
        guard Defaults.keyRequired else { return nil }
        throw CLIError("--api-key-env \(name): the environment variable \(name) is not set or empty; export it, "
            + "name another with --api-key-env\(Defaults.apiKeyEnv == nil ? "" : ", or pass --no-auth for a local server")")
    }

    /// The endpoint at ``base`` with the key and `--timeout` (a malformed URL is a flag error).
    func endpoint(noAuth: Bool = false) throws -> ChatEndpoint {
        let key = try apiKey(noAuth: noAuth)
        do { return try ChatEndpoint(base: base ?? "", apiKey: key, timeout: timeout) } catch let e as ChatAPIError {
            throw ValidationError("--api-base: \(e)")
        }
    }
}
