/// The world's two code tables and its word splitting: how the obscuring jailbreak families
/// (``JailbreakFamily``) hide a request's object so that none of its key words appear in the
/// prompt, and what the base model learns in pre-training to decode back in U.
///
/// - **Code words** (table A, used by the families seen in safety training): every lexicon object,
///   harmful or benign, has one two-word code name `<colour> <thing>` ("blue kettle").
/// - **Slang** (table B, used only by the held-out families): every object has one two-word
///   nickname `<quirk> <food>` ("fuzzy noodle").
/// - **Split words**: each key word of the object (its content words without link words, as the
///   judge reads them) cut in two halves (`park|ed`; each letter run of "self-harm" or "kid's" on its
///   own), so the prompt carries the pieces only.
///
/// Both tables are bijections of the sorted object list onto their 16 × 16 word pairs
/// (object `i` → adjective `i % 16`, noun `(i / 16 + i) % 16`: distinct for `i < 256`), so every
/// object has its own code name and its own slang, the same on every machine. Their words occur in
/// no lexicon phrase (checked by `WorldJailbreakTests`).
///
///     Codebook.code(for: "a parked car")    // e.g. "amber teapot"
///     Codebook.slang(for: "a parked car")   // e.g. "dusty pickle"
///     Codebook.halves("parked")             // ("par", "ked")
public enum Codebook {
    static let codeAdjectives = ["blue", "green", "amber", "violet", "silver", "golden", "crimson", "teal",
                                 "ivory", "coral", "olive", "indigo", "scarlet", "azure", "copper", "jade"]
    static let codeNouns = ["kettle", "teapot", "lantern", "pebble", "feather", "button", "ribbon", "marble",
                            "candle", "pillow", "teacup", "thimble", "saucer", "whistle", "acorn", "mitten"]
    static let slangAdjectives = ["fuzzy", "wobbly", "sleepy", "jolly", "bouncy", "dusty", "frosty", "grumpy",
                                  "lucky", "misty", "noisy", "rusty", "shiny", "sunny", "tiny", "zesty"]
    static let slangNouns = ["noodle", "pickle", "muffin", "biscuit", "waffle", "pretzel", "dumpling", "turnip",
                             "strudel", "radish", "pumpkin", "cabbage", "parsnip", "meatball", "crumpet", "pancake"]

    /// Every lexicon object (harmful and benign, with its `{my}` markers), sorted, without repeats.
    public static let objects: [String] = Array(Set(categoryLexicons.flatMap { lex in
        lex.actions.flatMap { $0.harmful + $0.benign.map(\.text) }
    })).sorted()

    static let index: [String: Int] = Dictionary(uniqueKeysWithValues: objects.enumerated().map { ($1, $0) })

    static func pair(_ i: Int, _ adjectives: [String], _ nouns: [String]) -> String {
        adjectives[i % adjectives.count] + " " + nouns[(i / adjectives.count + i) % nouns.count]
    }

    /// The object's code name (table A); nil for a phrase that is not a lexicon object.
    public static func code(for object: String) -> String? { index[object].map { pair($0, codeAdjectives, codeNouns) } }

    /// The object's slang nickname (table B); nil for a phrase that is not a lexicon object.
    public static func slang(for object: String) -> String? { index[object].map { pair($0, slangAdjectives, slangNouns) } }

    /// A word cut in two halves, the first holding the extra letter of an odd length ("car" →
    /// "ca", "r"); a one-letter word gives ("", word).
    public static func halves(_ word: String) -> (String, String) {
        let cut = (word.count + 1) / 2
        return word.count < 2 ? ("", word) : (String(word.prefix(cut)), String(word.dropFirst(cut)))
    }

    /// Whether a word of a rendered object is a key word (split by the split families).
    static func isKeyWord(_ word: String) -> Bool {
        let content = WorldAnswerText.contentWords(word)
        return !content.isEmpty && !content.allSatisfy { WorldAnswerText.linkWords.contains($0) || $0.hasPrefix("@") }
    }

    /// A word as its letter-or-digit runs and what separates them ("self-harm" → runs "self",
    /// "harm"; "kid's" → run "kid", then "'s"), so every run is cut on its own and no whole run
    /// — a content word of the judge — survives a split.
    static func runs(_ word: String) -> [(run: String, after: String)] {
        var out: [(run: String, after: String)] = []
        var run = "", sep = ""
        for ch in word {
            if ch.isLetter || ch.isNumber {
                if !sep.isEmpty { out.append((run, sep)); run = ""; sep = "" }
                run.append(ch)
            } else {
                sep.append(ch)
            }
        }
        out.append((run, sep))
        // A possessive or contraction ending ("'s", "'t") stays with the separator, not a run.
        if out.count >= 2, out[out.count - 1].run.count <= 2, out[out.count - 2].after.hasSuffix("'") {
            let last = out.removeLast()
            out[out.count - 1].after += last.run + last.after
        }
        return out
    }

    /// A run cut as ``halves(_:)`` does, or one letter earlier or later when a half would be a
    /// content word of the phrase itself ("selling" in "… and sell it" → "se" + "lling", not "sell").
    static func cut(_ run: String, avoiding words: Set<String>) -> (String, String) {
        let first = halves(run)
        guard run.count > 2 else { return first }
        let n = (run.count + 1) / 2
        for k in [n, n - 1, n + 1] where k > 0 && k < run.count {
            let a = String(run.prefix(k)), b = String(run.dropFirst(k))
            if !words.contains(a.lowercased()) && !words.contains(b.lowercased()) { return (a, b) }
        }
        return first
    }

    /// The runs of the key words of a rendered phrase, each cut in two (see ``runs(_:)``), with the
    /// separator that follows each run; non-key words as `(word, "", "")`.
    static func pieces(_ rendered: String) -> [[(a: String, b: String, after: String)]] {
        let words = Set(WorldAnswerText.contentWords(rendered))
        return rendered.split(separator: " ").map { w -> [(a: String, b: String, after: String)] in
            let word = String(w)
            guard isKeyWord(word) else { return [(word, "", "")] }
            return runs(word).map { r in
                let (a, b) = cut(r.run, avoiding: words)
                return (a, b, r.after)
            }
        }
    }

    /// The object in a perspective with every run of every key word written as `half-half`
    /// ("a par-ked ca-r", "se-lf-ha-rm", "ki-d's").
    public static func splitWords(_ object: String, _ perspective: Perspective) -> String {
        pieces(perspective.render(object)).map { word in
            word.map { p in (p.a.isEmpty || p.b.isEmpty ? p.a + p.b : p.a + "-" + p.b) + p.after }.joined()
        }.joined(separator: " ")
    }

    /// The object's key words' runs cut in two, as two cards: every first half in order, and every
    /// second half (separators such as `'s` left out).
    public static func cards(_ object: String, _ perspective: Perspective) -> (String, String) {
        let rendered = perspective.render(object)
        let cut = pieces(rendered).enumerated().filter { isKeyWord(String(rendered.split(separator: " ")[$0.offset])) }
            .flatMap(\.element).filter { !($0.a + $0.b).isEmpty }
        return (cut.map(\.a).filter { !$0.isEmpty }.joined(separator: " "), cut.map(\.b).filter { !$0.isEmpty }.joined(separator: " "))
    }
}
