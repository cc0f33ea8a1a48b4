import Foundation

/// Loads a benchmark file into ``BenchmarkItem``s, selected by ``Benchmark`` name.
///
/// Column contracts are listed on each ``Benchmark`` case. Required columns that are missing,
/// empty required fields, files without data rows and malformed JSON all throw
/// ``SafetyEvalError`` naming the file, line (or JSON location) and column.
///
/// ```swift
/// let items = try BenchmarkLoader.load(DataArgument(parsing: "strongreject=strongreject_dataset.csv"))
/// ```
public enum BenchmarkLoader {
    public static func load(_ argument: DataArgument) throws -> [BenchmarkItem] {
        try load(argument.benchmark, path: argument.path)
    }

    public static func load(_ benchmark: Benchmark, path: String) throws -> [BenchmarkItem] {
        let items: [BenchmarkItem]
        switch benchmark {
        case .multiturn: items = try MultiTurnLoader.load(path: path)
        case .star1: items = try STAR1QuestionLoader.load(path: path)
        case .math500: items = try ReasoningLoaders.math500(path: path)
        case .aime2024: items = try ReasoningLoaders.aime(path: path)
        case .humaneval: items = try ReasoningLoaders.humanEval(path: path)
        case .gpqaDiamond, .mmluPro, .choice: items = try ChoiceLoader.load(path: path, benchmark: benchmark)
        default:
            let table = try CSVTable(contentsOf: path, benchmark: benchmark.rawValue)
            items = try loadCSV(benchmark, table: table)
        }
        if items.isEmpty {
            throw SafetyEvalError.emptyFile(path: path, detail: "no data rows for benchmark '\(benchmark.rawValue)'")
        }
        return items
    }

    /// Loads a CSV benchmark from an already parsed table.
    public static func loadCSV(_ benchmark: Benchmark, table t: CSVTable) throws -> [BenchmarkItem] {
        let name = benchmark.rawValue
        var out: [BenchmarkItem] = []
        out.reserveCapacity(t.records.count)
        switch benchmark {
        case .strongreject:
            let p = try t.column("forbidden_prompt", benchmark: name), c = t.optionalColumn("category")
            for (k, r) in t.records.enumerated() {
                out.append(BenchmarkItem(id: "\(k)", prompt: try t.required(r, p), categories: list(t.value(r, c)), sourceLine: r.line))
            }
        case .jbbHarmful, .jbbBenign:
            let g = try t.column("Goal", benchmark: name), c = t.optionalColumn("Category")
            let idx = t.optionalColumn("Index"), tgt = t.optionalColumn("Target")
            for (k, r) in t.records.enumerated() {
                out.append(BenchmarkItem(id: t.value(r, idx) ?? "\(k)", prompt: try t.required(r, g), categories: list(t.value(r, c)),
                                         label: benchmark == .jbbBenign ? "benign" : "harmful", prefill: t.value(r, tgt), sourceLine: r.line))
            }
        case .xstest, .xstestAll:
            let p = try t.column("prompt", benchmark: name), l = try t.column("label", benchmark: name)
            let ty = t.optionalColumn("type"), idx = t.optionalColumn("id")
            for (k, r) in t.records.enumerated() {
                let label = try t.required(r, l).trimmingCharacters(in: .whitespaces).lowercased()
                guard label == "safe" || label == "unsafe" else {
                    throw SafetyEvalError.csvSyntax(path: t.path, line: r.line, column: l + 1, detail: "XSTest label must be 'safe' or 'unsafe', found '\(label)'")
                }
                if benchmark == .xstest && label != "safe" { continue }
                out.append(BenchmarkItem(id: t.value(r, idx) ?? "\(k)", prompt: try t.required(r, p), categories: list(t.value(r, ty)),
                                         label: label, sourceLine: r.line))
            }
        case .harmbench, .harmbenchContextual:
            let b = try t.column("Behavior", benchmark: name), f = try t.column("FunctionalCategory", benchmark: name)
            let s = t.optionalColumn("SemanticCategory"), idc = t.optionalColumn("BehaviorID")
            let ctx = benchmark == .harmbenchContextual ? try t.column("ContextString", benchmark: name) : nil
            let want = benchmark == .harmbench ? "standard" : "contextual"
            for (k, r) in t.records.enumerated() where r.fields[f].trimmingCharacters(in: .whitespaces) == want {
                let behavior = try t.required(r, b)
                var prompt = behavior
                if let ctx { prompt = HarmBenchFormat.contextualPrompt(context: try t.required(r, ctx), behavior: behavior) }
                out.append(BenchmarkItem(id: t.value(r, idc) ?? "\(k)", prompt: prompt, categories: list(t.value(r, s)), sourceLine: r.line))
            }
        case .advbench, .prefilling:
            let g = try t.column("goal", benchmark: name)
            let tg = benchmark == .prefilling ? try t.column("target", benchmark: name) : t.optionalColumn("target")
            let c = t.optionalColumn("category")
            for (k, r) in t.records.enumerated() {
                let target = benchmark == .prefilling ? try t.required(r, tg ?? 0) : t.value(r, tg)
                out.append(BenchmarkItem(id: "\(k)", prompt: try t.required(r, g), categories: list(t.value(r, c)), prefill: target, sourceLine: r.line))
            }
        case .wildjailbreak:
            let p = try t.column(anyOf: ["adversarial", "question"], benchmark: name)
            let dt = t.optionalColumn("data_type")
            for (k, r) in t.records.enumerated() {
                if let dt, r.fields[dt].trimmingCharacters(in: .whitespaces) != "adversarial_harmful" { continue }
                out.append(BenchmarkItem(id: "\(k)", prompt: try t.required(r, p), sourceLine: r.line))
            }
        case .wildchat:
            let q = try t.column("question", benchmark: name), c = t.optionalColumn("category")
            for (k, r) in t.records.enumerated() {
                out.append(BenchmarkItem(id: "\(k)", prompt: try t.required(r, q), categories: list(t.value(r, c)), sourceLine: r.line))
            }
        case .multiturn, .star1, .math500, .aime2024, .humaneval, .gpqaDiamond, .mmluPro, .choice:
            throw SafetyEvalError.badJSON(path: t.path, location: "", detail: "benchmark '\(name)' is not read by the safety CSV loader (see BenchmarkLoader.load)")
        }
        return out
    }

    private static func list(_ v: String?) -> [String] {
        guard let v, !v.trimmingCharacters(in: .whitespaces).isEmpty else { return [] }
        return [v.trimmingCharacters(in: .whitespaces)]
    }
}

/// HarmBench's prompt layout for contextual behaviours (HarmBench `baselines`: the context string,
/// a blank line, `---`, a blank line, then the behaviour).
public enum HarmBenchFormat {
    public static func contextualPrompt(context: String, behavior: String) -> String {
        "\(context)\n\n---\n\n\(behavior)"
    }
}
