import Foundation

/// Scores the complete answers a chat model could give to a prompt: `log P(candidate, end of turn |
/// messages)` for each candidate. ``LocalModelScorer`` implements it on our decoder by rendering
/// `messages` with the model's chat template (generation prompt on) and summing the log-softmax of
/// each candidate's tokens plus the end-of-turn token, in one batched forward pass.
public protocol CandidateScorer: Sendable {
    func logProbabilities(messages: [ChatMessage], candidates: [String]) async throws -> [Double]
}

/// The `model` method (issue 8 item 3): the ``PickerPrompt`` few-shot prompt over numbered
/// sentences, answered by a local model with decoding constrained to a valid sentence number.
/// Constraint by scoring: every valid answer `"1"…"shown−1"` is scored as a whole sequence
/// (answer + end of turn, so `"1"` does not win merely for being a prefix of `"12"`) and the best is
/// taken — the exact argmax over the allowed set. Confidence = the winner's share of the
/// probability mass over the allowed answers.
///
/// The model-backed scorer is ``LocalModelScorer`` (`safekey annotate --method model --model DIR`);
/// tests also drive this type with a stand-in scorer.
public struct ModelPicker: SentencePicker {
    public var method: String { "model" }
    public let scorer: any CandidateScorer
    public init(scorer: any CandidateScorer) { self.scorer = scorer }

    public func pick(_ input: PickerInput) async throws -> Pick {
        let shown = min(input.sentences.count, PickerPrompt.window)
        guard shown >= 2 else { throw AnnotatorError.tooFewSentences(shown) }
        let messages = PickerPrompt.messages(question: input.question, sentences: (0..<shown).map { input.sentence($0) })
        let candidates = (1..<shown).map { String($0) }
        let lp = try await scorer.logProbabilities(messages: messages, candidates: candidates)
        guard lp.count == candidates.count, lp.allSatisfy({ !$0.isNaN && $0 <= 1e-9 }) else {
            throw AnnotatorError.malformedResponse("the scorer returned \(lp.count) log-probabilities for \(candidates.count) candidates, or a value that is NaN or positive")
        }
        var best = 0
        for i in lp.indices where lp[i] > lp[best] { best = i }
        guard lp[best] > -Double.infinity else { throw AnnotatorError.unparsableAnswer("every candidate has probability 0") }
        var mass = 0.0
        for v in lp { mass += exp(v - lp[best]) }
        return Pick(uSentenceCount: best + 1, confidence: 1 / mass)
    }
}
