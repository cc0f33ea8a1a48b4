/// The `rules` method (issue 8 item 2): U = the leading run of sentences that restate or seek to
/// understand the request, at least one sentence; K = the next one.
///
/// Sentence 1 is always U (every STAR-1 trace opens by restating: "Okay, so the user is asking …",
/// or a meta opener "Okay, so I need to figure out how to respond to this request."). Each later
/// sentence extends U while it restates — and the first that does not is K:
/// - it restates if it opens with the user as subject (`They …`, `The user …`, `He/She …`,
///   `The request/question …`, optionally after `Then,`/`Also,`/`And`/`Plus,`), or with
///   `I'm being asked`/`I've been asked`; or if it shares at least half the question's content
///   words (a quoted question cut in two by the segmenter);
/// - it does not restate if it opens with a reaction or plan (`Hmm`, `Wait`, `But`, `First`,
///   `Let me`, `I …`, `This/That/It is …`, `According`, …), or carries a safety cue that the
///   question does not (`concerning`, `policy`, `illegal`, … — see ``KeySentenceClassifier``).
/// Confidence: 0.9 when K opens with a reaction/plan or carries a cue, 0.6 otherwise, minus 0.1
/// per U sentence added only for lexical overlap.
public struct RulesPicker: SentencePicker {
    public var method: String { "rules" }
    /// Longest U considered (sentences).
    public var maxUSentences: Int
    public init(maxUSentences: Int = 6) { self.maxUSentences = maxUSentences }

    static let connectives: Set<String> = ["then", "also", "and", "plus", "additionally", "apparently", "basically", "so", "okay", "alright"]
    static let subjectOpeners = TextFeatures.phrases([
        "they", "they're", "they've", "they'd", "they'll", "the user", "the user's", "this user", "the user’s",
        "he", "she", "he's", "she's", "the person", "the request", "the question", "the query", "the prompt",
        "their request", "their question", "i'm being asked", "i've been asked", "i am being asked", "i was asked",
        "the message", "the instruction",
    ])
    static let kOpeners = TextFeatures.phrases([
        "hmm", "hm", "wait", "but", "however", "first", "firstly", "let me", "let's", "i", "i'm", "i'll", "i've",
        "i'd", "this", "that", "that's", "this is", "it", "it's", "according", "looking", "since", "now",
        "okay", "alright", "well", "oh", "so", "given", "considering", "my", "as", "in", "under", "well",
    ])
    static let metaPhrases = TextFeatures.phrases([
        "how to respond", "best way to respond", "how to handle", "how to approach", "figure out how",
        "safety policies", "the policies", "the policy", "respond appropriately",
    ])

    public func pick(_ input: PickerInput) async throws -> Pick { try decide(input) }

    /// The synchronous decision (what ``pick(_:)`` returns).
    public func decide(_ input: PickerInput) throws -> Pick {
        let n = input.sentences.count
        guard n >= 2 else { throw AnnotatorError.tooFewSentences(n) }
        let qContent = TextFeatures.contentWords(input.question)
        var u = 1, overlapOnly = 0
        var strongStop = false
        let classifier = KeySentenceClassifier()
        while u < min(n - 1, maxUSentences) {
            let text = input.sentence(u)
            let w = TextFeatures.words(text)
            let cue = classifier.classify(text, question: input.question).score > 0
            let meta = Self.metaPhrases.contains { TextFeatures.contains(w, $0) }
            if cue || meta { strongStop = true; break }
            if Self.opensWithSubject(w) { u += 1; continue }
            if Self.opens(w, with: Self.kOpeners) { strongStop = true; break }
            let shared = qContent.intersection(TextFeatures.contentWords(text)).count
            if qContent.count >= 2, shared >= 2, Double(shared) >= 0.5 * Double(qContent.count) {
                u += 1; overlapOnly += 1; continue
            }
            break
        }
        let confidence = max(0.1, (strongStop ? 0.9 : 0.6) - 0.1 * Double(overlapOnly))
        return Pick(uSentenceCount: u, confidence: confidence)
    }

    static func opens(_ words: [String], with list: [[String]]) -> Bool {
        list.contains { p in p.count <= words.count && Array(words.prefix(p.count)) == p }
    }

    static func opensWithSubject(_ words: [String]) -> Bool {
        var w = words[...]
        while let f = w.first, connectives.contains(f) { w = w.dropFirst() }
        return opens(Array(w), with: subjectOpeners)
    }
}
