import Tensor

extension DecoderModel {
    /// The output of `safekey forward`: one JSON object `{"logits": [[…]], "hidden": [[…]]}` with one
    /// row per position (`hidden` after the final norm). With `maskPrefix` N, key positions `0..<N`
    /// are hidden from every query (the Hugging Face 2-D `attention_mask` with zeros there;
    /// positions unchanged); rows `< N` are then unspecified but finite.
    public func forwardReport(ids: [Int], maskPrefix: Int = 0) throws -> String {
        guard maskPrefix >= 0, maskPrefix <= ids.count else {
            throw ModelsError.invalidArgument("mask prefix \(maskPrefix) must be between 0 and the \(ids.count) ids")
        }
        let hidden = maskPrefix > 0 ? ids.indices.map { $0 < maskPrefix } : nil
        let out = try GradMode.noGrad { try forward(ids: ids, batch: 1, hiddenKeys: hidden) }
        for (what, t) in [("logits", out.logits), ("hidden states", out.hidden)] {
            guard let bad = t.firstNonFiniteIndex else { continue }
            let w = t.shape.last ?? 1
            throw ModelsError.invalidArgument("forward: the \(what) hold a non-finite value (\(t.data[bad]) at position \(bad / w), column \(bad % w)); "
                + "the weights are damaged or overflow for this input. Check them (loading refuses NaN weights unless --allow-nonfinite)")
        }
        var s = "{\"logits\": "
        s.reserveCapacity(16 * (out.logits.count + out.hidden.count))
        Self.appendRows(out.logits, to: &s)
        s += ", \"hidden\": "
        Self.appendRows(out.hidden, to: &s)
        s += "}"
        return s
    }

    /// `[1, T, W]` as `[[…], …]`, numbers in Swift's shortest round-tripping form (valid JSON for
    /// finite values; a non-finite value, which the model should never produce, is written as null).
    private static func appendRows(_ t: Tensor, to s: inout String) {
        let w = t.shape.last ?? 0, rows = w > 0 ? t.count / w : 0
        s += "["
        for r in 0..<rows {
            s += r == 0 ? "[" : ", ["
            for j in 0..<w {
                if j > 0 { s += ", " }
                let v = t.data[r * w + j]
                s += v.isFinite ? v.description : "null"
            }
            s += "]"
        }
        s += "]"
    }
}
