import Foundation

/// An exact rational p/q (q > 0, lowest terms) on 64-bit integers; every operation returns nil on
/// overflow, and callers then fall back to ``MathComplex``.
struct MathRational: Equatable {
    let p: Int
    let q: Int

    init?(_ p: Int, _ q: Int) {
        guard q != 0 else { return nil }
        var a = p, b = q
        if b < 0 {
            // -Int.min overflows; such a value is not worth keeping exact.
            guard a != Int.min, b != Int.min else { return nil }
            a = -a; b = -b
        }
        let g = MathRational.gcd(a.magnitude, b.magnitude)
        self.p = a / Int(g)
        self.q = b / Int(g)
    }

    static func gcd(_ a: UInt, _ b: UInt) -> UInt {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return max(x, 1)
    }

    var double: Double { Double(p) / Double(q) }
    var isInteger: Bool { q == 1 }

    static func + (a: MathRational, b: MathRational) -> MathRational? {
        let (x, o1) = a.p.multipliedReportingOverflow(by: b.q), (y, o2) = b.p.multipliedReportingOverflow(by: a.q)
        let (d, o3) = a.q.multipliedReportingOverflow(by: b.q)
        guard !o1, !o2, !o3 else { return nil }
        let (n, o4) = x.addingReportingOverflow(y)
        return o4 ? nil : MathRational(n, d)
    }

    static prefix func - (a: MathRational) -> MathRational? { a.p == Int.min ? nil : MathRational(-a.p, a.q) }

    static func * (a: MathRational, b: MathRational) -> MathRational? {
        let (n, o1) = a.p.multipliedReportingOverflow(by: b.p), (d, o2) = a.q.multipliedReportingOverflow(by: b.q)
        return o1 || o2 ? nil : MathRational(n, d)
    }

    func reciprocal() -> MathRational? { p == 0 ? nil : MathRational(q, p) }

    /// Integer powers with |n| ≤ 64 (larger ones leave the exact path).
    func power(_ n: Int) -> MathRational? {
        guard abs(n) <= 64 else { return nil }
        var r: MathRational? = MathRational(1, 1)
        for _ in 0..<abs(n) { r = r.flatMap { $0 * self } }
        return n < 0 ? r?.reciprocal() : r
    }
}

/// A complex double, enough for the evaluator: MATH answers include `6-5i`, and `\sqrt{-4}` is `2i`.
struct MathComplex: Equatable {
    var re: Double
    var im: Double

    init(_ re: Double, _ im: Double = 0) {
        self.re = re
        self.im = im
    }

    static let i = MathComplex(0, 1)
    var magnitude: Double { (re * re + im * im).squareRoot() }
    var isFinite: Bool { re.isFinite && im.isFinite }
    var isReal: Bool { abs(im) <= 1e-12 * max(1, abs(re)) }

    static func + (a: MathComplex, b: MathComplex) -> MathComplex { MathComplex(a.re + b.re, a.im + b.im) }
    static func - (a: MathComplex, b: MathComplex) -> MathComplex { MathComplex(a.re - b.re, a.im - b.im) }
    static prefix func - (a: MathComplex) -> MathComplex { MathComplex(-a.re, -a.im) }
    static func * (a: MathComplex, b: MathComplex) -> MathComplex {
        if a.im == 0 && b.im == 0 { return MathComplex(a.re * b.re) }
        return MathComplex(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)
    }
    static func / (a: MathComplex, b: MathComplex) -> MathComplex {
        if a.im == 0 && b.im == 0 { return MathComplex(a.re / b.re) }
        let d = b.re * b.re + b.im * b.im
        return MathComplex((a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d)
    }

    func log() -> MathComplex { MathComplex(Foundation.log(magnitude), atan2(im, re)) }
    func exp() -> MathComplex {
        let m = Foundation.exp(re)
        return MathComplex(m * cos(im), m * sin(im))
    }

    /// Principal power; integer exponents by repeated squaring (exact for small integers).
    func power(_ w: MathComplex) -> MathComplex {
        if w.im == 0, w.re.rounded() == w.re, abs(w.re) <= 1024 {
            var n = Int(w.re), base = self, acc = MathComplex(1)
            let negative = n < 0
            n = abs(n)
            while n > 0 {
                if n & 1 == 1 { acc = acc * base }
                base = base * base
                n >>= 1
            }
            return negative ? MathComplex(1) / acc : acc
        }
        if im == 0, re > 0, w.im == 0 { return MathComplex(Foundation.pow(re, w.re)) }
        if re == 0 && im == 0 { return MathComplex(0) }
        return (w * log()).exp()
    }

    /// Closeness used for every numeric comparison: |a − b| ≤ tol · max(1, |a|, |b|); infinities
    /// are equal only to the same infinity.
    func isClose(to b: MathComplex, tolerance: Double) -> Bool {
        if !isFinite || !b.isFinite { return self == b }
        return (self - b).magnitude <= tolerance * max(1, magnitude, b.magnitude)
    }
}
