import Foundation

/// The `code` judge (HumanEval): builds each answer's program by the completion rule
/// (``CodeCompletion``: the stub is the record's `instruction`, or its `prompt_code` field when
/// present; plus the record's `test` and `entry_point`) and runs it in ``PythonSandbox``.
/// Label 1 when the program exits 0 within the time limit, 0 otherwise; null when the record lacks
/// `test` or `entry_point`. Detail: `mode` (function/body), `outcome`, `stderr` (tail), `seconds`.
public struct CodeJudge: ResponseJudge {
    public let name = "code"
    public static let version = 1
    public let sandbox: PythonSandbox

    public init(sandbox: PythonSandbox) { self.sandbox = sandbox }

    public var settings: [String: EvalJSON] {
        ["rules_version": .int(Self.version), "python": .string(sandbox.python), "time_limit_s": .double(sandbox.timeLimit),
         "memory_limit_mb": .int(sandbox.memoryLimitMB), "workers": .int(sandbox.workers),
         "network_isolation": sandbox.networkIsolation.map { .string($0) } ?? .string("none: unshare -rn is not permitted on this machine")]
    }

    public func judge(_ inputs: [JudgeInput], benchmark: Benchmark?) throws -> [Verdict] {
        var programs: [String] = [], modes: [CodeCompletion.Mode] = [], index: [Int?] = []
        for inp in inputs {
            guard let test = inp.fields["test"]?.stringValue, let entry = inp.fields["entry_point"]?.stringValue else {
                index.append(nil)
                continue
            }
            let stub = inp.fields["prompt_code"]?.stringValue ?? inp.instruction
            let p = CodeCompletion.program(stub: stub, answer: inp.response, test: test, entryPoint: entry)
            index.append(programs.count)
            programs.append(p.source)
            modes.append(p.mode)
        }
        let results = sandbox.run(programs)
        return zip(inputs, index).map { inp, k in
            guard let k else { return .failed("the record has no 'test' and 'entry_point' fields (HumanEval layout); regenerate with `safekey generate --data humaneval=…`") }
            let r = results[k]
            if r.outcome == "error" { return .failed("could not run the program: \(r.stderrTail)") }
            return .scored(correct: r.passed, detail: ["mode": .string(modes[k].rawValue), "outcome": .string(r.outcome),
                                                       "stderr": .string(r.stderrTail), "seconds": .double((r.seconds * 1000).rounded() / 1000),
                                                       "think_closed": .bool(inp.thinkClosed)])
        }
    }
}
