/// The result of `Tokenizer.encodeWithOffsets`: token ids and, for each, the `[start, end)` span of
/// the original text it came from, counted in Unicode scalars (Python string indices), exactly as
/// HF tokenizers reports `Encoding.offsets`. Special tokens added by the post-processor (BOS) have
/// `(0, 0)`. Tokens that share one character (a character split over several byte-level tokens)
/// each report that whole character.
public struct Encoding {
    public var ids: [Int]
    public var offsets: [(start: Int, end: Int)]

    public init(ids: [Int], offsets: [(start: Int, end: Int)]) {
        self.ids = ids
        self.offsets = offsets
    }
}
