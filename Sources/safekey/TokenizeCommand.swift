import ArgumentParser
import Foundation
import Tokenizers

/// A bad input line: reported without the usage text ArgumentParser adds to `ValidationError`.
struct TokenizeInputError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// `safekey tokenize` — JSONL in, JSONL out, one line per input line:
/// `{"text": …}` → `{"ids": […]}` (plus `"offsets": [[s, e], …]` with `--offsets`, in Unicode scalars);
/// with `--decode`, `{"ids": […]}` → `{"text": …}`. Reads stdin unless `--input FILE`.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Encode JSONL {\"text\"} lines to {\"ids\"} (or decode {\"ids\"} with --decode) with a model's tokenizer.json."
    )

    @Option(name: .long, help: "Model folder holding tokenizer.json, the tokenizer.json file, or a .gguf file.") var tokenizer: String
    @Flag(name: .long, help: "Add the post-processor's special tokens (e.g. BOS).") var addSpecialTokens = false
    @Flag(name: .long, help: "Also write each token's [start, end) in Unicode scalars of the text.") var offsets = false
    @Option(name: .long, help: "Read JSONL from this file instead of stdin.") var input: String?
    @Flag(name: .long, help: "Decode {\"ids\": [...]} lines to {\"text\": ...}.") var decode = false
    @Flag(name: .long, help: "With --decode, drop special tokens.") var skipSpecialTokens = false
    @Flag(name: .long, help: "Print single-thread encode throughput to stderr (used by Scripts/bench_tokenizer.py).") var timing = false
    @Option(name: .long, help: "With --timing, encode the input this many times and report the fastest pass.") var `repeat` = 1

    private struct TextLine: Decodable { let text: String }
    private struct IdsLine: Decodable { let ids: [Int] }
    private struct TextOut: Encodable { let text: String }

    func run() throws {
        let tok = try Tokenizer(path: tokenizer)
        let data: Data
        if let input = input {
            guard let d = FileManager.default.contents(atPath: input) else {
                throw ValidationError("cannot read --input \(input)")
            }
            data = d
        } else {
            data = FileHandle.standardInput.readDataToEndOfFile()
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var out = Data()
        for (number, rawLine) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            var line = Array(rawLine)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let where_ = "\(input ?? "stdin") line \(number + 1)"
            do {
                _ = try Tokenizer.validatedString(utf8: line)
            } catch let TokenizerError.invalidUTF8(offset) {
                throw TokenizeInputError(message: "\(where_): invalid UTF-8 at byte \(offset) of the line; re-encode the input as UTF-8")
            }
            if decode {
                guard let row = try? JSONDecoder().decode(IdsLine.self, from: Data(line)) else {
                    throw TokenizeInputError(message: "\(where_): expected a JSON object {\"ids\": [integers]}")
                }
                out.append(try encoder.encode(TextOut(text: tok.decode(row.ids, skipSpecialTokens: skipSpecialTokens))))
            } else {
                guard let row = try? JSONDecoder().decode(TextLine.self, from: Data(line)) else {
                    throw TokenizeInputError(message: "\(where_): expected a JSON object {\"text\": string}")
                }
                let enc = try tok.encodeWithOffsets(row.text, addSpecialTokens: addSpecialTokens)
                var s = "{\"ids\":[" + enc.ids.map(String.init).joined(separator: ",") + "]"
                if offsets { s += ",\"offsets\":[" + enc.offsets.map { "[\($0.start),\($0.end)]" }.joined(separator: ",") + "]" }
                out.append(contentsOf: Array((s + "}").utf8))
            }
            out.append(UInt8(ascii: "\n"))
            if out.count > 1 << 20 {
                try Console.out(bytes: out)
                out.removeAll(keepingCapacity: true)
            }
        }
        try Console.out(bytes: out)
        if timing && !decode { try reportTiming(tok, data) }
    }

    /// Times `encodeWithOffsets` alone over every text (JSON parsing excluded), best of `repeat` passes.
    private func reportTiming(_ tok: Tokenizer, _ data: Data) throws {
        let texts = data.split(separator: UInt8(ascii: "\n")).compactMap { try? JSONDecoder().decode(TextLine.self, from: Data($0)).text }
        let bytes = texts.reduce(0) { $0 + $1.utf8.count }
        var best = Double.infinity, tokens = 0
        for _ in 0..<max(1, `repeat`) {
            let start = DispatchTime.now().uptimeNanoseconds
            tokens = 0
            for text in texts { tokens += try tok.encodeWithOffsets(text, addSpecialTokens: addSpecialTokens).ids.count }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let line = String(format: "swift: %d texts, %d bytes, %d tokens in %.3f s: %.2f MB/s, %.0f tokens/s\n",
                          texts.count, bytes, tokens, best, Double(bytes) / best / 1e6, Double(tokens) / best)
        Console.err(line)
    }
}
