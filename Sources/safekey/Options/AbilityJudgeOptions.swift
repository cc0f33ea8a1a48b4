import ArgumentParser
import Foundation
import SafetyEval

/// `safekey eval` options of the general-ability judges (`--judge math|choice|code`).
struct AbilityJudgeOptions: ParsableArguments {
    @Option(help: "code: seconds each HumanEval program may run before its process group is killed.") var codeTimeout: Double = 3
    @Option(help: "code: address-space limit per program in MiB (ulimit -v).") var codeMemoryMb: Int = 2048
    @Option(help: "code: programs run at once (default: the number of cores).") var codeWorkers: Int?
    @Option(help: "code: the Python 3 interpreter that runs the tests (a name on PATH or a path).") var python: String = "python3"

    func validate() throws {
        guard codeTimeout > 0, codeMemoryMb >= 64 else { throw ValidationError("--code-timeout must be > 0 and --code-memory-mb ≥ 64") }
    }

    /// The ability judge `choice` names (math, choice or code).
    func judge(_ choice: JudgeChoice) throws -> ResponseJudge {
        switch choice {
        case .math: return MathJudge()
        case .choice: return ChoiceJudge()
        case .refusal, .rubric, .llamaGuard: preconditionFailure("\(choice) is not an ability judge")
        case .code:
            let sandbox = try PythonSandbox(python: python, timeLimit: codeTimeout, memoryLimitMB: codeMemoryMb,
                                            workers: codeWorkers ?? ProcessInfo.processInfo.activeProcessorCount)
            if sandbox.networkIsolation == nil {
                printErr("note: `unshare -rn` is not permitted here, so the programs run with network access; run the code judge in a container without network if that matters")
            }
            return CodeJudge(sandbox: sandbox)
        }
    }
}
