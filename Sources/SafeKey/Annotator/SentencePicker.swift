/// What a picker sees: the question, the normalised response and its sentences.
public struct PickerInput: Sendable {
    public let question: String
    public let response: NormalizedResponse
    /// Sentences of the thinking (absolute scalar ranges into `response.text`), at least 2.
    public let sentences: [Range<Int>]

    public init(question: String, response: NormalizedResponse, sentences: [Range<Int>]) {
        self.question = question
        self.response = response
        self.sentences = sentences
    }

    /// The text of sentence `i` (0-based).
    public func sentence(_ i: Int) -> String { response.text.string(sentences[i]) }
}

/// A picker's decision: U is the first ``uSentenceCount`` sentences; K is the next one.
public struct Pick: Sendable, Equatable {
    public let uSentenceCount: Int
    /// 0…1, the picker's own estimate (rules: cue strength; api: 1 for a clean answer, lower when
    /// the answer had to be repaired).
    public let confidence: Double
    public init(uSentenceCount: Int, confidence: Double) {
        self.uSentenceCount = uSentenceCount
        self.confidence = confidence
    }
}

/// The seam between the annotator and whatever decides where U ends (issue 8 items 2–4):
/// ``RulesPicker`` (instant, default), ``APIPicker`` (an OpenAI-compatible endpoint) and
/// ``ModelPicker`` (a local model through a ``CandidateScorer``, e.g. ``LocalModelScorer``).
///
/// Contract: return `1 ≤ uSentenceCount ≤ sentences.count − 1`, or throw an ``AnnotatorError``.
/// Must be safe to call concurrently.
public protocol SentencePicker: Sendable {
    /// The `annotation.method` value written with each record ("rules", "api", …).
    var method: String { get }
    func pick(_ input: PickerInput) async throws -> Pick
}
