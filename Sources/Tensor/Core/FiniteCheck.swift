import Foundation

/// Scans for NaN and ±infinity (an exponent field of all ones), for the checks that keep
/// non-finite numbers out of loaded weights, losses, gradients and saved checkpoints.
///
/// The scan reads 16 values per step as bit patterns (no floating-point compare, so signalling
/// NaNs raise nothing) and runs on the worker threads; the first offending index is then found
/// by a sequential pass over the (rare) failing case only.
public enum FiniteCheck {
    /// Index of the first non-finite value of `p[0..<count]`, or nil when all are finite.
    public static func firstNonFinite(_ p: UnsafePointer<Float>, count: Int) -> Int? {
        let bits = UnsafeRawPointer(p).assumingMemoryBound(to: UInt32.self)
        guard anyExponentAllOnes(bits, count: count, mask: 0x7F80_0000) else { return nil }
        return (0..<count).first { !p[$0].isFinite }
    }

    /// Index of the first non-finite BF16 value (bit patterns) of `p[0..<count]`, or nil.
    public static func firstNonFiniteBF16(_ p: UnsafePointer<UInt16>, count: Int) -> Int? {
        let mask: UInt16 = 0x7F80
        var found = false
        let lock = NSLock()
        Parallel.forRange(count, grain: 1 << 18) { r in
            var hit = false
            for k in r where p[k] & mask == mask { hit = true; break }
            if hit { lock.lock(); found = true; lock.unlock() }
        }
        guard found else { return nil }
        return (0..<count).first { p[$0] & mask == mask }
    }

    private static func anyExponentAllOnes(_ p: UnsafePointer<UInt32>, count: Int, mask: UInt32) -> Bool {
        var found = false
        let lock = NSLock()
        Parallel.forRange(count, grain: 1 << 18) { r in
            var k = r.lowerBound
            var acc = SIMD16<UInt32>(repeating: 0)
            let m = SIMD16<UInt32>(repeating: mask)
            let raw = UnsafeRawPointer(p)
            // acc collects lanes whose exponent is all ones: (x & m) == m ⇔ ((x & m) ^ m) == 0.
            var hit = false
            while k + 16 <= r.upperBound {
                let v = raw.loadUnaligned(fromByteOffset: 4 * k, as: SIMD16<UInt32>.self)
                acc = (v & m) ^ m
                if any(acc .== 0) { hit = true; break }
                k += 16
            }
            if !hit { while k < r.upperBound { if p[k] & mask == mask { hit = true; break }; k += 1 } }
            if hit { lock.lock(); found = true; lock.unlock() }
        }
        return found
    }
}

extension Tensor {
    /// Index of the first NaN/±infinity element, or nil when every element is finite.
    public var firstNonFiniteIndex: Int? { FiniteCheck.firstNonFinite(data, count: count) }
}
