import ArgumentParser
import Foundation
import SafeKey
import Support

/// `safekey analyze attention`: K's head-averaged attention to U and to the prompt (``AttentionAnalysis``).
struct AnalyzeAttentionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attention",
        abstract: "Per record, the attention from K's tokens to U and to the prompt (head-averaged, one layer).",
        discussion: """
        One JSON line per record with U and K: {"id", "unsafe", "k_to_u", "k_to_prompt", "prompt_tokens", "u_tokens", "k_tokens"}, \
        where k_to_u is the attention of each K token summed over U's tokens, averaged over K's tokens (k_to_prompt likewise over \
        every token before the response), then {"summary": {"layer", "records", "k_to_u": {mean, low, high, n}, "k_to_prompt": …}} \
        with 95% intervals (mean ± 1.96·sd/√n).
        Example: safekey analyze attention --model Assets/world-base --data records.jsonl --layer 3
        """)

    @OptionGroup var options: AnalysisOptions
    @Option(help: "Layer (0-based block index; default the last).") var layer: Int?

    func run() throws {
        let records = try options.records(needSpans: true)
        let model = try options.loadModel()
        let l = try AttentionAnalysis.resolveLayer(layer, model: model)
        var lines: [JSONValue] = []
        var results: [AttentionAnalysis.Result] = []
        for r in records {
            let m = try AttentionAnalysis.measure(model: model, record: r, layer: l)
            results.append(m)
            lines.append(["id": .string(m.id), "unsafe": .bool(m.unsafe), "k_to_u": jsonNumber(m.kToU),
                          "k_to_prompt": jsonNumber(m.kToPrompt), "prompt_tokens": .int(m.promptTokens),
                          "u_tokens": .int(m.uTokens), "k_tokens": .int(m.kTokens)])
        }
        let s = AttentionAnalysis.summarize(results, layer: l)
        lines.append(["summary": ["layer": .int(l), "records": .int(results.count), "k_to_u": jsonInterval(s.kToU),
                                  "k_to_prompt": jsonInterval(s.kToPrompt)]])
        try options.emit(lines)
    }
}
