import Foundation

/// Which part of a response a judge reads (`--part`), as in the reference's `eval.py`.
///
/// - `response`: the whole generated text;
/// - `answer`: the text after the **last** `</think>` (reference: `x.split('</think>')[-1]`);
/// - `think`: the text before the **first** `</think>` (reference: `x.split('</think>')[0]`), with
///   a leading `<think>` tag removed.
///
/// Missing `</think>` is handled explicitly: the model never closed its reasoning (it ran out of
/// tokens, or it does not think). Then there is no separate answer; `answer` and `think` both
/// return the whole response (the reference's split does the same), and ``PartText/thinkClosed``
/// is `false` so judges record it and reports count it.
public enum ResponsePart: String, CaseIterable, Codable, Sendable {
    case response
    case answer
    case think

    public static let thinkEnd = "</think>"

    public func extract(from response: String) -> PartText {
        let closed = response.range(of: Self.thinkEnd) != nil
        switch self {
        case .response:
            return PartText(text: response, thinkClosed: closed)
        case .answer:
            guard let r = response.range(of: Self.thinkEnd, options: .backwards) else { return PartText(text: response, thinkClosed: false) }
            return PartText(text: String(response[r.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines), thinkClosed: true)
        case .think:
            var t = response
            if let r = response.range(of: Self.thinkEnd) { t = String(response[..<r.lowerBound]) }
            t = t.trimmingCharacters(in: .whitespacesAndNewlines)
            if t.hasPrefix("<think>") { t = String(t.dropFirst("<think>".count)).trimmingCharacters(in: .whitespacesAndNewlines) }
            return PartText(text: t, thinkClosed: closed)
        }
    }

    /// The label key a judge writes for this part: `refusal_label`, `answer_refusal_label`, ...
    public func labelKey(judge: String) -> String {
        self == .response ? "\(judge)_label" : "\(rawValue)_\(judge)_label"
    }

    /// The detail key beside the label: `refusal_detail`, `answer_refusal_detail`, ...
    public func detailKey(judge: String) -> String {
        self == .response ? "\(judge)_detail" : "\(rawValue)_\(judge)_detail"
    }
}

/// A part of a response and whether the response closed its reasoning with `</think>`.
public struct PartText: Equatable, Sendable {
    public var text: String
    public var thinkClosed: Bool
    public init(text: String, thinkClosed: Bool) {
        self.text = text
        self.thinkClosed = thinkClosed
    }
}
