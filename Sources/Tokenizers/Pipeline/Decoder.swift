import Foundation
import Support

/// Decoders (HF `decoders::{byte_level, sequence}`), reduced to what byte-level BPE needs:
/// each token contributes bytes — its byte-level string mapped back through GPT-2's table, or, for
/// a token with a character outside the table (most added tokens), its own UTF-8 — and the bytes
/// of all tokens become text with invalid sequences replaced by U+FFFD (`String::from_utf8_lossy`).
enum TokenDecoder {
    case byteLevel
    /// No decoder: HF joins the token strings with spaces.
    case joinWithSpaces

    static func from(_ spec: JSONValue?, file: String) throws -> TokenDecoder {
        guard let (dict, type) = try stageSpec(spec, key: "decoder", file: file) else { return .joinWithSpaces }
        switch type {
        case "ByteLevel": return .byteLevel
        case "Sequence":
            let parts = try (dict["decoders"]?.arrayValue ?? []).map { try from($0, file: file) }
            if parts.count == 1 { return parts[0] }
            throw TokenizerError.unsupported(file: file, key: "decoder.decoders", value: "a sequence of \(parts.count) decoders")
        default:
            throw TokenizerError.unsupported(file: file, key: "decoder.type", value: type)
        }
    }
}

/// Turns bytes into text, replacing each maximal invalid subsequence with U+FFFD as Rust's
/// `from_utf8_lossy` does (the Unicode "substitution of maximal subparts" practice).
func decodeUTF8Lossy(_ bytes: [UInt8]) -> String {
    String(decoding: bytes, as: UTF8.self)
}

/// The length of the longest prefix of `bytes` that does not end inside an incomplete UTF-8
/// sequence which later bytes could still complete.
func completeUTF8PrefixLength(_ bytes: [UInt8]) -> Int {
    let n = bytes.count
    var back = 0
    // Look at most 3 bytes back for the lead byte of a possibly incomplete sequence.
    while back < min(3, n) {
        let b = bytes[n - 1 - back]
        if b & 0xC0 != 0x80 {
            let need: Int
            if b >= 0xF0 && b <= 0xF4 { need = 4 } else if b >= 0xE0 { need = b >= 0xF0 ? 0 : 3 } else if b >= 0xC2 { need = 2 } else { need = 0 }
            let have = back + 1
            if need > have && isValidPrefix(bytes, from: n - have) { return n - have }
            return n
        }
        back += 1
    }
    return n
}

/// Whether `bytes[from...]` is a valid, though unfinished, start of a UTF-8 sequence.
private func isValidPrefix(_ bytes: [UInt8], from start: Int) -> Bool {
    let lead = bytes[start]
    for k in (start + 1)..<bytes.count {
        let b = bytes[k]
        let allowed = k == start + 1 ? utf8SecondByteRange(lead: lead) : 0x80...0xBF
        if !allowed.contains(b) { return false }
    }
    return true
}

/// Incremental decoding for streaming generation: feed ids one at a time, get back the text they
/// complete. Text is never emitted in the middle of a UTF-8 character: bytes of an unfinished
/// character wait for the next token. Concatenating every `push` result and `finish()` equals
/// `Tokenizer.decode` of all the ids (for byte-level BPE).
///
///     var stream = tokenizer.streamingDecoder()
///     for id in generated { print(stream.push(id), terminator: "") }
///     print(stream.finish())
public struct StreamingDecoder {
    private let tokenizer: Tokenizer
    private let skipSpecialTokens: Bool
    private var pending: [UInt8] = []

    init(tokenizer: Tokenizer, skipSpecialTokens: Bool) {
        self.tokenizer = tokenizer
        self.skipSpecialTokens = skipSpecialTokens
    }

    /// Adds one token; returns the newly completed text (possibly empty).
    public mutating func push(_ id: Int) -> String {
        tokenizer.appendBytes(of: id, skipSpecialTokens: skipSpecialTokens, to: &pending)
        let cut = completeUTF8PrefixLength(pending)
        guard cut > 0 else { return "" }
        let text = decodeUTF8Lossy(Array(pending[0..<cut]))
        pending.removeFirst(cut)
        return text
    }

    /// Flushes bytes still waiting (an unfinished character becomes U+FFFD).
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return pending.isEmpty ? "" : decodeUTF8Lossy(pending)
    }
}
