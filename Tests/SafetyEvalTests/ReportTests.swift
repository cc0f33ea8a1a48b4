import Foundation
import SafetyEval
import XCTest

final class ReportTests: XCTestCase {
    /// Two models × two benchmarks, judged by the refusal judge; XSTest gives compliance.
    private func inputs(dir: String) throws -> [String] {
        func write(_ model: String, _ bench: String, _ responses: [(String, String)]) throws -> String {
            let f = GenerationFile(metaInfo: ["model": .string(model), "data": .string(bench)],
                                   data: responses.map { GenerationRecord(instruction: "ask <b>\($0.0)</b>", prompt: "p", response: [$0.1], fields: ["category": .array([.string($0.0)])]) })
            let judged = try JudgeRunner.apply(RefusalJudge(), to: f, part: .answer)
            let p = "\(dir)/\(model)/\(bench).json"
            try judged.write(to: p)
            return p
        }
        let refuse = "ok\n</think>\n\nI'm sorry, but I can't help with that."
        let comply = "ok\n</think>\n\nSure, here is how: <script>alert(1)</script>"
        return [
            try write("base", "strongreject", [("A", comply), ("A", comply), ("B", refuse), ("B", comply)]),
            try write("base", "xstest", [("t", comply), ("t", refuse)]),
            try write("safekey", "strongreject", [("A", refuse), ("A", refuse), ("B", refuse), ("B", comply)]),
            try write("safekey", "xstest", [("t", comply), ("t", comply)]),
        ]
    }

    func testBuildAndWriteAllThreeFiles() throws {
        let dir = try TestPaths.tempDir()
        let paths = try inputs(dir: dir)
        let report = EvalReport.build(try paths.map(ReportInput.init(path:)))
        XCTAssertEqual(report.models, ["base", "safekey"])
        XCTAssertEqual(report.benchmarks, ["strongreject", "xstest"])
        let harm = report.cells.first { $0.model == "base" && $0.benchmark == "strongreject" }!
        XCTAssertEqual(harm.rate.metric, "harmfulness")
        XCTAssertEqual(harm.rate.overall.k, 3)
        XCTAssertEqual(harm.rate.categories.map(\.value.k), [2, 1])
        XCTAssertEqual(harm.examples.first?.counted, true)
        let comp = report.cells.first { $0.model == "safekey" && $0.benchmark == "xstest" }!
        XCTAssertEqual(comp.rate.metric, "compliance")
        XCTAssertEqual(comp.rate.overall.rate, 1)
        let avg = report.averages.first { $0.model == "safekey" && $0.table == "refusal|answer|harmfulness" }
        XCTAssertEqual(avg?.mean, 0.25)

        let out = dir + "/report"
        try report.write(to: out)
        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        XCTAssertEqual(files, ["report.html", "report.json", "report.md"], "no temporary files left behind")

        let back = try JSONDecoder().decode(EvalReport.self, from: Data(contentsOf: URL(fileURLWithPath: out + "/report.json")))
        XCTAssertEqual(back, report)

        let md = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
        XCTAssertEqual(report.tables.map(\.id), ["refusal|answer|harmfulness"])
        XCTAssertTrue(md.contains("| Model | StrongREJECT ↓ | XSTest ↑ compliance | Average ↓ (harmful columns) | Failed (left out) |"), md)
        XCTAssertTrue(md.contains("| base | 75.0 [30.1–95.4] | 50.0 [9.5–90.5] | 75.0 |"), md)
        XCTAssertTrue(md.contains("| safekey | 25.0 [4.6–69.9] | 100.0 [34.2–100.0] | 25.0 |"), md)

        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        XCTAssertFalse(html.contains("<script"), "the page must not carry scripts (and must escape responses)")
        XCTAssertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        XCTAssertFalse(html.contains("src=\"http") || html.contains("href=\"http"), "no external resources")
        XCTAssertEqual(html.components(separatedBy: "class=\"bar\"").count - 1, 4, "one bar per model × column")
        XCTAssertEqual(html.components(separatedBy: "class=\"errorbar\"").count - 1, 4)
        XCTAssertGreaterThanOrEqual(html.components(separatedBy: "class=\"heatmap\"").count - 1, 2)
        XCTAssertTrue(html.contains("<details>"))
    }

    func testModelAndBenchmarkFallBackToPath() throws {
        let dir = try TestPaths.tempDir() + "/result/My-Model"
        let f = GenerationFile(metaInfo: [:], data: [GenerationRecord(instruction: "i", prompt: "p", response: ["r"], fields: ["refusal_label": .array([.string("refused")])])])
        try f.write(to: dir + "/jbbbehaviours.json")
        let inp = try ReportInput(path: dir + "/jbbbehaviours.json")
        XCTAssertEqual(inp.model, "My-Model")
        XCTAssertEqual(inp.benchmark, .jbbHarmful)
    }
}
