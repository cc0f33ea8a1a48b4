/// Word-level helpers shared by the rules picker and the K classifier: lower-cased words, content
/// words (stop-words dropped, a plural `s` folded), and phrase lookup on word boundaries.
enum TextFeatures {
    /// Lower-cased alphanumeric words; apostrophes (' and ’) stay inside words as `'`.
    static func words(_ s: String) -> [String] {
        var out: [String] = []
        var cur = String.UnicodeScalarView()
        for u in s.lowercased().unicodeScalars {
            if u.properties.isAlphabetic || ("0"..."9").contains(u) {
                cur.append(u)
            } else if (u == "'" || u == "’"), !cur.isEmpty {
                cur.append("'")
            } else if !cur.isEmpty {
                out.append(String(cur))
                cur = String.UnicodeScalarView()
            }
        }
        if !cur.isEmpty { out.append(String(cur)) }
        return out.map { $0.hasSuffix("'") ? String($0.dropLast()) : $0 }
    }

    static let stopWords: Set<String> = [
        "the", "and", "for", "are", "but", "not", "you", "your", "all", "any", "can", "her", "was", "one",
        "our", "out", "has", "him", "his", "how", "its", "may", "who", "did", "get", "got", "let", "she",
        "too", "use", "that", "with", "have", "this", "will", "they", "them", "their", "from", "what",
        "when", "where", "which", "why", "would", "could", "should", "there", "about", "into", "some",
        "than", "then", "these", "those", "were", "been", "being", "also", "just", "like", "more", "most",
        "such", "very", "want", "wants", "know", "tell", "give", "make", "please", "help", "someone", "user",
        "asking", "okay", "so", "need", "way", "ways", "i'm", "don't", "it's",
    ]

    /// Content words: at least 3 letters, not a stop-word, trailing plural `s` removed.
    static func contentWords(_ s: String) -> Set<String> {
        Set(words(s).filter { $0.count >= 3 && !stopWords.contains($0) }.map { w in
            w.count > 4 && w.hasSuffix("s") && !w.hasSuffix("ss") ? String(w.dropLast()) : w
        })
    }

    /// Does the word sequence contain `phrase` (space-separated words) as a contiguous run?
    static func contains(_ words: [String], _ phrase: [String]) -> Bool {
        guard !phrase.isEmpty, phrase.count <= words.count else { return false }
        for i in 0...(words.count - phrase.count) where words[i] == phrase[0] {
            var j = 1
            while j < phrase.count, words[i + j] == phrase[j] { j += 1 }
            if j == phrase.count { return true }
        }
        return false
    }

    /// Phrases given as space-separated strings, pre-split into words.
    static func phrases(_ list: [String]) -> [[String]] { list.map { words($0) } }
}
