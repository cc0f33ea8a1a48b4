/// One training record turned into tokens, labels and the spans SafeKey's objectives need
/// (shared/METHOD.md). Positions index `inputIds`.
///
/// - `labels`: `inputIds` with −100 on the prompt (Hugging Face layout: aligned with the input; the
///   loss shifts by one so position t predicts token t+1).
/// - `keyMask`: 1 on the tokens of the key sentence K (a token overlapping K's characters belongs
///   to K), else 0.
/// - `queryMask`: 0 on the prompt tokens (BOS, chat template, query, generation prompt), 1 after —
///   the Hugging Face 2-D attention mask of the QMM pass.
/// - `understandingSpan`: `[u_start, k_start)` — U's tokens (`u_start` = prompt length).
/// - `unsafe`: the DPSH label (1 = harmful query).
/// - `auxiliary`: whether the record takes part in QMM and DPSH (false when it has no U/K offsets
///   or K was cut off by `--max-seq-len`); it always keeps its SFT loss.
public struct EncodedExample: Equatable {
    public var inputIds: [Int]
    public var labels: [Int]
    public var keyMask: [Int]
    public var queryMask: [Int]
    public var promptLength: Int
    public var keyStart: Int
    public var keyEnd: Int
    public var unsafe: Bool
    public var auxiliary: Bool
    /// The reference implementation's K span (`[start, end)`, its token arithmetic), when asked.
    public var referenceKeySpan: (Int, Int)?
    /// Line of the record in its input file (for messages).
    public var line: Int

    public init(inputIds: [Int], labels: [Int], keyMask: [Int], queryMask: [Int], promptLength: Int, keyStart: Int,
                keyEnd: Int, unsafe: Bool, auxiliary: Bool, referenceKeySpan: (Int, Int)?, line: Int) {
        self.inputIds = inputIds
        self.labels = labels
        self.keyMask = keyMask
        self.queryMask = queryMask
        self.promptLength = promptLength
        self.keyStart = keyStart
        self.keyEnd = keyEnd
        self.unsafe = unsafe
        self.auxiliary = auxiliary
        self.referenceKeySpan = referenceKeySpan
        self.line = line
    }

    public var understandingSpan: (start: Int, end: Int) { (promptLength, keyStart) }
    public var length: Int { inputIds.count }

    public static func == (a: EncodedExample, b: EncodedExample) -> Bool {
        a.inputIds == b.inputIds && a.labels == b.labels && a.keyMask == b.keyMask && a.queryMask == b.queryMask
            && a.promptLength == b.promptLength && a.keyStart == b.keyStart && a.keyEnd == b.keyEnd
            && a.unsafe == b.unsafe && a.auxiliary == b.auxiliary
    }
}
