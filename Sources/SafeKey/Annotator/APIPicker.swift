import Foundation

/// The `api` method (issue 8 item 4): asks an OpenAI-compatible chat-completions endpoint the
/// ``PickerPrompt`` question and reads back the number of the last U sentence.
///
/// A valid answer is cached (``ResponseCache``) so reruns send nothing. A refusal (`refusal` set,
/// or `finish_reason == "content_filter"`) fails the record with ``AnnotatorError/refused(_:)``;
/// an answer without a number fails with ``AnnotatorError/unparsableAnswer(_:)``; a number
/// outside `1…shown−1` with ``AnnotatorError/invalidPick(count:sentences:)``. None is cached.
public struct APIPicker: SentencePicker {
    public var method: String { "api" }
    public let client: AnnotatorAPIClient
    public let model: String
    public let cache: ResponseCache?

    public init(client: AnnotatorAPIClient, model: String, cache: ResponseCache?) {
        self.client = client
        self.model = model
        self.cache = cache
    }

    public func pick(_ input: PickerInput) async throws -> Pick {
        let shown = min(input.sentences.count, PickerPrompt.window)
        let body = try PickerPrompt.requestBody(model: model, question: input.question,
                                                sentences: (0..<shown).map { input.sentence($0) })
        if let cached = cache?.get(endpoint: client.endpoint, body: body) {
            return try Self.pick(from: cached, shown: shown)
        }
        let answer = try await client.complete(body: body)
        if let refusal = answer.refusal, !refusal.isEmpty { throw AnnotatorError.refused(refusal) }
        if answer.finishReason == "content_filter" { throw AnnotatorError.refused("finish_reason content_filter") }
        guard let content = answer.content else { throw AnnotatorError.unparsableAnswer("(no content)") }
        let pick = try Self.pick(from: content, shown: shown)
        cache?.put(endpoint: client.endpoint, body: body, content: content)
        return pick
    }

    static func pick(from content: String, shown: Int) throws -> Pick {
        guard let (n, clean) = PickerPrompt.parseAnswer(content) else { throw AnnotatorError.unparsableAnswer(content) }
        guard n >= 1, n < shown else { throw AnnotatorError.invalidPick(count: n, sentences: shown) }
        return Pick(uSentenceCount: n, confidence: clean ? 1.0 : 0.8)
    }
}
