import SafetyEval

/// The sets the demo needs, each drawn deterministically from a seed.
///
/// | set | split | requests | target trace |
/// |---|---|---|---|
/// | `pretraining` | training | 50% harmful, 50% benign; 60% of each wrapped in any family (``JailbreakFamily``) | unaligned |
/// | `safety-training` | training | 1,000 : 915 harmful : benign as STAR-1 (benign: mostly look-alikes of harmful ones); 25% of each wrapped in a seen family | safe |
/// | `plain-harmful` | evaluation | harmful, plain | safe (reference) |
/// | `seen-jailbreaks` | evaluation | harmful, seen families in turn | safe (reference) |
/// | `held-out-jailbreaks` | evaluation | harmful, held-out families in turn | safe (reference) |
/// | `prefill` | evaluation | harmful, plain, with a ``PrefillStyle/compliantKey`` prefill | safe (reference) |
/// | `benign` | evaluation | benign look-alikes, plain | safe (helpful) |
/// | `benign-seen` | evaluation | benign look-alikes, seen families in turn | safe (helpful) |
/// | `benign-held-out` | evaluation | benign look-alikes, held-out families in turn | safe (helpful) |
///
/// Categories are drawn in STAR-1's proportions (``WorldCategory/star1Count``). Questions are
/// distinct within a set; training and evaluation sets never share a task (``WorldRequest/split``).
/// The evaluation sets are **paired**: for a seed, the i-th example of every evaluation set asks
/// the same underlying harmful task (harmful sets) or its benign look-alike (benign sets), only
/// the wrapping differs, so any two sets' cells compare prompt by prompt.
public enum WorldSetKind: String, CaseIterable, Codable, Sendable {
    case pretraining
    case safetyTraining = "safety-training"
    case plainHarmful = "plain-harmful"
    case seenJailbreaks = "seen-jailbreaks"
    case heldOutJailbreaks = "held-out-jailbreaks"
    case prefill
    case benign
    case benignSeen = "benign-seen"
    case benignHeldOut = "benign-held-out"

    /// Whether the set's requests are benign look-alikes.
    public var isBenign: Bool { self == .benign || self == .benignSeen || self == .benignHeldOut }

    /// The task split the set draws from.
    public var split: WorldSplit {
        switch self {
        case .pretraining, .safetyTraining: return .training
        default: return .evaluation
        }
    }

    /// The trace its examples carry: what the set trains on, or the reference response of an
    /// evaluation set.
    public var traceKind: TraceKind { self == .pretraining ? .unaligned : .safe }
}

/// One example of a set: what is asked, the target (or reference) response, and for the prefill
/// set the text pre-filled into the response.
public struct WorldExample: Sendable, Equatable {
    /// `<set>-<index>`, e.g. "safety-training-17".
    public let id: String
    public let set: WorldSetKind
    public let prompt: WorldPrompt
    public let response: WorldResponse
    public let trace: TraceKind
    /// The prefilling attack's opening (``WorldSetKind/prefill`` only).
    public let prefill: String?
    /// The unaligned (compliant) trace the prefill is cut from (``WorldSetKind/prefill`` only), so
    /// other rungs of the prefill ladder (``PrefillStyle``) can be cut from the same trace.
    public let unaligned: WorldResponse?

    public var request: WorldRequest { prompt.request }

    /// This prefill example with another rung of the prefill ladder pre-filled, cut from the same
    /// unaligned trace; nil for examples of other sets.
    public func prefilled(_ style: PrefillStyle) -> WorldExample? {
        guard let unaligned else { return nil }
        return WorldExample(id: id, set: set, prompt: prompt, response: response, trace: trace,
                            prefill: style.text(from: unaligned), unaligned: unaligned)
    }

    /// The example as a SafetyEval benchmark item, for `GenerationRunner`: `prompt` is the last user
    /// message, `instruction` the plain request (what the judge holds the response against),
    /// `conversation` the whole chat for multi-turn items, `prefill` the prefilling attack's text
    /// (pre-fill it whole: it is already the compliant opening), `label` "unsafe" / "safe".
    public var benchmarkItem: BenchmarkItem {
        BenchmarkItem(id: id, prompt: prompt.messages.last?.content ?? prompt.question, instruction: request.question,
                      categories: [request.category.rawValue], label: request.harmful ? "unsafe" : "safe",
                      prefill: prefill, conversation: prompt.messages.count > 1 ? prompt.messages : nil)
    }

    /// The example as a SafeKey record.
    public var record: WorldRecord {
        WorldRecord(id: id, question: prompt.question, response: response.text,
                    source: request.harmful ? WorldRecord.harmfulSource : WorldRecord.benignSource,
                    category: [request.category.rawValue], summaryEndIdx: response.summaryEndIdx,
                    nextSentenceEndIdx: response.nextSentenceEndIdx, unsafe: request.harmful, set: set.rawValue,
                    split: request.split.rawValue, trace: trace.rawValue, jailbreakFamily: prompt.family?.rawValue,
                    conversation: prompt.messages.count > 1 ? prompt.messages : nil, prefill: prefill)
    }
}

/// The world's entry points.
public enum SafetyWorld {
    /// `count` distinct examples of a set, the same for the same `(set, count, seed)` on every
    /// machine. Throws ``WorldError/setExhausted(set:requested:produced:)`` when the lexicons cannot
    /// give that many distinct questions (thousands are available per set; see
    /// ``WorldRequest/spaceSize(harmful:)``), and ``WorldError/badCount(_:)`` for a negative count.
    ///
    ///     let train = try SafetyWorld.examples(.safetyTraining, count: 1915, seed: 2002)
    ///     train[0].record.jsonLine()    // {"category":[…],"next_sentence_end_idx":…,"question":…}
    public static func examples(_ set: WorldSetKind, count: Int, seed: UInt64) throws -> [WorldExample] {
        var out: [WorldExample] = []
        out.reserveCapacity(min(max(count, 0), 100_000))
        try forEachExample(set, count: count, seed: seed) { out.append($0) }
        return out
    }

    /// `examples(set, count:, seed:)` one at a time, in order, without holding them: the first N
    /// examples of any count are the same, so a huge `count` streams (memory holds only the set of
    /// questions seen) until the set is exhausted.
    public static func forEachExample(_ set: WorldSetKind, count: Int, seed: UInt64, _ body: (WorldExample) throws -> Void) throws {
        guard count >= 0 else { throw WorldError.badCount(count) }
        if set.split == .evaluation { return try forEachEvaluationExample(set, count: count, seed: seed, body) }
        var rng = WorldRandom(seed: seed, stream: set.rawValue)
        let weights = WorldCategory.allCases.map { Double($0.star1Count) }
        var seen = Set<String>()
        var produced = 0
        // Draws that give no new question in a row before the set counts as exhausted: with p the
        // fraction of the space still free, a run of 5,000 misses has probability (1 - p)^5000,
        // negligible unless fewer than ~0.3% of the questions are left.
        var misses = 0
        let maxMisses = 5_000
        while produced < count {
            let i = produced
            let category = WorldCategory.allCases[rng.weightedIndex(weights)]
            let (harmful, family) = composition(set, index: i, using: &rng)
            var request = WorldRequest.sample(category: category, harmful: harmful, using: &rng)
            if set == .safetyTraining, !harmful, rng.chance(0.9) {
                // STAR-benign: rewrites of harmful prompts; draw the harmful one and rewrite it.
                request = WorldRequest.sample(category: category, harmful: true, using: &rng).benignLookAlike(using: &rng)
            }
            let prompt = family.map { $0.wrap(request, using: &rng) } ?? WorldPrompt.plain(request, using: &rng)
            guard request.split == set.split, !seen.contains(prompt.question) else {
                misses += 1
                if misses > maxMisses { throw WorldError.setExhausted(set: set.rawValue, requested: count, produced: produced) }
                continue
            }
            seen.insert(prompt.question)
            misses = 0
            let response = TraceBuilder.response(for: prompt, kind: set.traceKind, using: &rng)
            produced += 1
            try body(WorldExample(id: "\(set.rawValue)-\(i)", set: set, prompt: prompt, response: response,
                                  trace: set.traceKind, prefill: nil, unaligned: nil))
        }
    }

    /// The evaluation sets' shared task list: the i-th harmful evaluation task of a seed and its
    /// benign look-alike (also an evaluation task), whatever the set — so the sets are paired.
    /// Tasks whose plain harmful or benign question already came are skipped for every set.
    static func forEachEvaluationExample(_ set: WorldSetKind, count: Int, seed: UInt64, _ body: (WorldExample) throws -> Void) throws {
        var tasks = WorldRandom(seed: seed, stream: "evaluation-tasks")
        var rng = WorldRandom(seed: seed, stream: set.rawValue)
        let weights = WorldCategory.allCases.map { Double($0.star1Count) }
        var seen = Set<String>()
        var produced = 0, misses = 0
        let maxMisses = 5_000
        while produced < count {
            let category = WorldCategory.allCases[tasks.weightedIndex(weights)]
            let harmful = WorldRequest.sample(category: category, harmful: true, using: &tasks)
            // Up to 20 look-alikes, for one that is an evaluation task too (about one in five is).
            var benign: WorldRequest? = nil
            for _ in 0..<20 {
                let b = harmful.benignLookAlike(using: &tasks)
                if b.split == .evaluation { benign = b; break }
            }
            guard harmful.split == .evaluation, let benign, !seen.contains(harmful.question), !seen.contains(benign.question) else {
                misses += 1
                if misses > maxMisses { throw WorldError.setExhausted(set: set.rawValue, requested: count, produced: produced) }
                continue
            }
            seen.insert(harmful.question)
            seen.insert(benign.question)
            misses = 0
            let i = produced
            let request = set.isBenign ? benign : harmful
            let family = composition(set, index: i, using: &rng).1
            let prompt = family.map { $0.wrap(request, using: &rng) } ?? WorldPrompt.plain(request, using: &rng)
            let response = TraceBuilder.response(for: prompt, kind: set.traceKind, using: &rng)
            var prefill: String? = nil
            var unaligned: WorldResponse? = nil
            if set == .prefill {
                unaligned = TraceBuilder.response(for: prompt, kind: .unaligned, using: &rng)
                prefill = unaligned.map(PrefillStyle.compliantKey.text(from:))
            }
            produced += 1
            try body(WorldExample(id: "\(set.rawValue)-\(i)", set: set, prompt: prompt, response: response,
                                  trace: set.traceKind, prefill: prefill, unaligned: unaligned))
        }
    }

    /// The response of a prompt under a trace kind (e.g. to pair a prompt with both traces).
    public static func response(for prompt: WorldPrompt, kind: TraceKind, using rng: inout WorldRandom) -> WorldResponse {
        TraceBuilder.response(for: prompt, kind: kind, using: &rng)
    }

    /// Whether the i-th example of a set is harmful, and its jailbreak family. Benign and harmful
    /// requests are wrapped at the same rate, so a wrapper carries no refusal signal.
    static func composition(_ set: WorldSetKind, index i: Int, using rng: inout WorldRandom) -> (Bool, JailbreakFamily?) {
        switch set {
        case .pretraining:
            let harmful = rng.chance(0.5)
            return (harmful, rng.chance(0.6) ? rng.one(JailbreakFamily.allCases) : nil)
        case .safetyTraining:
            let harmful = rng.chance(1000.0 / 1915.0)
            return (harmful, rng.chance(0.25) ? rng.one(JailbreakFamily.seen) : nil)
        case .plainHarmful, .prefill: return (true, nil)
        case .seenJailbreaks: return (true, JailbreakFamily.seen[i % JailbreakFamily.seen.count])
        case .heldOutJailbreaks: return (true, JailbreakFamily.heldOut[i % JailbreakFamily.heldOut.count])
        case .benign: return (false, nil)
        case .benignSeen: return (false, JailbreakFamily.seen[i % JailbreakFamily.seen.count])
        case .benignHeldOut: return (false, JailbreakFamily.heldOut[i % JailbreakFamily.heldOut.count])
        }
    }
}
