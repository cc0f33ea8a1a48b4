/// GPT-2's byte ↔ printable-character table, as used by Hugging Face's `ByteLevel` pre-tokenizer and
/// decoder (`bytes_to_unicode` in openai/gpt-2 `encoder.py`, tokenizers `pre_tokenizers/byte_level.rs`):
/// bytes that are printable Latin-1 map to themselves, the other 68 to U+0100 upwards in byte order.
enum ByteLevel {
    /// `scalarForByte[b]`: the character that stands for byte `b` in vocabulary strings.
    static let scalarForByte: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for b in 0..<256 {
            let printable = (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b)
            if printable {
                table[b] = UInt32(b)
            } else {
                table[b] = next
                next += 1
            }
        }
        return table
    }()

    /// Inverse of `scalarForByte`, indexed by scalar value (0..<324); -1 where no byte maps there.
    static let byteForScalar: [Int16] = {
        var table = [Int16](repeating: -1, count: 324)
        for (b, s) in scalarForByte.enumerated() { table[Int(s)] = Int16(b) }
        return table
    }()

    /// The bytes a vocabulary string stands for, or nil when a character is outside the table
    /// (added tokens such as `<｜User｜>`): HF's decoder then uses the string's own UTF-8.
    static func bytes(ofTokenString token: String) -> [UInt8]? {
        var out = [UInt8]()
        out.reserveCapacity(token.utf8.count)
        for scalar in token.unicodeScalars {
            let v = Int(scalar.value)
            guard v < byteForScalar.count, byteForScalar[v] >= 0 else { return nil }
            out.append(UInt8(byteForScalar[v]))
        }
        return out
    }

    /// The vocabulary string of a byte sequence.
    static func tokenString(ofBytes bytes: [UInt8]) -> String {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(Unicode.Scalar(scalarForByte[Int(b)])!) }
        return String(s)
    }
}
