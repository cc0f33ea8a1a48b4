/// Unicode classes used by the pre-tokenizer patterns, matching Rust `regex` semantics:
/// `\p{L}` (general categories Lu Ll Lt Lm Lo), `\p{N}` (Nd Nl No), `\s` (White_Space).
enum CharClass {
    static let letter: UInt8 = 1
    static let number: UInt8 = 2
    static let space: UInt8 = 4
    /// `\r` or `\n`.
    static let newline: UInt8 = 8

    /// Flags for every BMP scalar, built once (about 10 ms).
    static let bmp: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 0x10000)
        for v in 0..<0x10000 {
            guard let scalar = Unicode.Scalar(UInt32(v)) else { continue }
            table[v] = compute(scalar)
        }
        return table
    }()

    static func compute(_ scalar: Unicode.Scalar) -> UInt8 {
        var flags: UInt8 = 0
        let props = scalar.properties
        switch props.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            flags |= letter
        case .decimalNumber, .letterNumber, .otherNumber:
            flags |= number
        default: break
        }
        if props.isWhitespace { flags |= space }
        if scalar.value == 0x0A || scalar.value == 0x0D { flags |= newline }
        return flags
    }

    @inline(__always)
    static func of(_ v: UInt32, table: UnsafeBufferPointer<UInt8>) -> UInt8 {
        if v < 0x10000 { return table[Int(v)] }
        guard let scalar = Unicode.Scalar(v) else { return 0 }
        return compute(scalar)
    }
}
