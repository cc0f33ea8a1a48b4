import Models

/// How much the key sentence K attends to the model's own understanding U versus the prompt — the
/// paper's attention analysis (SafeKey §5, "K attends more to U after SafeKey training"; the
/// reference's removed `benchmark/safe_benchmark/attention_visulization.py`).
///
/// For one record and one layer `L` (default the last), with `A` that layer's head-averaged
/// attention probabilities (transformers' `attentions[L].mean(dim=1)`, eager attention, causal,
/// nothing masked):
///
///     k_to_u      = mean over i in K of  Σ_{j in U}      A[i, j]
///     k_to_prompt = mean over i in K of  Σ_{j in prompt} A[i, j]
///
/// where prompt = `[0, promptLength)` (every token before the response, chat template included),
/// U = `[promptLength, keyStart)`, K = `[keyStart, keyEnd)` (``EncodedExample``). Both lie in
/// `[0, 1]` and their sum is at most 1 (the rest goes to K's own earlier tokens). Differences from
/// the reference: spans come from the encoder's token offsets (the reference searches the text and
/// forgets the chat template), the prompt includes the template tokens, and K is not cut at 500 tokens.
public enum AttentionAnalysis {
    public struct Result: Equatable {
        public let id: String
        public let unsafe: Bool
        public let kToU: Double
        public let kToPrompt: Double
        public let promptTokens: Int
        public let uTokens: Int
        public let kTokens: Int
    }

    /// The summary over records: means with 95% intervals (``MeanInterval``).
    public struct Summary: Equatable {
        public let layer: Int
        public let kToU: MeanInterval
        public let kToPrompt: MeanInterval
    }

    /// The measure for one record (`record.example.auxiliary` must hold: U and K present).
    /// Runs the model on `ids[0..<keyEnd]` only (causal: later tokens cannot change K's attention).
    public static func measure(model: DecoderModel, record: AnalysisRecord, layer: Int) throws -> Result {
        let e = record.example
        let kRows = Array(e.keyStart..<e.keyEnd)
        let r = try model.inspect(ids: Array(e.inputIds.prefix(e.keyEnd)), rows: [], attentionLayer: layer, attentionQueries: kRows)
        let a = r.attention ?? []
        let t = e.keyEnd
        var toU = 0.0, toPrompt = 0.0
        for q in kRows.indices {
            let row = q * t
            var u = 0.0, p = 0.0
            for j in 0..<e.promptLength { p += Double(a[row + j]) }
            for j in e.promptLength..<e.keyStart { u += Double(a[row + j]) }
            toU += u
            toPrompt += p
        }
        let n = Double(kRows.count)
        return Result(id: record.id, unsafe: e.unsafe, kToU: toU / n, kToPrompt: toPrompt / n, promptTokens: e.promptLength,
                      uTokens: e.keyStart - e.promptLength, kTokens: kRows.count)
    }

    /// The layer asked for (`nil` = the last), checked against the model.
    public static func resolveLayer(_ layer: Int?, model: DecoderModel) throws -> Int {
        let n = model.config.numLayers
        let l = layer ?? n - 1
        guard (0..<n).contains(l) else {
            throw AnalysisError.invalidOption("--layer \(l) is outside 0..<\(n) (the model has \(n) layers; layer \(n - 1) is the last)")
        }
        return l
    }

    public static func summarize(_ results: [Result], layer: Int) -> Summary {
        Summary(layer: layer, kToU: MeanInterval(results.map(\.kToU)), kToPrompt: MeanInterval(results.map(\.kToPrompt)))
    }
}
