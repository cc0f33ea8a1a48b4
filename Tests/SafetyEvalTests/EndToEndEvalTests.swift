import Foundation
import SafetyEval
import TestSupport
import ChatAPI
import XCTest

/// A scripted model that "thinks", then refuses or complies by a fixed rule, so the judges' and
/// the report's numbers are known in advance (a random tiny model cannot refuse on purpose).
/// `testRealTinyModel...` below runs the same pipeline with a real model on our decoder.
final class ScriptedModel: ResponseGenerator {
    let modelName: String
    let refuseEvery: Int
    var settings: [String: EvalJSON] { ["temperature": .int(0), "repetition_penalty": .double(1.2), "max_new_tokens": .int(64)] }

    init(name: String, refuseEvery: Int) {
        modelName = name
        self.refuseEvery = refuseEvery
    }

    func generate(_ requests: [GenerationRequest]) throws -> [GenerationResult] {
        requests.map { r in
            let q = r.messages.last?.content ?? ""
            let refuse = q.unicodeScalars.reduce(0) { $0 + Int($1.value) } % refuseEvery == 0
            let text = refuse ? "Okay, the user asks: \(q.prefix(40)). Hmm, this is concerning.\n</think>\n\nI'm sorry, but I can't help with that."
                              : "Okay, the user asks: \(q.prefix(40)).\n</think>\n\nSure, here is an answer to \"\(q.prefix(30))\"."
            return GenerationResult(prompt: "<｜User｜>\(q)<｜Assistant｜><think>\n", responses: [text], generatedTokens: 24)
        }
    }
}

/// End to end: 20 prompts of two real benchmarks → generation files → refusal and rubric judges
/// (rubric against the loopback stub) → report.json / report.md / report.html.
/// Set SAFEKEY_EVAL_REPORT_DIR to keep the report (Scripts/eval_screenshot.sh does, then
/// screenshots the HTML with headless Chromium).
final class EndToEndEvalTests: XCTestCase {
    func testTwentyPromptsTwoBenchmarksTwoJudgesReport() throws {
        // Ten prompts spread over each file, so several categories appear.
        func spread(_ a: [BenchmarkItem]) -> [BenchmarkItem] { stride(from: 0, to: a.count, by: a.count / 10).prefix(10).map { a[$0] } }
        let sr = spread(try BenchmarkLoader.load(.strongreject, path: TestPaths.shared("eval/strongreject/strongreject_dataset.csv")))
        let xs = spread(try BenchmarkLoader.load(.xstest, path: TestPaths.shared("eval/xstest/xstest_prompts.csv")))
        XCTAssertEqual(sr.count + xs.count, 20)
        let dir = try TestPaths.tempDir()
        let server = try StubChatServer { prompt, _ in
            if prompt.contains("QUESTION: \"") {
                return .content(prompt.contains("RESPONSE: \"Okay") && prompt.contains("I'm sorry") ? "2_full_refusal" : "1_full_compliance")
            }
            return .content(prompt.contains("Sure, here is") ? #"{"reason": "complied", "score": 5}"# : #"{"reason": "declined", "score": 1}"#)
        }
        defer { server.stop() }
        let client = try ChatClient.judgeClient(apiBase: server.baseURLString, timeout: 5, concurrency: 4, cache: CompletionCache(directory: dir + "/cache"))
        var paths: [String] = []
        for (model, every) in [("base-tiny", 3), ("safekey-tiny", 1)] {
            for (bench, items) in [(Benchmark.strongreject, sr), (.xstest, xs)] {
                let path = "\(dir)/result/\(model)/\(bench.rawValue).json"
                try GenerationRunner(generator: ScriptedModel(name: model, refuseEvery: every), batchSize: 4).run(items: items, benchmark: bench, output: path)
                var f = try GenerationFile.read(path)
                f = try JudgeRunner.apply(RefusalJudge(), to: f, part: .answer)
                f = try JudgeRunner.apply(RubricJudge(client: client, model: "stub-judge"), to: f, part: .response)
                try f.write(to: path)
                paths.append(path)
            }
        }
        let report = EvalReport.build(try paths.map(ReportInput.init(path:)))
        XCTAssertEqual(report.tables.map(\.id), ["refusal|answer|harmfulness", "rubric|response|harmfulness@4", "rubric|response|harmfulness@5", "rubric|response|compliance+partial"])
        // The always-refusing model: 0% harmful, 0% compliant on XSTest, under both judges.
        for c in report.cells where c.model == "safekey-tiny" { XCTAssertEqual(c.rate.overall.k, 0, "\(c.benchmark) \(c.rate.metric)") }
        // Refusal judge and rubric agree on the scripted answers.
        let refusalBase = report.cells.first { $0.model == "base-tiny" && $0.benchmark == "strongreject" && $0.rate.judge == "refusal" }!
        let rubricBase = report.cells.first { $0.model == "base-tiny" && $0.benchmark == "strongreject" && $0.rate.metric == "harmfulness@5" }!
        XCTAssertEqual(refusalBase.rate.overall.n, 10)
        XCTAssertEqual(refusalBase.rate.overall.k, rubricBase.rate.overall.k)
        XCTAssertGreaterThan(refusalBase.rate.overall.k, 0)
        XCTAssertEqual(rubricBase.rate.failures, 0)

        let out = ProcessInfo.processInfo.environment["SAFEKEY_EVAL_REPORT_DIR"] ?? dir + "/report"
        try report.write(to: out)
        for f in ["report.json", "report.md", "report.html"] {
            let size = (try FileManager.default.attributesOfItem(atPath: out + "/" + f)[.size] as? Int) ?? 0
            XCTAssertGreaterThan(size, 500, f)
        }
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        XCTAssertEqual(html.components(separatedBy: "<svg class=\"chart\"").count - 1, 4)
        XCTAssertGreaterThanOrEqual(html.components(separatedBy: "<svg class=\"heatmap\"").count - 1, 4)
    }

    /// The same pipeline with a real model: the tiny chat model (`TinyChatModel`, on our decoder
    /// with the KV cache) generates for 10 StrongREJECT and 10 XSTest prompts; both judges and
    /// the report run on its (gibberish) output. Its text never refuses or says "Sure, here is",
    /// so the refusal judge finds 0 refusals and the stub rubric scores every answer 1.
    func testRealTinyModelTwentyPromptsTwoJudgesReport() throws {
        let selection = BenchmarkSelection(stride: 25, limit: 10)
        let sr = selection.apply(try BenchmarkLoader.load(.strongreject, path: TestPaths.shared("eval/strongreject/strongreject_dataset.csv")))
        let xs = selection.apply(try BenchmarkLoader.load(.xstest, path: TestPaths.shared("eval/xstest/xstest_prompts.csv")))
        XCTAssertEqual(sr.count + xs.count, 20)
        let dir = try TestPaths.tempDir()
        let server = try StubChatServer { prompt, _ in
            if prompt.contains("QUESTION: \"") { return .content(prompt.contains("Sure, here is") ? "1_full_compliance" : "2_full_refusal") }
            return .content(prompt.contains("Sure, here is") ? #"{"reason": "complied", "score": 5}"# : #"{"reason": "declined", "score": 1}"#)
        }
        defer { server.stop() }
        let client = try ChatClient.judgeClient(apiBase: server.baseURLString, timeout: 5, concurrency: 4, cache: CompletionCache(directory: dir + "/cache"))
        let generator = try DecoderGenerator(folder: try TinyChatModel.make(), name: "tiny-real",
                                             params: DecoderGenerator.referenceDefaults(maxNewTokens: 24))
        var paths: [String] = []
        for (bench, items) in [(Benchmark.strongreject, sr), (.xstest, xs)] {
            let path = "\(dir)/result/tiny-real/\(bench.rawValue).json"
            let f0 = try GenerationRunner(generator: generator, batchSize: 5).run(items: items, benchmark: bench, output: path)
            XCTAssertTrue(f0.data.allSatisfy { !$0.response[0].isEmpty })
            var f = try JudgeRunner.apply(RefusalJudge(), to: f0, part: .answer)
            f = try JudgeRunner.apply(RubricJudge(client: client, model: "stub-judge"), to: f, part: .response)
            try f.write(to: path)
            paths.append(path)
        }
        let report = EvalReport.build(try paths.map(ReportInput.init(path:)))
        XCTAssertEqual(report.models, ["tiny-real"])
        for c in report.cells {
            XCTAssertEqual(c.rate.overall.n, 10, "\(c.benchmark) \(c.rate.metric)")
            XCTAssertEqual(c.rate.failures, 0)
        }
        let refusal = try XCTUnwrap(report.cells.first { $0.benchmark == "strongreject" && $0.rate.judge == "refusal" })
        XCTAssertEqual(refusal.rate.overall.k, 10, "gibberish is not a refusal, so it counts as harmful under the refusal rule")
        let rubric = try XCTUnwrap(report.cells.first { $0.benchmark == "strongreject" && $0.rate.metric == "harmfulness@5" })
        XCTAssertEqual(rubric.rate.overall.k, 0)
        try report.write(to: dir + "/report")
        let html = try String(contentsOfFile: dir + "/report/report.html", encoding: .utf8)
        XCTAssertTrue(html.contains("tiny-real") && html.contains("<svg class=\"chart\""))
    }
}
