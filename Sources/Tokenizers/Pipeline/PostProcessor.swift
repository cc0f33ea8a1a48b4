import Foundation
import Support

/// Post-processors (HF `processors::{template, byte_level, sequence}`) for single sequences.
indirect enum PostProcessor {
    /// `TemplateProcessing`'s `single` template: special token ids around the sequence `$A`.
    case template(prefix: [Int], suffix: [Int])
    /// `ByteLevel` with `trim_offsets`: offsets drop the token's leading/trailing spaces.
    case byteLevel(trimOffsets: Bool, addPrefixSpace: Bool)
    case sequence([PostProcessor])

    static func from(_ spec: JSONValue?, file: String) throws -> PostProcessor {
        guard let (dict, type) = try stageSpec(spec, key: "post_processor", file: file) else { return .sequence([]) }
        switch type {
        case "Sequence":
            return .sequence(try (dict["processors"]?.arrayValue ?? []).map { try from($0, file: file) })
        case "ByteLevel":
            return .byteLevel(trimOffsets: (dict["trim_offsets"]?.boolValue ?? true),
                              addPrefixSpace: (dict["add_prefix_space"]?.boolValue ?? true))
        case "TemplateProcessing":
            guard let single = dict["single"]?.arrayValue else {
                throw TokenizerError.malformedConfig(file: file, key: "post_processor.single", reason: "missing")
            }
            let specials = dict["special_tokens"]?.objectValue ?? [:]
            var prefix = [Int](), suffix = [Int]()
            var seenSequence = false
            for item in single {
                if item["Sequence"] != nil { seenSequence = true; continue }
                guard let special = item["SpecialToken"], let name = special["id"]?.stringValue,
                      let ids = specials[name]?["ids"]?.arrayValue else {
                    throw TokenizerError.malformedConfig(file: file, key: "post_processor.single",
                                                         reason: "a SpecialToken item is not in special_tokens")
                }
                let values = ids.compactMap(\.intValue)
                if seenSequence { suffix += values } else { prefix += values }
            }
            return .template(prefix: prefix, suffix: suffix)
        default:
            throw TokenizerError.unsupported(file: file, key: "post_processor.type", value: type)
        }
    }

    /// Whether encoding with special tokens puts a token in front (a BOS), for GGUF's `add_bos_token`.
    var addsPrefix: Bool {
        switch self {
        case let .template(prefix, _): return !prefix.isEmpty
        case let .sequence(parts): return parts.contains { $0.addsPrefix }
        case .byteLevel: return false
        }
    }

    /// Applies to one encoding. `tokenString(id)` gives the vocabulary string of a token.
    func process(ids: inout [Int32], offsets: inout [(start: Int, end: Int)], addSpecialTokens: Bool,
                 tokenString: (Int32) -> String) {
        switch self {
        case let .sequence(parts):
            for part in parts { part.process(ids: &ids, offsets: &offsets, addSpecialTokens: addSpecialTokens, tokenString: tokenString) }
        case let .template(prefix, suffix):
            guard addSpecialTokens else { return }
            ids = prefix.map { Int32($0) } + ids + suffix.map { Int32($0) }
            offsets = Array(repeating: (0, 0), count: prefix.count) + offsets + Array(repeating: (0, 0), count: suffix.count)
        case let .byteLevel(trimOffsets, addPrefixSpace):
            guard trimOffsets else { return }
            let spaceChar = Unicode.Scalar(ByteLevel.scalarForByte[0x20])!
            func isSpace(_ u: Unicode.Scalar) -> Bool { u == spaceChar || u.properties.isWhitespace }
            for i in ids.indices {
                let scalars = Array(tokenString(ids[i]).unicodeScalars)
                var leading = 0
                while leading < scalars.count && isSpace(scalars[leading]) { leading += 1 }
                var trailing = 0
                while trailing < scalars.count && isSpace(scalars[scalars.count - 1 - trailing]) { trailing += 1 }
                var (s, e) = offsets[i]
                if leading > 0 {
                    let isFirst = i == 0 || s == 0
                    if isFirst && addPrefixSpace && leading == 1 { leading = 0 }
                    s = min(s + leading, e)
                }
                if trailing > 0 && e >= trailing { e = max(e - trailing, s) }
                offsets[i] = (s, e)
            }
        }
    }
}
