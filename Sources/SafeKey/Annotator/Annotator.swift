import Support

/// U and K for one record, as written to the output (`summary_end_idx`, `next_sentence_end_idx`,
/// and the `annotation` object of issue 8 item 5).
public struct Annotation: Sendable, Equatable {
    /// End of U (exclusive), a scalar offset into the normalised response; U = `a[:summaryEndIdx]`.
    public let summaryEndIdx: Int
    /// End of K (exclusive); K = `a[summaryEndIdx:nextSentenceEndIdx]` (starts with the whitespace
    /// between U and K, as the reference's slicing does).
    public let nextSentenceEndIdx: Int
    public let method: String
    public let segmenter: String
    public let sentenceCount: Int
    public let uSentenceCount: Int
    /// K's sentence text, without the leading whitespace.
    public let kText: String
    public let kIsSafetyAha: Bool
    public let kAhaScore: Int
    public let confidence: Double

    /// The `annotation` JSON object. `confidence` is rounded to three decimals and written as
    /// `JSONSerialization` wrote it (`1`, not `1.0`), so output lines stay as earlier releases wrote them.
    public var json: JSONObject {
        ["method": .string(method), "segmenter": .string(segmenter), "sentence_count": .int(sentenceCount),
         "u_sentence_count": .int(uSentenceCount), "k_text": .string(kText), "k_is_safety_aha": .bool(kIsSafetyAha),
         "k_aha_score": .int(kAhaScore), "confidence": .foundationNumber((confidence * 1000).rounded() / 1000)]
    }
}

/// Finds U and K in a record: segment the thinking, ask the picker where U ends, take the next
/// sentence as K, classify K.
///
/// ```swift
/// let annotator = Annotator(picker: RulesPicker())
/// let a = try await annotator.annotate(question: r.question, response: r.response)
/// a.summaryEndIdx; a.nextSentenceEndIdx
/// ```
public struct Annotator: Sendable {
    public var segmenter: SentenceSegmenter
    public var picker: any SentencePicker
    public var classifier: KeySentenceClassifier

    public init(picker: any SentencePicker = RulesPicker(), segmenter: SentenceSegmenter = SentenceSegmenter(),
                classifier: KeySentenceClassifier = KeySentenceClassifier()) {
        self.picker = picker
        self.segmenter = segmenter
        self.classifier = classifier
    }

    /// The picker's input for a response (sentences of its thinking), or why there is none.
    public func input(question: String, response: NormalizedResponse) throws -> PickerInput {
        guard !response.thinkingRange.isEmpty else { throw AnnotatorError.emptyThinking }
        let sentences = segmenter.sentences(in: response)
        guard sentences.count >= 2 else { throw AnnotatorError.tooFewSentences(sentences.count) }
        return PickerInput(question: question, response: response, sentences: sentences)
    }

    public func annotate(question: String, response: NormalizedResponse) async throws -> Annotation {
        let inp = try input(question: question, response: response)
        let pick = try await picker.pick(inp)
        return try finish(inp, pick)
    }

    /// Turns a pick into offsets; checks the pick's contract.
    public func finish(_ inp: PickerInput, _ pick: Pick) throws -> Annotation {
        let n = inp.sentences.count, u = pick.uSentenceCount
        guard u >= 1, u < n else { throw AnnotatorError.invalidPick(count: u, sentences: n) }
        let k = inp.sentence(u)
        let verdict = classifier.classify(k, question: inp.question)
        return Annotation(summaryEndIdx: inp.sentences[u - 1].upperBound, nextSentenceEndIdx: inp.sentences[u].upperBound,
                          method: picker.method, segmenter: segmenter.mode.rawValue, sentenceCount: n,
                          uSentenceCount: u, kText: k, kIsSafetyAha: verdict.isSafetyAha, kAhaScore: verdict.score,
                          confidence: pick.confidence)
    }
}
