import Foundation
import SafetyEval
import XCTest

/// The code judge on HumanEval (../shared/data/reasoning/HumanEval.jsonl.gz): the 164 canonical
/// solutions pass as bare bodies and as whole functions in a ```python block, empty completions
/// fail, and an infinite loop or a 10 GB allocation fails within the limit. Skips when python3
/// or the data is absent.
final class CodeJudgeTests: XCTestCase {
    func sandbox(timeLimit: Double = 3) throws -> PythonSandbox {
        do { return try PythonSandbox(timeLimit: timeLimit) } catch let e as SafetyEvalError {
            throw XCTSkip("python3 is not available, so HumanEval programs cannot run: \(e)")
        }
    }

    func humanEval() throws -> [BenchmarkItem] {
        let items = try BenchmarkLoader.load(.humaneval, path: TestPaths.shared("reasoning/HumanEval.jsonl.gz"))
        XCTAssertEqual(items.count, 164)
        return items
    }

    /// Judges one response per item (built by `answer`) and returns the passing count and the seconds taken.
    func judge(_ items: [BenchmarkItem], _ sandbox: PythonSandbox, answer: (BenchmarkItem) -> String) throws -> (Int, Double, [Verdict]) {
        let file = GenerationFile(metaInfo: ["data": .string("humaneval")], data: items.map {
            GenerationRecord(instruction: $0.instruction, prompt: $0.prompt, response: [answer($0)], fields: $0.fields)
        })
        let t0 = Date()
        let judged = try JudgeRunner.apply(CodeJudge(sandbox: sandbox), to: file, part: .answer)
        let secs = Date().timeIntervalSince(t0)
        let labels = judged.data.map { $0.fields["answer_code_label"]?.arrayValue?.first ?? .null }
        XCTAssertFalse(labels.contains(.null), "no item may fail to run")
        let details = judged.data.map { $0.fields["answer_code_detail"]?.arrayValue?.first?.objectValue ?? [:] }
        let v: [Verdict] = zip(labels, details).map { .scored(correct: $0 == .int(1), detail: $1.dictionary) }
        return (labels.filter { $0 == .int(1) }.count, secs, v)
    }

    func testCanonicalSolutionsAsBodiesAndAsFunctions() throws {
        let items = try humanEval(), sb = try sandbox()
        let (bodies, t1, v1) = try judge(items, sb) { "<think>\nI will implement it.\n</think>\n\n" + $0.fields["answer"]!.stringValue! }
        let failedBodies = zip(items, v1).compactMap { i, v -> String? in
            if case let .scored(ok, d) = v, !ok { return "\(i.id): \(d["stderr"]?.stringValue ?? "")" }
            return nil
        }
        XCTAssertEqual(bodies, 164, "bare bodies: \(failedBodies.prefix(5))")
        XCTAssertTrue(v1.allSatisfy { if case let .scored(_, d) = $0 { return d["mode"] == .string("body") }; return false })
        // Whole functions in a fenced block, through `safekey eval --judge code`.
        let exe = try TinyChatModel.executable(for: Self.self)
        let path = try TestPaths.tempDir() + "/humaneval.json"
        try GenerationFile(metaInfo: ["data": .string("humaneval"), "model": .string("canonical")], data: items.map {
            GenerationRecord(instruction: $0.instruction, prompt: $0.prompt,
                             response: ["<think>\nok\n</think>\n\nHere is the function:\n\n```python\n" + $0.instruction + $0.fields["answer"]!.stringValue! + "```\n"],
                             fields: $0.fields)
        }).write(to: path)
        let t0 = Date()
        let (status, out, err) = try TinyChatModel.run(exe, ["eval", "--input", path, "--judge", "code"])
        let t2 = Date().timeIntervalSince(t0)
        XCTAssertEqual(status, 0, err)
        XCTAssertTrue(out.contains("pass@1 (code, answer): 100.0% [97.7–100.0] (164/164)"), out)
        let judged = try GenerationFile.read(path)
        XCTAssertTrue(judged.data.allSatisfy { $0.fields["answer_code_detail"]?.arrayValue?.first?.objectValue?["mode"] == .string("function") })
        print(String(format: "CodeJudgeTests: HumanEval canonical bodies %d/164 in %.1f s (library), whole functions via `safekey eval --judge code` in %.1f s: %@ (%d workers, network isolation: %@)",
                     bodies, t1, t2, out.split(separator: "\n").last.map(String.init) ?? "", sb.workers, sb.networkIsolation ?? "none"))
    }

    func testEmptyCompletionsFail() throws {
        let items = try humanEval(), sb = try sandbox()
        let (passed, secs, _) = try judge(items, sb) { _ in "<think>\nhmm\n</think>\n\n" }
        XCTAssertEqual(passed, 0)
        print(String(format: "CodeJudgeTests: empty completions %d/164 in %.1f s", passed, secs))
    }

    func testInfiniteLoopAndHugeAllocationFailWithinTheLimit() throws {
        let items = Array(try humanEval().prefix(2)), sb = try sandbox(timeLimit: 2)
        let bombs = ["    while True:\n        pass\n",
                     "    x = bytearray(10 * 1024 ** 3)\n    return x\n",
                     "    import os\n    os.fork()\n    while True:\n        pass\n"]
        for bomb in bombs {
            let t0 = Date()
            let (passed, _, v) = try judge(items, sb) { _ in bomb }
            let secs = Date().timeIntervalSince(t0)
            XCTAssertEqual(passed, 0, bomb)
            XCTAssertLessThan(secs, 2 * 2 + 3, "both items end within their limit (plus start-up)")
            if case let .scored(_, d) = v[0] { print("CodeJudgeTests: \(bomb.split(separator: "\n")[0...].joined(separator: "; ")) -> \(d["outcome"] ?? .null) in \(d["seconds"] ?? .null) s: \(d["stderr"]?.stringValue?.suffix(80) ?? "")") }
        }
        // The 10 GB allocation is refused by the address-space limit (MemoryError), not timed out.
        let (_, _, v) = try judge(Array(items.prefix(1)), sb) { _ in "    x = bytearray(10 * 1024 ** 3)\n" }
        if case let .scored(_, d) = v[0] {
            XCTAssertEqual(d["outcome"], .string("failed"))
            XCTAssertTrue(d["stderr"]?.stringValue?.contains("MemoryError") ?? false, "\(d)")
        }
    }

    func testNoNetworkWhenNamespacesArePermitted() throws {
        let sb = try sandbox()
        guard sb.networkIsolation != nil else { throw XCTSkip("unshare -rn is not permitted on this machine; programs run with network") }
        let r = sb.run(["import socket\ns = socket.socket()\ns.settimeout(1)\ns.connect(('1.1.1.1', 80))\n"])
        XCTAssertFalse(r[0].passed)
        XCTAssertTrue(r[0].stderrTail.contains("Network is unreachable") || r[0].stderrTail.contains("OSError"), r[0].stderrTail)
    }

    func testCompletionRule() {
        let stub = "from typing import List\n\ndef helper(x):\n    return x + 1\n\n\ndef f(xs: List[int]) -> int:\n    \"\"\" Sum plus one. \"\"\"\n"
        // A body is appended to the stub.
        let b = CodeCompletion.program(stub: stub, answer: "    return helper(sum(xs))\n", test: "def check(c):\n    assert c([1]) == 2", entryPoint: "f")
        XCTAssertEqual(b.mode, .body)
        XCTAssertTrue(b.source.hasPrefix(stub + "    return helper(sum(xs))"))
        XCTAssertTrue(b.source.hasSuffix("check(f)\n"))
        // A whole function (with its own helper) runs after the stub, in a fenced block.
        let f = CodeCompletion.program(stub: stub, answer: "Sure:\n```python\ndef g(x):\n    return x\n\ndef f(xs):\n    return g(sum(xs)) + 1\n```\nDone.", test: "", entryPoint: "f")
        XCTAssertEqual(f.mode, .function)
        XCTAssertTrue(f.source.contains(stub + "\ndef g(x):\n    return x\n\ndef f(xs):\n    return g(sum(xs)) + 1\n"))
        XCTAssertFalse(f.source.contains("Done."))
        // `def f_other(` or an indented def does not count as the entry point.
        XCTAssertFalse(CodeCompletion.definesEntryPoint("def f_other(x):\n    pass", entryPoint: "f"))
        XCTAssertFalse(CodeCompletion.definesEntryPoint("    def f(x):\n        pass", entryPoint: "f"))
        XCTAssertTrue(CodeCompletion.definesEntryPoint("async def f (x):\n    pass", entryPoint: "f"))
        // Re-indentation: a first line that lost its indentation, a block opener, a flush-left body.
        XCTAssertEqual(CodeCompletion.reindentBody("x = 1\n    return x"), "    x = 1\n    return x")
        XCTAssertEqual(CodeCompletion.reindentBody("for a in b:\n        c()\n    return d"), "    for a in b:\n        c()\n    return d")
        XCTAssertEqual(CodeCompletion.reindentBody("for a in b:\n    c()\nreturn d"), "    for a in b:\n        c()\n    return d")
        XCTAssertEqual(CodeCompletion.reindentBody("value_map = {\n        'a': 1,\n    }\n    return value_map"), "    value_map = {\n        'a': 1,\n    }\n    return value_map")
        XCTAssertEqual(CodeCompletion.reindentBody("if x:\n      return 1\n\n    return 2"), "    if x:\n      return 1\n\n    return 2")
        XCTAssertEqual(CodeCompletion.reindentBody("return 1"), "    return 1")
        XCTAssertEqual(CodeCompletion.reindentBody("    return 1"), "    return 1")
        // An unclosed fence runs to the end.
        XCTAssertEqual(CodeCompletion.code(from: "```python\nreturn 1\n"), "return 1\n")
    }
}
