import Foundation

/// The `choice` judge (GPQA-Diamond, MMLU-Pro, any `choice=` set): the final option letter A–J of
/// the answer part against the record's gold `answer` letter.
///
/// The letter is taken from, in order of preference:
/// 1. the last `\boxed{…}` whose content is a letter (`\boxed{C}`, `\boxed{\text{(C)}}`, `\boxed{C) 42}`);
/// 2. the last "answer is X" / "answer: X" (the word "answer" in any case, then optional `is`, `:`,
///    `*`, `$`, `(`, `\text{`), as in "The answer is (C)", "ANSWER: B", "**Answer:** **D**";
/// 3. the last bold letter `**C**` / `**(C)**`;
/// 4. the last line that is only a letter (`C`, `(C)`, `C.`).
/// The letter must be upper case (so "the answer is a prime" is not A) and name an existing
/// option when the record lists `options`. Label 1/0; null when the record has no gold letter.
public struct ChoiceJudge: ResponseJudge {
    public let name = "choice"
    public static let version = 1

    public init() {}

    public var settings: [String: EvalJSON] { ["rules_version": .int(Self.version)] }

    static let answerPattern = try! NSRegularExpression(
        pattern: #"(?i:answer)(?:\s+(?i:is))?\s*[:：]?\s*[*_$\s]*\(?\s*(?:\\(?:text|textbf|mathrm)\{)?\s*([A-J])(?![A-Za-z0-9])"#)
    static let boldPattern = try! NSRegularExpression(pattern: #"\*\*\s*\(?([A-J])\)?[.):]?\s*\*\*"#)
    static let linePattern = try! NSRegularExpression(pattern: #"(?m)^[\s*]*\(?([A-J])\)?[.)]?[\s*]*$"#)

    public func judge(_ inputs: [JudgeInput], benchmark: Benchmark?) throws -> [Verdict] {
        inputs.map { inp in
            guard let gold = inp.fields["answer"]?.stringValue.map({ $0.trimmingCharacters(in: CharacterSet(charactersIn: " ()")).uppercased() }),
                  ChoiceLetters.all.contains(gold) else {
                return .failed("the record has no gold 'answer' letter A–J; regenerate with `safekey generate --data choice=…`")
            }
            let count = inp.fields["options"]?.arrayValue?.count ?? ChoiceLetters.all.count
            let letter = Self.extract(inp.response, optionCount: count)
            return .scored(correct: letter == gold, detail: ["extracted": letter.map { .string($0) } ?? .null, "gold": .string(gold),
                                                             "think_closed": .bool(inp.thinkClosed)])
        }
    }

    /// The chosen letter, or nil when the text names none.
    public static func extract(_ text: String, optionCount: Int = 10) -> String? {
        let valid = Set(ChoiceLetters.all.prefix(max(1, optionCount)))
        if let boxed = MathAnswerExtractor.lastBoxed(text) {
            var t = boxed
            for c in MathNormalizer.textCommands { t = t.replacingOccurrences(of: c, with: "") }
            t = t.filter { !"{}()* $".contains($0) }
            if let f = t.first, valid.contains(String(f)), t.count == 1 || !(t.dropFirst().first?.isLetter ?? false) { return String(f) }
        }
        let ns = text as NSString
        for re in [answerPattern, boldPattern, linePattern] {
            let matches = re.matches(in: text, range: NSRange(location: 0, length: ns.length))
            if let m = matches.last(where: { valid.contains(ns.substring(with: $0.range(at: 1))) }) {
                return ns.substring(with: m.range(at: 1))
            }
        }
        return nil
    }
}
