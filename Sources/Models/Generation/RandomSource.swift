/// The seeded generator for sampling and initialisation: Support's ``SplitMix64`` (the same seed
/// gives the same stream on every platform), with the draws the models need.
public typealias RandomSource = SplitMix64

extension SplitMix64 {
    /// Uniform in [0, 1) with 24 random bits.
    public mutating func nextUniform() -> Float { nextUnitFloat() }

    /// Standard normal (Box–Muller).
    public mutating func nextGaussian() -> Float {
        let u1 = max(nextUnit(), .leastNonzeroMagnitude)
        let u2 = nextUnit()
        return Float((-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
@inline(__always) private func _log(_ x: Double) -> Double { log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { cos(x) }
