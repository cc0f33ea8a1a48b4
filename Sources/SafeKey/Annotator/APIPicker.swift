import ChatAPI
import Foundation

/// The `api` method (issue 8 item 4): asks an OpenAI-compatible chat-completions endpoint the
/// ``PickerPrompt`` question and reads back the number of the last U sentence, through ChatAPI's
/// ``ChatClient`` (retries, timeouts, the response cache and the key's safety live there).
///
/// A valid answer is cached (when the client has a cache) so reruns send nothing. A refusal
/// (`refusal` set, or `finish_reason == "content_filter"`) fails the record with
/// ``AnnotatorError/refused(_:)``; an answer without a number fails with
/// ``AnnotatorError/unparsableAnswer(_:)``; a number outside `1…shown−1` with
/// ``AnnotatorError/invalidPick(count:sentences:)``. None is cached or retried.
public struct APIPicker: SentencePicker {
    public var method: String { "api" }
    public let client: ChatClient
    public let model: String

    public init(client: ChatClient, model: String) {
        self.client = client
        self.model = model
    }

    public func pick(_ input: PickerInput) async throws -> Pick {
        let shown = min(input.sentences.count, PickerPrompt.window)
        let body = PickerPrompt.requestBody(model: model, question: input.question,
                                            sentences: (0..<shown).map { input.sentence($0) })
        do {
            return try await client.complete(body) { answer in
                if let refusal = answer.refusal, !refusal.isEmpty { throw AnnotatorError.refused(refusal) }
                if answer.finishReason == "content_filter" { throw AnnotatorError.refused("finish_reason content_filter") }
                guard let content = answer.content else { throw AnnotatorError.unparsableAnswer("(no content)") }
                return try Self.pick(from: content, shown: shown)
            }
        } catch let e as ChatAPIError {
            throw AnnotatorError(e)
        }
    }

    static func pick(from content: String, shown: Int) throws -> Pick {
        guard let (n, clean) = PickerPrompt.parseAnswer(content) else { throw AnnotatorError.unparsableAnswer(content) }
        guard n >= 1, n < shown else { throw AnnotatorError.invalidPick(count: n, sentences: shown) }
        return Pick(uSentenceCount: n, confidence: clean ? 1.0 : 0.8)
    }
}

extension AnnotatorError {
    /// The annotator's view of a client failure (same kinds as before ChatAPI existed).
    public init(_ e: ChatAPIError) {
        switch e {
        case let .httpStatus(code, body): self = .httpStatus(code, body)
        case .transport, .timedOut, .redirect: self = .transport(e.description)
        case let .malformedResponse(why): self = .malformedResponse(why)
        case let .unusable(why): self = .unparsableAnswer(why)
        case let .invalidEndpoint(why): self = .configuration(why)
        }
    }
}
