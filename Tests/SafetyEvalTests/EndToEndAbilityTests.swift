import Foundation
import SafetyEval
import XCTest

/// A scripted model that knows the answers: it boxes MATH-500's gold answer, writes HumanEval's
/// canonical body, and refuses every other prompt, so the combined report's numbers are known.
final class OracleModel: ResponseGenerator {
    let modelName = "oracle"
    let answers: [String: String]
    var settings: [String: EvalJSON] { ["temperature": .int(0), "max_new_tokens": .int(64)] }

    init(_ items: [BenchmarkItem]) {
        var a: [String: String] = [:]
        for i in items {
            if let t = i.fields["test"], t != .null { a[i.prompt] = "<think>\nWrite the body.\n</think>\n\n```python\n" + i.instruction + (i.fields["answer"]?.stringValue ?? "") + "```" }
            else if let g = i.fields["answer"]?.stringValue { a[i.prompt] = "<think>\nSolve it.\n</think>\n\nThe answer is $\\boxed{\(g)}$." }
        }
        answers = a
    }

    func generate(_ requests: [GenerationRequest]) throws -> [GenerationResult] {
        requests.map { r in
            let q = r.messages.last?.content ?? ""
            let text = answers[q] ?? "<think>\nThis is harmful.\n</think>\n\nI'm sorry, but I can't help with that."
            return GenerationResult(prompt: q, responses: [text], generatedTokens: 20, responseTokens: [20], thinkTokens: [5])
        }
    }
}

/// End to end for both halves: the tiny real model (our decoder) and the oracle generate for 5
/// MATH-500, 5 HumanEval and 5 StrongREJECT items; the math, code and refusal judges label them;
/// the combined report compares the oracle against the tiny model as the baseline. Then the same
/// through the `safekey eval` and `safekey report --baseline` commands.
final class EndToEndAbilityTests: XCTestCase {
    func testTinyModelAndOracleCombinedReport() throws {
        let sandbox: PythonSandbox
        do { sandbox = try PythonSandbox() } catch { throw XCTSkip("python3 is absent, so the code judge cannot run: \(error)") }
        let math = BenchmarkSelection(stride: 100, limit: 5).apply(try BenchmarkLoader.load(.math500, path: TestPaths.shared("reasoning/MATH_test.jsonl")))
        let code = BenchmarkSelection(stride: 33, limit: 5).apply(try BenchmarkLoader.load(.humaneval, path: TestPaths.shared("reasoning/HumanEval.jsonl.gz")))
        let harm = BenchmarkSelection(stride: 60, limit: 5).apply(try BenchmarkLoader.load(.strongreject, path: TestPaths.shared("eval/strongreject/strongreject_dataset.csv")))
        XCTAssertEqual([math.count, code.count, harm.count], [5, 5, 5])
        let dir = try TestPaths.tempDir()
        let tiny = try DecoderGenerator(folder: try TinyChatModel.make(), name: "tiny-real", params: DecoderGenerator.referenceDefaults(maxNewTokens: 16))
        var paths: [String] = []
        for gen in [tiny, OracleModel(math + code + harm)] as [ResponseGenerator] {
            for (bench, items) in [(Benchmark.math500, math), (.humaneval, code), (.strongreject, harm)] {
                let path = "\(dir)/result/\(gen.modelName)/\(bench.rawValue).json"
                var f = try GenerationRunner(generator: gen, batchSize: 5).run(items: items, benchmark: bench, output: path)
                XCTAssertEqual(f.data.map { $0.fields["id"] }, items.map { .string($0.id) })
                XCTAssertTrue(f.data.allSatisfy { $0.fields["response_tokens"]?.arrayValue?.first?.intValue.map { $0 <= 64 } ?? false })
                switch bench {
                case .math500: f = try JudgeRunner.apply(MathJudge(), to: f, part: .answer)
                case .humaneval: f = try JudgeRunner.apply(CodeJudge(sandbox: sandbox), to: f, part: .answer)
                default: f = try JudgeRunner.apply(RefusalJudge(), to: f, part: .answer)
                }
                try f.write(to: path)
                paths.append(path)
            }
        }
        let report = EvalReport.build(try paths.map(ReportInput.init(path:)), baseline: "tiny-real")
        let c = try XCTUnwrap(report.combined)
        XCTAssertEqual(c.columns.map(\.benchmark), ["strongreject", "math500", "humaneval"])
        XCTAssertEqual(c.columns.map(\.metric), ["harmfulness", "accuracy", "pass@1"])
        let oracle = try XCTUnwrap(c.rows.first { $0.model == "oracle" }), base = try XCTUnwrap(c.rows.first { $0.model == "tiny-real" })
        XCTAssertEqual(oracle.values.map { $0?.k }, [0, 5, 5])
        XCTAssertEqual(base.values.map { $0?.k }, [5, 0, 0], "gibberish is not a refusal, has no boxed answer and is not Python")
        XCTAssertEqual(oracle.deltas.compactMap { $0 }, [-100, 100, 100])
        XCTAssertEqual(base.ability[1]?.truncated.n, 5)
        XCTAssertEqual(oracle.ability[1]?.truncated.k, 0)
        XCTAssertNotNil(base.ability[1]?.meanResponseTokens)
        try report.write(to: dir + "/report")
        let md = try String(contentsOfFile: dir + "/report/report.md", encoding: .utf8)
        XCTAssertTrue(md.contains("| oracle | 0.0 [0.0–43.4] (−100.0) | 100.0 [56.6–100.0] (+100.0) | 100.0 [56.6–100.0] (+100.0) | 0.0 (−100.0) | 100.0 (+100.0) |"), md)
        let html = try String(contentsOfFile: dir + "/report/report.html", encoding: .utf8)
        XCTAssertTrue(html.contains("<section id=\"combined\">") && html.contains("MATH-500 ↑"))
        if let out = ProcessInfo.processInfo.environment["SAFEKEY_ABILITY_REPORT_DIR"] { try report.write(to: out) }

        // The same through the commands: re-judge one file with `safekey eval`, then `safekey report --baseline`.
        let exe = try TinyChatModel.executable(for: Self.self)
        let mathFile = "\(dir)/result/oracle/math500.json"
        let (s1, o1, e1) = try TinyChatModel.run(exe, ["eval", "--input", mathFile, "--judge", "math"])
        XCTAssertEqual(s1, 0, e1)
        XCTAssertTrue(o1.contains("accuracy (math, answer): 100.0%"), o1)
        let (s2, o2, e2) = try TinyChatModel.run(exe, ["report"] + paths + ["--output", dir + "/cli-report", "--baseline", "tiny-real"])
        XCTAssertEqual(s2, 0, e2)
        XCTAssertTrue(o2.contains("oracle: safety avg 0.0%, ability avg 100.0% (ability +100.0 points)"), o2)
        let (s3, _, e3) = try TinyChatModel.run(exe, ["report"] + paths + ["--output", dir + "/x", "--baseline", "nobody"])
        XCTAssertNotEqual(s3, 0)
        XCTAssertTrue(e3.contains("--baseline 'nobody' is not one of the models"), e3)
    }
}
