import Foundation
import Support
import Tokenizers

/// Builds the prompt text of a ``GenerationRequest`` the way the reference's `gen.py` does, with a
/// model's tokenizer and chat template: the chat rendered with the generation prompt (no system
/// prompt unless the messages carry one), then, for the prefilling attack, `" " + prefill` where
/// `prefill` decodes the first `tokens` ids of the target (encoded without special tokens), or the
/// whole target as is for a ``PrefillSpec/verbatim`` one.
///
/// Shared by the in-process ``DecoderGenerator`` and by ``APIGenerator`` in `--tokenizer` mode,
/// which sends this text to a server's raw `/v1/completions` — so both generate from the same
/// characters.
///
///     let (prompt, prefill) = try PromptRenderer(tokenizer: tok).render(GenerationRequest(messages: [ChatTurn(role: "user", content: "Hi")]))
public struct PromptRenderer {
    public let tokenizer: Tokenizer

    public init(tokenizer: Tokenizer) { self.tokenizer = tokenizer }

    /// The prompt text and the prefill text used (nil when the request has none or 0 tokens).
    public func render(_ request: GenerationRequest) throws -> (prompt: String, prefill: String?) {
        let messages = request.messages.map { ChatMessage(role: $0.role, content: $0.content) }
        var text = try tokenizer.applyChatTemplate(messages, addGenerationPrompt: true)
        var prefill: String?
        if let spec = request.prefill, spec.verbatim {
            text += spec.target
            prefill = spec.target
        } else if let spec = request.prefill, spec.tokens > 0 {
            let ids = try tokenizer.encode(spec.target, addSpecialTokens: false)
            let p = tokenizer.decode(Array(ids.prefix(spec.tokens)), skipSpecialTokens: true)
            text += " " + p
            prefill = p
        }
        return (text, prefill)
    }

    /// Tokens before `</think>` in a response: its position in `ids` when the tokenizer has it as
    /// one token (R1 models) and the ids are known, else the token count of the text before it;
    /// nil when the response never closed its reasoning.
    public func thinkLength(ids: [Int]?, text: String) -> Int? {
        if let ids, let end = tokenizer.tokenId(ResponsePart.thinkEnd), let k = ids.firstIndex(of: end) { return k }
        guard let r = text.range(of: ResponsePart.thinkEnd) else { return nil }
        return (try? tokenizer.encode(String(text[..<r.lowerBound]), addSpecialTokens: false))?.count
    }
}
