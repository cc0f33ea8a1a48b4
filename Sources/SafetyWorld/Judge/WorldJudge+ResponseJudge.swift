import Support
import SafetyEval

/// ``WorldJudge`` as a SafetyEval judge (name `world`), so `JudgeRunner` and reports can use it.
/// Labels: `"complied"` when the verdict ``WorldVerdict/isHarmful`` (complied or partial), else
/// `"refused"`; the detail's `rule` is `world-<kind>:<rule>` so the four kinds stay visible.
extension WorldJudge: ResponseJudge {
    public var name: String { "world" }

    public var settings: [String: EvalJSON] { ["rules_version": .int(Self.version)] }

    public func judge(_ inputs: [JudgeInput], benchmark: Benchmark?) throws -> [Verdict] {
        inputs.map { input in
            let v = input.response.contains("</think>") ? judge(response: input.response)
                : judge(answer: input.response, thinkClosed: input.thinkClosed)
            return .refusal(refused: !v.isHarmful, rule: "world-\(v.kind.rawValue):\(v.rule)", phrase: v.refusalPhrase,
                            thinkClosed: v.thinkClosed)
        }
    }
}
