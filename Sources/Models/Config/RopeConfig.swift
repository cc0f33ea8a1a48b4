import Foundation

/// Rotary position embedding parameters, read from either the older top-level `rope_theta` /
/// `rope_scaling` keys or the newer `rope_parameters` object (transformers ≥ 5).
public struct RopeConfig: Equatable, Sendable {
    public enum Kind: String, Sendable { case `default`, linear, llama3 }

    public var kind: Kind
    public var theta: Double
    /// `factor` for linear and llama3 scaling (1 for default).
    public var factor: Double
    /// llama3 only.
    public var lowFreqFactor: Double
    public var highFreqFactor: Double
    public var originalMaxPositionEmbeddings: Int

    public init(kind: Kind = .default, theta: Double, factor: Double = 1, lowFreqFactor: Double = 1,
                highFreqFactor: Double = 4, originalMaxPositionEmbeddings: Int = 8192) {
        self.kind = kind; self.theta = theta; self.factor = factor
        self.lowFreqFactor = lowFreqFactor; self.highFreqFactor = highFreqFactor
        self.originalMaxPositionEmbeddings = originalMaxPositionEmbeddings
    }

    /// The scale applied to cos/sin (transformers' `attention_scaling`): 1 for every supported type.
    public var attentionScaling: Float { 1 }

    /// Inverse frequencies for a rotary dimension `dim` (`dim/2` values), computed in f32 in the
    /// same order as transformers' `_compute_default_rope_parameters`,
    /// `_compute_linear_scaling_rope_parameters` and `_compute_llama3_parameters`
    /// (`modeling_rope_utils.py`): `1 / theta^(arange(0, dim, 2) / dim)`, then the scaling.
    public func inverseFrequencies(dim: Int) -> [Float] {
        let base = Float(theta)
        var inv = (0..<(dim / 2)).map { i -> Float in 1 / powf(base, Float(2 * i) / Float(dim)) }
        switch kind {
        case .default:
            break
        case .linear:
            let f = Float(factor)
            inv = inv.map { $0 / f }
        case .llama3:
            let factor = Float(self.factor)
            let low = Float(lowFreqFactor), high = Float(highFreqFactor)
            let old = Float(originalMaxPositionEmbeddings)
            let lowFreqWavelen = old / low
            let highFreqWavelen = old / high
            let twoPi = Float(2 * Double.pi)
            inv = inv.map { f in
                let wavelen = twoPi / f
                let scaled = wavelen > lowFreqWavelen ? f / factor : f
                let smooth = (old / wavelen - low) / (high - low)
                let smoothed = (1 - smooth) * scaled / factor + smooth * scaled
                let isMedium = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen)
                return isMedium ? smoothed : scaled
            }
        }
        return inv
    }
}
