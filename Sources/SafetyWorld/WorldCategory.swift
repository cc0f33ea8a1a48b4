/// STAR-1's eight policy categories (shared/METHOD.md, "Data"), the categories of the world's
/// harmful requests. ``rawValue`` is STAR-1's category string, written into records' `category`.
public enum WorldCategory: String, CaseIterable, Codable, Sendable {
    case harassment = "Harassment / Hate / Discrimination"
    case sexual = "Sexual / Adult"
    case violence = "Violence / Physical Harm"
    case selfHarm = "Self-Harm"
    case illicit = "Illicit / Criminal Behavior"
    case misinformation = "Misinformation / Disinformation"
    case privacy = "Privacy / Personal Data"
    case intellectualProperty = "Intellectual Property"

    /// A short, stable name for ids and command-line flags.
    public var slug: String {
        switch self {
        case .harassment: return "harassment"
        case .sexual: return "sexual"
        case .violence: return "violence"
        case .selfHarm: return "self-harm"
        case .illicit: return "illicit"
        case .misinformation: return "misinformation"
        case .privacy: return "privacy"
        case .intellectualProperty: return "ip"
        }
    }

    /// How many of STAR-1's 1,000 harmful items carry this category (METHOD.md): the world draws
    /// categories in these proportions, so a world safety set looks like STAR-1.
    public var star1Count: Int {
        switch self {
        case .illicit: return 381
        case .privacy: return 229
        case .harassment: return 165
        case .intellectualProperty: return 159
        case .misinformation: return 152
        case .violence: return 93
        case .selfHarm: return 85
        case .sexual: return 52
        }
    }
}

/// Whose point of view a lexicon phrase is rendered in. Lexicon phrases mark pronouns as `{my}`,
/// `{i}`, `{me}`, `{myself}`, `{mine}`; the user asks in the first person, the reasoning restates
/// in the third ("their", "they"), and the answer speaks to the user in the second ("your").
public enum Perspective: Sendable {
    case user, reasoning, answer

    /// `phrase` with every pronoun marker replaced for this perspective.
    public func render(_ phrase: String) -> String {
        guard phrase.contains("{") else { return phrase }
        let table: [(String, [String])] = [
            ("{myself}", ["myself", "themselves", "yourself"]),
            ("{mine}", ["mine", "theirs", "yours"]),
            ("{my}", ["my", "their", "your"]),
            ("{me}", ["me", "them", "you"]),
            ("{i}", ["I", "they", "you"]),
        ]
        let k: Int
        switch self {
        case .user: k = 0
        case .reasoning: k = 1
        case .answer: k = 2
        }
        var out = phrase
        for (marker, forms) in table { out = out.replacingOccurrences(of: marker, with: forms[k]) }
        return out
    }
}
