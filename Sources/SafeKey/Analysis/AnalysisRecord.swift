/// One encoded record handed to an analysis, with the name its output line carries: the record's
/// `id`, or `line N` (its line in the input file) when it has none.
///
/// Spans come from ``EncodedExample``: the prompt is `[0, promptLength)` (every token before the
/// response: BOS, chat template, query, generation prompt), U is `[promptLength, keyStart)` and K is
/// `[keyStart, keyEnd)`; `example.auxiliary` says whether U and K are both present.
public struct AnalysisRecord {
    public let id: String
    public let example: EncodedExample

    public init(id: String?, example: EncodedExample) {
        self.id = id ?? "line \(example.line)"
        self.example = example
    }
}
