import Foundation
import Tokenizers

/// Adds `response_tokens` and `think_tokens` to records that lack them (files written by other
/// tools), counting with a tokenizer: a response's tokens are its encoding without special
/// tokens; its thinking tokens are the encoding of the text before `</think>` (null when the
/// response has none). `safekey generate` records exact counts itself; these may differ by a
/// token or two at the boundaries, since decoded text is re-encoded.
public enum LengthCounter {
    /// Returns the file with counts filled in where missing, and how many records were counted.
    public static func fill(_ file: GenerationFile, tokenizer: Tokenizer) throws -> (GenerationFile, Int) {
        var out = file
        var counted = 0
        for i in out.data.indices where out.data[i].fields[LengthKeys.responseTokens] == nil {
            let r = out.data[i].response
            out.data[i].fields[LengthKeys.responseTokens] = .array(try r.map { .int(try tokenizer.encode($0).count) })
            out.data[i].fields[LengthKeys.thinkTokens] = .array(try r.map { text in
                guard let end = text.range(of: ResponsePart.thinkEnd) else { return .null }
                return .int(try tokenizer.encode(String(text[..<end.lowerBound])).count)
            })
            counted += 1
        }
        return (out, counted)
    }
}
