/// One row of the demo's table: an evaluation set, or one rung of the prefill ladder (the prefill
/// set's prompts with more and more of the compliant trace pre-filled; every rung uses the same
/// prompts, so rungs are paired).
public struct DemoRow: Hashable, Sendable {
    public let set: WorldSetKind
    public let prefill: PrefillStyle?

    public init(_ set: WorldSetKind, prefill: PrefillStyle? = nil) {
        self.set = set
        self.prefill = prefill
    }

    /// `plain-harmful`, …, `prefill-understanding`, `prefill-compliant-key`, `prefill-thinking`,
    /// `prefill-answer`, `benign` (the `set` key of results.json and generations.jsonl).
    public var id: String { prefill.map { "prefill-\($0.rawValue)" } ?? set.rawValue }

    public var title: String {
        if let prefill { return "prefill: " + prefill.title }
        switch set {
        case .plainHarmful: return "plain harmful"
        case .seenJailbreaks: return "jailbreaks (seen families)"
        case .heldOutJailbreaks: return "jailbreaks (held-out families)"
        case .benign: return "benign look-alikes"
        case .benignSeen: return "benign, seen families"
        case .benignHeldOut: return "benign, held-out families"
        default: return set.rawValue
        }
    }

    /// Harmful request rows report harmfulness; the benign rows report over-refusal and compliance.
    public var isHarmful: Bool { !self.set.isBenign }

    /// The table's rows, in order: three prompt sets, the four prefill rungs, the benign look-alikes
    /// plain and wrapped in the seen and the held-out families (the same tasks' look-alikes).
    public static let all: [DemoRow] = [DemoRow(.plainHarmful), DemoRow(.seenJailbreaks), DemoRow(.heldOutJailbreaks)]
        + PrefillStyle.allCases.map { DemoRow(.prefill, prefill: $0) } + benignRows
    /// The benign rows: plain, seen families, held-out families.
    public static let benignRows: [DemoRow] = [DemoRow(.benign), DemoRow(.benignSeen), DemoRow(.benignHeldOut)]
    /// The rows of the "average" line: the sets the single-seed demo averaged (plain, seen,
    /// held-out, and the prefill at U + K, which was its prefilling attack).
    public static let averaged: [DemoRow] = [DemoRow(.plainHarmful), DemoRow(.seenJailbreaks), DemoRow(.heldOutJailbreaks),
                                             DemoRow(.prefill, prefill: .compliantKey)]
    /// The plain benign row.
    public static let benign = DemoRow(.benign)
}
