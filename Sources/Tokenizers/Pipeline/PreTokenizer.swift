import Foundation
import Support

/// A span of normalized text handed to the model: scalars `start..<end`, plus an optional leading
/// space that is not in the text (ByteLevel `add_prefix_space`), aligned to the piece's first scalar.
struct Piece {
    var start: Int
    var end: Int
    var prefixSpace: Bool
}

/// HF `SplitDelimiterBehavior`.
enum SplitBehavior: String {
    case removed = "Removed", isolated = "Isolated", mergedWithPrevious = "MergedWithPrevious"
    case mergedWithNext = "MergedWithNext", contiguous = "Contiguous"
}

/// Where a `Split` finds its delimiters.
enum SplitPattern {
    case scanner(PatternScanner)
    case other(RegexMatcher)

    func matches(_ s: UnsafeBufferPointer<UInt32>, _ start: Int, _ end: Int, into out: inout [Range<Int>]) {
        switch self {
        case let .scanner(scanner): scanner.matches(s, start, end, into: &out)
        case let .other(matcher): matcher.matches(s, start, end, into: &out)
        }
    }
}

/// Pre-tokenizers of byte-level BPE models (HF `pre_tokenizers::{split, byte_level, sequence}`).
indirect enum PreTokenizer {
    case split(SplitPattern, SplitBehavior, invert: Bool)
    /// `ByteLevel`: the byte mapping itself happens in the model; here only the optional prefix
    /// space (added to every piece not starting with U+0020) and the GPT-2 regex split.
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    case sequence([PreTokenizer])

    static func from(_ spec: JSONValue?, file: String) throws -> PreTokenizer {
        guard let (dict, type) = try stageSpec(spec, key: "pre_tokenizer", file: file) else { return .sequence([]) }
        switch type {
        case "Sequence":
            let parts = dict["pretokenizers"]?.arrayValue ?? []
            return .sequence(try parts.map { try from($0, file: file) })
        case "ByteLevel":
            return .byteLevel(addPrefixSpace: (dict["add_prefix_space"]?.boolValue ?? true),
                              useRegex: (dict["use_regex"]?.boolValue ?? true))
        case "Digits":
            guard dict["individual_digits"]?.boolValue == true else {
                throw TokenizerError.unsupported(file: file, key: "pre_tokenizer.individual_digits", value: "false")
            }
            return .split(.scanner(.digits), .isolated, invert: false)
        case "Split":
            guard let pattern = dict["pattern"]?.objectValue else {
                throw TokenizerError.malformedConfig(file: file, key: "pre_tokenizer.pattern", reason: "missing")
            }
            let behaviorName = (dict["behavior"]?.stringValue ?? "Isolated")
            guard let behavior = SplitBehavior(rawValue: behaviorName) else {
                throw TokenizerError.unsupported(file: file, key: "pre_tokenizer.behavior", value: behaviorName)
            }
            let invert = (dict["invert"]?.boolValue ?? false)
            if let re = pattern["Regex"]?.stringValue {
                if let scanner = PatternScanner(pattern: re) { return .split(.scanner(scanner), behavior, invert: invert) }
                return .split(.other(try RegexMatcher(regex: re, file: file)), behavior, invert: invert)
            }
            if let lit = pattern["String"]?.stringValue {
                return .split(.other(RegexMatcher(literal: lit)), behavior, invert: invert)
            }
            throw TokenizerError.malformedConfig(file: file, key: "pre_tokenizer.pattern", reason: "needs 'Regex' or 'String'")
        default:
            throw TokenizerError.unsupported(file: file, key: "pre_tokenizer.type", value: type)
        }
    }

    /// Splits `pieces` in place. `scratch` is reused storage.
    func apply(_ s: UnsafeBufferPointer<UInt32>, _ pieces: inout [Piece], _ scratch: inout [Range<Int>]) {
        switch self {
        case let .sequence(parts):
            for part in parts { part.apply(s, &pieces, &scratch) }
        case let .split(pattern, behavior, invert):
            var out = [Piece]()
            out.reserveCapacity(pieces.count * 4)
            for piece in pieces {
                scratch.removeAll(keepingCapacity: true)
                pattern.matches(s, piece.start, piece.end, into: &scratch)
                Self.split(piece, scratch, behavior, invert, &out)
            }
            pieces = out
        case let .byteLevel(addPrefixSpace, useRegex):
            if addPrefixSpace {
                for k in pieces.indices where !pieces[k].prefixSpace {
                    let p = pieces[k]
                    if p.start == p.end || s[p.start] != 0x20 { pieces[k].prefixSpace = true }
                }
            }
            guard useRegex else { return }
            var out = [Piece]()
            for piece in pieces {
                if piece.prefixSpace {
                    Self.splitWithVirtualSpace(s, piece, &out)
                } else {
                    scratch.removeAll(keepingCapacity: true)
                    PatternScanner.gpt2.matches(s, piece.start, piece.end, into: &scratch)
                    for r in scratch where !r.isEmpty { out.append(Piece(start: r.lowerBound, end: r.upperBound, prefixSpace: false)) }
                }
            }
            pieces = out
        }
    }

    /// GPT-2 split of a piece whose text starts with a virtual space.
    private static func splitWithVirtualSpace(_ s: UnsafeBufferPointer<UInt32>, _ piece: Piece, _ out: inout [Piece]) {
        var buffer: [UInt32] = [0x20]
        for i in piece.start..<piece.end { buffer.append(s[i]) }
        var ranges = [Range<Int>]()
        buffer.withUnsafeBufferPointer { PatternScanner.gpt2.matches($0, 0, $0.count, into: &ranges) }
        for r in ranges where !r.isEmpty {
            let lo = piece.start + max(0, r.lowerBound - 1), hi = piece.start + r.upperBound - 1
            out.append(Piece(start: lo, end: hi, prefixSpace: r.lowerBound == 0))
        }
    }

    /// HF `NormalizedString::split`: parts between and at the matches, arranged by `behavior`.
    private static func split(_ piece: Piece, _ matches: [Range<Int>], _ behavior: SplitBehavior, _ invert: Bool,
                              _ out: inout [Piece]) {
        var parts = [(Range<Int>, Bool)]()
        var prev = piece.start
        for m in matches {
            if prev < m.lowerBound { parts.append((prev..<m.lowerBound, invert)) }
            parts.append((m, !invert))
            prev = m.upperBound
        }
        if prev < piece.end { parts.append((prev..<piece.end, invert)) }
        var ranges = [Range<Int>]()
        switch behavior {
        case .isolated:
            ranges = parts.map { $0.0 }
        case .removed:
            ranges = parts.filter { !$0.1 }.map { $0.0 }
        case .mergedWithPrevious:
            var previousMatch = false
            for (r, isMatch) in parts {
                if isMatch && !previousMatch, let last = ranges.last {
                    ranges[ranges.count - 1] = last.lowerBound..<r.upperBound
                } else {
                    ranges.append(r)
                }
                previousMatch = isMatch
            }
        case .mergedWithNext:
            var previousMatch = false
            for (r, isMatch) in parts.reversed() {
                if isMatch && !previousMatch, let last = ranges.last {
                    ranges[ranges.count - 1] = r.lowerBound..<last.upperBound
                } else {
                    ranges.append(r)
                }
                previousMatch = isMatch
            }
            ranges.reverse()
        case .contiguous:
            var previousMatch = false
            for (r, isMatch) in parts {
                if isMatch == previousMatch, let last = ranges.last {
                    ranges[ranges.count - 1] = last.lowerBound..<r.upperBound
                } else {
                    ranges.append(r)
                }
                previousMatch = isMatch
            }
        }
        var first = true
        for r in ranges where !r.isEmpty {
            // A virtual prefix space stays with the first part that begins at the piece start.
            out.append(Piece(start: r.lowerBound, end: r.upperBound, prefixSpace: piece.prefixSpace && first && r.lowerBound == piece.start))
            first = false
        }
    }
}
