import SafeKey

/// One generated response of the report's example traces (issue 16 item 5), cut into the model's
/// understanding U, its key sentence K and the rest, where the SafeKey annotator's rules picker
/// (``RulesPicker``, as `safekey annotate --method rules`) puts them — generated text has no
/// reference offsets. A response without two sentences of thinking keeps everything in `rest`.
public struct DemoTrace: Codable, Equatable {
    public var model: String
    public var set: String
    public var id: String
    public var prompt: String
    public var verdict: String
    /// `<think>\n` + U, K (with its leading whitespace), and the rest of the response.
    public var u: String
    public var k: String
    public var rest: String

    /// `response` is what the model wrote after the generation prompt (which opens `<think>\n`).
    init(model: String, set: String, id: String, prompt: String, verdict: String, response: String) {
        self.model = model
        self.set = set
        self.id = id
        self.prompt = prompt
        self.verdict = verdict
        let raw = "<think>\n" + response
        let annotator = Annotator(picker: RulesPicker())
        guard case let .success(normalized) = NormalizedResponse.normalize(raw),
              let input = try? annotator.input(question: prompt, response: normalized),
              let pick = try? RulesPicker().decide(input),
              let a = try? annotator.finish(input, pick) else {
            (u, k, rest) = ("", "", raw)
            return
        }
        let text = normalized.text
        u = text.string(0..<a.summaryEndIdx)
        k = text.string(a.summaryEndIdx..<a.nextSentenceEndIdx)
        rest = text.string(a.nextSentenceEndIdx..<text.count)
    }
}
