import Foundation
import Support

/// When and how long to wait before trying a request again.
///
/// Attempt `n` (1-based) that fails with a retryable ``ChatAPIError`` is followed by attempt
/// `n + 1` after `Retry-After` when the server sent one (seconds or an HTTP date, capped at
/// `maxRetryAfter`), else after `min(maxDelay, baseDelay · 2^(n−1)) · (1 − jitter · u)` with `u`
/// uniform in [0, 1) from a ``SplitMix64`` seeded by `seed` — reproducible back-off that still
/// spreads concurrent clients apart. At most `maxAttempts` attempts are made in all.
///
///     let p = RetryPolicy(maxAttempts: 4, baseDelay: 0.5, maxDelay: 16)
///     p.delay(afterAttempt: 3, retryAfter: nil, unit: 0)   // 2.0 s
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included (≥ 1).
    public var maxAttempts: Int
    /// Seconds before the second attempt (before jitter).
    public var baseDelay: Double
    /// Cap on the exponential delay, seconds.
    public var maxDelay: Double
    /// Cap on a server's `Retry-After`, seconds.
    public var maxRetryAfter: Double
    /// Fraction of the delay that is randomised, 0 (none) … 1 (full jitter).
    public var jitter: Double
    /// Seed of the jitter's generator.
    public var seed: UInt64

    public init(maxAttempts: Int = 3, baseDelay: Double = 1, maxDelay: Double = 30, maxRetryAfter: Double = 60,
                jitter: Double = 0.5, seed: UInt64 = 0x5AFE_4E7) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = max(0, baseDelay)
        self.maxDelay = max(0, maxDelay)
        self.maxRetryAfter = max(0, maxRetryAfter)
        self.jitter = min(1, max(0, jitter))
        self.seed = seed
    }

    /// Seconds to wait after failed attempt `attempt` (1-based); `unit` is the random draw in [0, 1).
    public func delay(afterAttempt attempt: Int, retryAfter: Double?, unit: Double) -> Double {
        if let r = retryAfter { return min(max(0, r), maxRetryAfter) }
        let exponential = min(maxDelay, baseDelay * pow(2, Double(max(0, attempt - 1))))
        return exponential * (1 - jitter * unit)
    }

    /// A `Retry-After` header value in seconds: delta-seconds, or an HTTP date relative to `now`
    /// (RFC 9110 §10.2.3); nil when absent or unreadable.
    public static func retryAfterSeconds(_ header: String?, now: Date = Date()) -> Double? {
        guard let h = header?.trimmingCharacters(in: .whitespaces), !h.isEmpty else { return nil }
        if let s = Double(h), s.isFinite { return max(0, s) }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = f.date(from: h) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
