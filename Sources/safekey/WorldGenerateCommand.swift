import ArgumentParser
import Foundation
import Support
import Models
import Tensor
import Tokenizers

/// `safekey world generate --model DIR --prompts FILE [--output FILE]`: greedy generation for any
/// prompts file, in the layout `safekey world judge` reads (issue 6, item 4).
struct WorldGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate responses for a JSONL prompts file with any model folder (e.g. a demo model).",
        discussion: """
        Input: one JSON object per line with "prompt" (or "question"), and optionally "prefill" (text
        pre-filled after the generation prompt). Output: the same objects with "response" added, one
        per line, ready for `safekey world judge`. Decoding is greedy with the KV cache.
        Example: safekey world generate --model demo-output/safekey --prompts my-prompts.jsonl --output out.jsonl
        """)

    @OptionGroup var modelInput: ModelInputOptions
    @Option(help: "JSONL prompts file.") var prompts: String
    @Option(help: "Output JSONL (default: stdout).") var output: String?
    @Option var maxNewTokens = 160
    @Option var batchSize = 16
    @Option(help: "Repetition penalty (transformers semantics; 1 = off).") var repetitionPenalty: Float = 1

    func validate() throws {
        try OptionRange.atLeast("--max-new-tokens", maxNewTokens, 1)
        try OptionRange.atLeast("--batch-size", batchSize, 1)
        try OptionRange.within("--repetition-penalty", Double(repetitionPenalty), 1e-3...1e3)
        if let output { try OutputGuard.refuseOverwritingInputs(output: ("--output", output), inputs: [("--prompts", prompts)] + modelInput.inputPaths) }
    }

    func run() throws {
        guard let text = try? String(contentsOfFile: prompts, encoding: .utf8) else {
            throw CLIError("cannot read \(prompts) as UTF-8 text")
        }
        var items: [JSONObject] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let obj = (try? JSONParser.parse(String(line), path: prompts))?.objectValue,
                  obj["prompt"]?.stringValue != nil || obj["question"]?.stringValue != nil else {
                throw CLIError("\(prompts):\(n + 1): expected a JSON object with a \"prompt\" string")
            }
            items.append(obj)
        }
        guard !items.isEmpty else { throw CLIError("\(prompts): no prompts") }
        let tokenizer = try Tokenizer(path: modelInput.model)
        let decoder = try modelInput.load()
        var params = SamplingParameters(maxNewTokens: maxNewTokens, repetitionPenalty: repetitionPenalty)
        if let eos = tokenizer.eosTokenId { params.stopTokenIds = [eos] }
        let ids = try items.map { obj -> [Int] in
            let prompt = obj["prompt"]?.stringValue ?? obj["question"]?.stringValue ?? ""
            let rendered = try tokenizer.applyChatTemplate([ChatMessage(role: "user", content: prompt)], addGenerationPrompt: true)
            return try tokenizer.encode(rendered + (obj["prefill"]?.stringValue ?? ""))
        }
        var out = ""
        for start in stride(from: 0, to: ids.count, by: max(1, batchSize)) {
            let end = min(start + max(1, batchSize), ids.count)
            let generated = try decoder.generate(prompts: Array(ids[start..<end]), params: params)
            for (j, g) in generated.enumerated() {
                var obj = items[start + j]
                obj["response"] = JSONValue.string(tokenizer.decode(g, skipSpecialTokens: true))
                out += jsonLine(obj) + "\n"
            }
            printErr("generated \(end)/\(ids.count)")
        }
        if let output {
            try AtomicFile.write(out, to: output)
        } else {
            try Console.out(out)
        }
    }
}
