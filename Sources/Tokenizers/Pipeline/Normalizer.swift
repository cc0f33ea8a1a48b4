import Foundation
import Support

/// Text normalization with alignments, mirroring HF tokenizers' `NormalizedString` for the
/// normalizers byte-level BPE models use: none, `NFC`, and `Sequence` of those.
///
/// Output contract: `normalize` returns nil when the text is unchanged (the common case: ASCII or
/// already-NFC text), else the normalized scalars and, for each, the index of the original scalar
/// it is aligned to. HF aligns a composed character to the first character it was made from
/// (`A◌̊◌́` → `Ǻ` aligned to `A`), the characters after a shrinking sequence to the last originals
/// (`a◌́◌̣` → `ạ◌́` aligned to `a`, `◌̣`), and every character of an expansion to its source
/// (`क़` → `क◌़`, both aligned to `क़`) — checked against tokenizers 0.23 by the fixtures.
enum Normalizer {
    case none
    case nfc

    static func from(_ spec: JSONValue?, file: String) throws -> Normalizer {
        guard let (dict, type) = try stageSpec(spec, key: "normalizer", file: file) else { return .none }
        switch type {
        case "NFC": return .nfc
        case "Sequence":
            let parts = dict["normalizers"]?.arrayValue ?? []
            var result = Normalizer.none
            for part in parts {
                let n = try from(part, file: file)
                if case .nfc = n { result = .nfc }
            }
            return result
        default:
            throw TokenizerError.unsupported(file: file, key: "normalizer.type", value: type)
        }
    }

    /// Normalizes `s[start..<end]`; nil when unchanged. `align` holds original scalar indices.
    func normalize(_ s: UnsafeBufferPointer<UInt32>, _ start: Int, _ end: Int) -> (scalars: [UInt32], align: [Int32])? {
        guard case .nfc = self else { return nil }
        var allLow = true
        for i in start..<end where s[i] >= 0x300 { allLow = false; break }
        if allLow { return nil }  // below U+0300 nothing changes under NFC
        let whole = Self.nfc(s, start, end)
        if whole.count == end - start && whole.elementsEqual(UnsafeBufferPointer(rebasing: s[start..<end])) { return nil }
        var outS = [UInt32](), outA = [Int32]()
        outS.reserveCapacity(whole.count)
        outA.reserveCapacity(whole.count)
        var a = start
        while a < end {
            var b = a + 1
            while b < end && !Self.isSegmentStart(s[b]) { b += 1 }
            let seg = Self.nfc(s, a, b)
            let n = b - a, m = seg.count
            outS.append(contentsOf: seg)
            if seg.elementsEqual(UnsafeBufferPointer(rebasing: s[a..<b])) {
                for k in a..<b { outA.append(Int32(k)) }
            } else if m > n, let expanded = Self.expansionAlignment(s, a, b, m) {
                outA.append(contentsOf: expanded)
            } else {
                for j in 0..<m { outA.append(Int32(j == 0 ? a : min(b - 1, a + j + max(0, n - m)))) }
            }
            a = b
        }
        return (outS, outA)
    }

    /// A scalar that can start a normalization segment: it never combines with what precedes it.
    private static func isSegmentStart(_ v: UInt32) -> Bool {
        if v < 0x300 { return true }
        guard let u = Unicode.Scalar(v) else { return true }
        if u.properties.canonicalCombiningClass.rawValue != 0 { return false }
        // Starters that can still be the second half of a composition (NFC_Quick_Check=Maybe):
        // Indic and Myanmar vowel signs, Hangul medial/final jamo, Balinese, and some SMP scripts.
        switch v {
        case 0x0900...0x0DFF, 0x1000...0x109F, 0x1160...0x11FF, 0x1B00...0x1B7F, 0x11000...0x11FFF: return false
        default: return true
        }
    }

    private static func nfc(_ s: UnsafeBufferPointer<UInt32>, _ a: Int, _ b: Int) -> [UInt32] {
        var view = String.UnicodeScalarView()
        for i in a..<b { if let u = Unicode.Scalar(s[i]) { view.append(u) } }
        return String(view).precomposedStringWithCanonicalMapping.unicodeScalars.map { $0.value }
    }

    /// Alignment for a segment that grew: each original scalar repeated as many times as its own NFC
    /// has scalars, when those counts add up to the segment's NFC length.
    private static func expansionAlignment(_ s: UnsafeBufferPointer<UInt32>, _ a: Int, _ b: Int, _ m: Int) -> [Int32]? {
        var out = [Int32]()
        for i in a..<b {
            let k = nfc(s, i, i + 1).count
            for _ in 0..<k { out.append(Int32(i)) }
        }
        return out.count == m ? out : nil
    }
}
