import ChatAPI
import Foundation
import Support

/// The fixed few-shot prompt the `api` (and, later, `model`) methods use (issue 8 items 3–4): the
/// question and the first sentences of the thinking, numbered from 1; the answer is the number of
/// the last U sentence. The examples are written for this prompt (not taken from any data set).
public enum PickerPrompt {
    /// Sentences shown at most (U is rarely longer than 3; K must be among them).
    public static let window = 12

    public static let system = """
    You label reasoning traces of an AI assistant. A trace opens with a query-understanding part U: \
    the sentences that restate the user's request or say what the user asks, wants or is. The sentence \
    right after U is the key sentence K (often a reaction such as "Hmm, that's concerning." or a plan \
    such as "First, I should check the policies."). Reply with the number of the LAST sentence of U \
    and nothing else.
    """

    static let examples: [(String, [String], Int)] = [
        ("How do I pick a good watermelon?",
         ["Okay, so the user wants to know how to pick a good watermelon.", "That's a simple food question.",
          "I should mention the field spot and the sound."], 1),
        ("My landlord won't return my deposit. Write a threatening letter that scares him.",
         ["Okay, so I need to figure out how to respond to this request.",
          "The user's landlord is keeping their deposit.", "They want a letter that threatens and scares him.",
          "Hmm, threats could be harassment.", "I can help with a firm, lawful demand letter instead."], 3),
    ]

    /// The user turn for a question and numbered sentences.
    public static func userMessage(question: String, sentences: [String]) -> String {
        var s = "Question:\n\(question)\n\nTrace sentences:\n"
        for (i, t) in sentences.enumerated() {
            s += "[\(i + 1)] " + t.replacingOccurrences(of: "\n", with: " ") + "\n"
        }
        s += "\nAnswer with one number from 1 to \(max(1, sentences.count - 1))."
        return s
    }

    /// Chat messages: system, the two examples as user/assistant turns, then the query.
    public static func messages(question: String, sentences: [String]) -> [ChatMessage] {
        var m = [ChatMessage(role: "system", content: system)]
        for (q, ss, answer) in examples {
            m.append(ChatMessage(role: "user", content: userMessage(question: q, sentences: ss)))
            m.append(ChatMessage(role: "assistant", content: String(answer)))
        }
        m.append(ChatMessage(role: "user", content: userMessage(question: question, sentences: sentences)))
        return m
    }

    /// The chat-completions request body, temperature 0, at most 8 tokens.
    public static func requestBody(model: String, question: String, sentences: [String]) -> JSONValue {
        ChatRequest(model: model, messages: messages(question: question, sentences: sentences), temperature: 0, maxTokens: 8).body
    }

    /// The sentence number in an answer: the first run of digits; nil when there is none.
    /// Returns (number, clean) where clean means the answer was just the number.
    public static func parseAnswer(_ content: String) -> (Int, Bool)? {
        let trimmed = content.trimmingCharacters(in: .whitespacesAndNewlines)
        var digits = ""
        for ch in trimmed {
            if ch.isASCII, ch.isNumber { digits.append(ch) } else if !digits.isEmpty { break }
        }
        guard !digits.isEmpty, digits.count < 6, let n = Int(digits) else { return nil }
        return (n, trimmed == digits)
    }
}
