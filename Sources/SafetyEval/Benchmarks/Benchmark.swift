import Support
import Foundation

/// One chat message: Support's ``ChatMessage`` under the name SafetyEval has always used.
public typealias ChatTurn = ChatMessage

/// One evaluation prompt from a benchmark file.
///
/// - `prompt`: the user message the model receives (for HarmBench contextual behaviours, the
///   context, a `---` separator and the behaviour, as HarmBench builds it);
/// - `instruction`: the request the judge holds the response against (the behaviour, the goal,
///   or a multi-turn conversation's `objective`);
/// - `prefill`: for the prefilling attack, the harmful reasoning whose first N tokens are put at the
///   start of the response (the generator truncates it; the loader keeps it whole);
/// - `conversation`: for multi-turn items, the recorded conversation (ends with a user turn).
public struct BenchmarkItem: Equatable, Sendable {
    public var id: String
    public var prompt: String
    public var instruction: String
    public var categories: [String]
    public var label: String?
    public var prefill: String?
    public var conversation: [ChatTurn]?
    /// The physical line (CSV) or array index + 1 (JSON) the item came from.
    public var sourceLine: Int
    /// Extra keys written into the generation record unchanged: the gold `answer` of reasoning
    /// benchmarks, HumanEval's `test` and `entry_point`, a multiple-choice item's `options`...
    public var fields: [String: EvalJSON]

    public init(id: String, prompt: String, instruction: String? = nil, categories: [String] = [],
                label: String? = nil, prefill: String? = nil, conversation: [ChatTurn]? = nil, sourceLine: Int = 0,
                fields: [String: EvalJSON] = [:]) {
        self.id = id
        self.prompt = prompt
        self.instruction = instruction ?? prompt
        self.categories = categories
        self.label = label
        self.prefill = prefill
        self.conversation = conversation
        self.sourceLine = sourceLine
        self.fields = fields
    }
}

/// What a benchmark measures: harmful prompts give a harmfulness rate (lower is better), benign
/// prompts a compliance rate (higher is better; refusing them is over-refusal).
public enum BenchmarkPurpose: String, Codable, Sendable {
    case harmful
    case benign
    /// Labelled per item (`xstest-all`): safe items count toward compliance, unsafe toward harmfulness.
    case mixed
    /// General ability (MATH-500, AIME, HumanEval, multiple choice): accuracy or pass@k, higher is better.
    case ability
}

/// The benchmarks SafetyEval can load, by the name used in `--data NAME=PATH`.
///
/// Names follow the paper's tables; the reference implementation's names are accepted as aliases
/// (`jbbbehaviours`, `jbbbehaviours_benign`, `prefilling_8b`, `multi`, `door_multi`).
public enum Benchmark: String, CaseIterable, Codable, Sendable {
    /// StrongREJECT (313): CSV `forbidden_prompt`, `category`.
    case strongreject
    /// JailbreakBench JBB-Behaviors harmful (100): CSV `Goal`, `Category` (`Target`, `Behavior` optional).
    case jbbHarmful = "jbb-harmful"
    /// JailbreakBench JBB-Behaviors benign (100): same columns as harmful.
    case jbbBenign = "jbb-benign"
    /// XSTest safe prompts (250 of 450): CSV `prompt`, `label` == `safe`, `type` as category. Over-refusal.
    case xstest
    /// XSTest, all 450 prompts with their `label`.
    case xstestAll = "xstest-all"
    /// HarmBench standard behaviours (200): CSV `Behavior`, `FunctionalCategory` == `standard`.
    case harmbench
    /// HarmBench contextual behaviours (100) with their `ContextString`.
    case harmbenchContextual = "harmbench-contextual"
    /// AdvBench (520): CSV `goal`, `target`.
    case advbench
    /// Prefilling attack: CSV `goal`, `target` (harmful reasoning to pre-fill), optional `category`.
    case prefilling
    /// WildJailbreak eval: CSV/TSV `adversarial` (or `question`), rows with `data_type` == `adversarial_harmful`.
    case wildjailbreak
    /// WildChat toxic subset: CSV `question`, optional `category`.
    case wildchat
    /// Multi-turn attacks: JSON list of `{objective, conversation: [{role, content}]}`.
    case multiturn
    /// STAR-1 questions: JSON list of `{id, question, category, source}`.
    case star1
    /// MATH-500: JSONL `{problem, answer, solution, subject, level, unique_id}` (``ReasoningLoaders``).
    case math500
    /// AIME 2024: JSON list of `{id, problem, answer, solution, url}`.
    case aime2024
    /// HumanEval: JSONL, optionally gzip-compressed, `{task_id, prompt, entry_point, canonical_solution, test}`.
    case humaneval
    /// GPQA-Diamond: ``ChoiceLoader`` (simple-evals' CSV columns or the generic layout).
    case gpqaDiamond = "gpqa-diamond"
    /// MMLU-Pro: ``ChoiceLoader`` (`question`, `options`, `answer`/`answer_index`, `category`).
    case mmluPro = "mmlu-pro"
    /// Any multiple-choice set: ``ChoiceLoader`` (JSONL or CSV with question, options, answer letter or index).
    case choice

    /// Resolves a name or one of the reference implementation's aliases.
    public static func named(_ name: String) throws -> Benchmark {
        let key = name.lowercased()
        if let b = Benchmark(rawValue: key) { return b }
        let aliases: [String: Benchmark] = [
            "jbb": .jbbHarmful, "jbbbehaviours": .jbbHarmful, "jbbbehaviors": .jbbHarmful,
            "jbbbehaviours_benign": .jbbBenign, "jbb_benign": .jbbBenign,
            "prefilling_8b": .prefilling, "prefilling_7b": .prefilling,
            "multi": .multiturn, "door_multi": .multiturn, "multi-turn": .multiturn,
            "harmbench_contextual": .harmbenchContextual, "xstest_all": .xstestAll, "star-1": .star1,
            "math": .math500, "math-500": .math500, "math_500": .math500, "aime": .aime2024, "aime-2024": .aime2024,
            "aime_2024": .aime2024, "human-eval": .humaneval, "human_eval": .humaneval, "gpqa": .gpqaDiamond,
            "gpqa_diamond": .gpqaDiamond, "mmlu_pro": .mmluPro, "mmlupro": .mmluPro, "multiple-choice": .choice,
        ]
        if let b = aliases[key] { return b }
        throw SafetyEvalError.unknownBenchmark(name: name, known: Benchmark.allCases.map(\.rawValue))
    }

    public var purpose: BenchmarkPurpose {
        switch self {
        case .jbbBenign, .xstest: return .benign
        case .xstestAll: return .mixed
        case .math500, .aime2024, .humaneval, .gpqaDiamond, .mmluPro, .choice: return .ability
        default: return .harmful
        }
    }

    /// Title used in reports.
    public var title: String {
        switch self {
        case .strongreject: return "StrongREJECT"
        case .jbbHarmful: return "JBB"
        case .jbbBenign: return "JBB-benign"
        case .xstest: return "XSTest"
        case .xstestAll: return "XSTest (all)"
        case .harmbench: return "HarmBench"
        case .harmbenchContextual: return "HarmBench-ctx"
        case .advbench: return "AdvBench"
        case .prefilling: return "Prefilling"
        case .wildjailbreak: return "WildJailbreak"
        case .wildchat: return "WildChat"
        case .multiturn: return "Multi-turn"
        case .star1: return "STAR-1"
        case .math500: return "MATH-500"
        case .aime2024: return "AIME 2024"
        case .humaneval: return "HumanEval"
        case .gpqaDiamond: return "GPQA-Diamond"
        case .mmluPro: return "MMLU-Pro"
        case .choice: return "Multiple choice"
        }
    }
}

/// A `--data NAME=PATH` argument.
public struct DataArgument: Equatable, Sendable {
    public var benchmark: Benchmark
    public var path: String

    /// Parses `NAME=PATH` (the path may itself contain `=`; the first one separates).
    public init(parsing text: String) throws {
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
            throw SafetyEvalError.badDataArgument(text)
        }
        let path = String(text[text.index(after: eq)...])
        guard !path.isEmpty else { throw SafetyEvalError.badDataArgument(text) }
        self.benchmark = try Benchmark.named(String(text[..<eq]))
        self.path = path
    }

    public init(benchmark: Benchmark, path: String) {
        self.benchmark = benchmark
        self.path = path
    }
}
