import Tensor

/// Builds each fixture op from named input tensors and its parameters — shared by the PyTorch
/// parity tests and the finite-difference checks.
func runOp(_ op: String, _ inputs: [String: Tensor], _ params: [String: Any]) throws -> Tensor {
    func t(_ name: String) -> Tensor { inputs[name]! }
    switch op {
    case "matmul": return try matmul(t("a"), t("b"), transposeB: (params["transposeB"] as? Bool) ?? false)
    case "linear": return try linear(t("x"), weight: t("weight"), bias: inputs["bias"])
    case "add": return try add(t("a"), t("b"))
    case "mul": return try mul(t("a"), t("b"))
    case "scale": return scale(t("a"), params.float("s"))
    case "addBias": return try addBias(t("x"), t("bias"))
    case "embedding": return try embedding(ids: params.ints("ids"), shape: params.ints("shape"), table: t("table"))
    case "rmsNorm": return try rmsNorm(t("x"), weight: t("weight"), eps: params.float("eps"))
    case "rope": return try rope(t("x"), positions: params.ints("positions"), invFreq: params.floats("invFreq"),
                                 attentionScaling: params.float("attentionScaling"))
    case "swiglu": return try swiglu(gate: t("gate"), up: t("up"))
    case "swigluMLP": return try swigluMLP(t("x"), gate: t("gate"), up: t("up"), down: t("down"))
    case "attention":
        let hidden = params.bools("hiddenKeys")
        return try attention(q: t("q"), k: t("k"), v: t("v"), hiddenKeys: hidden.contains(true) ? hidden : nil)
    case "crossEntropy": return try crossEntropy(logits: t("logits"), targets: params.ints("targets")).reshaped([1])
    case "maskedCrossEntropy":
        return try maskedCrossEntropy(logits: t("logits"), targets: params.ints("targets"), mask: params.floats("mask")).reshaped([1])
    case "spanMeanPool":
        let spans = (params["spans"] as? [[Any]] ?? []).map { pair in
            (start: (pair[0] as? Int) ?? 0, end: (pair[1] as? Int) ?? 0)
        }
        return try spanMeanPool(t("x"), spans: spans)
    case "bceWithLogits": return try bceWithLogits(logits: t("logits"), targets: params.floats("targets")).reshaped([1])
    default: fatalError("unknown fixture op \(op)")
    }
}
