/// Lenient readings of a value, for data files whose writers disagree on types (an index written
/// `2` or `2.0`, an answer stored as a number or a string) — what Foundation's `NSNumber`
/// bridging gave the readers that used `JSONSerialization`.
extension JSONValue {
    /// An integral number of magnitude below 9e15 (`12`, `12.0`, `1.2e1`), where a double still
    /// holds every integer; nil for other numbers and for non-numbers (booleans included).
    public var integralValue: Int? {
        guard let d = doubleValue, d.rounded() == d, abs(d) < 9.0e15 else { return nil }
        return intValue ?? Int(d)
    }

    /// A string as is, or a number as text: integers exactly, other numbers as `NSNumber.stringValue`
    /// prints them (Swift's shortest round-trip form, a trailing `.0` dropped: `2.50` → `2.5`,
    /// `1e2` → `100`). Nil for other values.
    public var scalarText: String? {
        switch self {
        case let .string(s): return s
        case let .number(text):
            if let i = Int(text) { return String(i) }
            guard let d = Double(text) else { return text }
            if let i = integralValue { return String(i) }
            guard case let .number(t) = JSONValue.foundationNumber(d) else { return text }
            return t
        default: return nil
        }
    }
}
