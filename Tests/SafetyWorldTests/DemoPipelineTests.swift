import Foundation
import TestSupport
import XCTest
import SafetyEval
import SafetyWorld
import Support

/// The demo pipeline end to end on the committed base model (Assets/world-base): `--quick` runs,
/// writes every artefact, the same seed gives the same table, and a second seed adds its own cells.
final class DemoPipelineTests: XCTestCase {
    static let base = RepoPaths.path("Assets/world-base")

    private func requireBase() throws {
        guard FileManager.default.fileExists(atPath: Self.base + "/model.safetensors") else {
            throw XCTSkip("Assets/world-base has no weights (run `safekey world pretrain`)")
        }
    }

    func testQuickDemoWritesEveryArtefact() throws {
        try requireBase()
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("safekey-demo-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        var o = DemoOptions(baseModel: Self.base, output: out)
        o.makeQuick()
        let r = try DemoPipeline.run(o) { _ in }
        XCTAssertEqual(r.seeds, [2002])
        XCTAssertEqual(r.cells.count, DemoPipeline.models.count * DemoRow.all.count)
        for c in r.cells {
            XCTAssertEqual(c.harmful.n, o.evalCount, "\(c.model) \(c.set)")
            XCTAssertEqual(c.kinds.count, o.evalCount)
            XCTAssertEqual(c.harmful.k, c.kinds.filter { $0 == .complied || $0 == .partial }.count)
            XCTAssertEqual(c.refused + c.partial + c.malformed + c.offTask + c.complied.k, o.evalCount)
        }
        XCTAssertFalse(r.sftLog.isEmpty)
        XCTAssertEqual(r.sftLog.count, r.safekeyLog.count, "SFT and SafeKey take the same number of steps")
        XCTAssertNil(r.sftLog.last?.qmm_loss, "SFT never uses QMM")
        XCTAssertNotNil(r.safekeyLog.last?.qmm_loss, "SafeKey uses QMM in its last epoch")
        for f in ["report.md", "report.html", "results.json", "generations.jsonl", "safety_train.jsonl",
                  "sft/model.safetensors", "safekey/model.safetensors", "safekey/safety_head.safetensors", "sft/tokenizer.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/" + f), "missing \(f)")
        }
        let table = DemoReport.table(r)
        for needle in ["average", "prefill: U", "prefill: U + K", "prefill: thinking", "prefill: thinking + answer head",
                       "benign: over-refusal", "benign: compliance", "SafeKey vs SFT (paired)", "seed 2002", "C/P/R/M/O"] {
            XCTAssertTrue(table.contains(needle), "table lacks \(needle):\n\(table)")
        }
        // The ladder's rungs share their prompts: the same ids in every rung's generations.
        let gens = try String(contentsOfFile: out + "/generations.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(gens.count, DemoPipeline.models.count * DemoRow.all.count * o.evalCount)
        XCTAssertTrue(gens.allSatisfy { $0.contains("\"object\":") && $0.contains("\"rule\":") })
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        XCTAssertTrue(html.contains("<svg") && html.contains("polyline"))

        // The analysis section: the three models on the evaluation seed's held-out records, and the
        // same numbers as `safekey world sample` + `safekey analyze attention` give for them.
        let a = try XCTUnwrap(r.analysis)
        XCTAssertEqual(a.models.map(\.model), DemoPipeline.models)
        XCTAssertEqual(a.records, 2 * o.evalCount)
        XCTAssertEqual(a.harmful, o.evalCount)
        for m in a.models {
            XCTAssertTrue(m.kToU.mean > 0 && m.kToPrompt.mean > 0 && m.kToU.mean + m.kToPrompt.mean <= 1 + 1e-6, "\(m)")
            XCTAssertEqual(m.probeAccuracy.count, 5, "embeddings, 4 blocks' outputs (the last after the final norm)")
            XCTAssertTrue(m.probeAccuracy.allSatisfy { (0...1).contains($0) }, "\(m.probeAccuracy)")
        }
        XCTAssertTrue(html.contains("Analysis (first seed)") && html.contains("K → U"))
        // Per family: the held-out row's prompts split by family add up to the row.
        for m in DemoPipeline.models {
            let row = DemoRow(.heldOutJailbreaks)
            let parts = JailbreakFamily.heldOut.map { DemoReport.familyCount(r, model: m, rows: [row], family: $0) { $0 == .complied || $0 == .partial } }
            XCTAssertEqual(parts.map(\.n).reduce(0, +), o.evalCount, m)
            XCTAssertEqual(parts.map(\.k).reduce(0, +), r.cell(m, row, seed: 2002)?.harmful.k, m)
            XCTAssertEqual(DemoReport.familyCount(r, model: m, rows: [row], family: .codeWords) { _ in true }.n, 0, "a seen family in the held-out row")
        }
        XCTAssertTrue(html.contains("Per family"))
        // Example traces: every model's answer to the same two prompts, U and K marked where the rules picker puts them.
        XCTAssertEqual(r.traces.map(\.model), ["base", "base", "SFT", "SFT", "SafeKey", "SafeKey"])
        XCTAssertEqual(Set(r.traces.map(\.id)).count, 2)
        for t in r.traces where !t.u.isEmpty {
            XCTAssertTrue(t.u.hasPrefix("<think>\n") && !t.k.isEmpty, "\(t)")
        }
        XCTAssertTrue(html.contains("Example traces") && html.contains("<mark"))
        XCTAssertTrue(try String(contentsOfFile: out + "/report.md", encoding: .utf8).contains("| SafeKey | "))
        // Generation went through SafetyEval: each (model, row) has its judged file in the reference
        // layout, which `ReportInput` reads back; its `world` labels give the cell's rate, its details
        // the verdict kinds, and the report's pooled cell is the demo's pooled proportion.
        let e = try XCTUnwrap(r.evaluation)
        for m in DemoPipeline.models {
            for row in DemoRow.all {
                let path = DemoPipeline.generationPath(folder: out, model: m, row: row)
                let input = try ReportInput(path: path)
                XCTAssertEqual(input.model, m)
                XCTAssertEqual(input.benchmarkName, "world-\(row.id)")
                XCTAssertEqual(input.file.data.count, o.evalCount)
                XCTAssertTrue(input.file.data.allSatisfy { $0.fields["world_label"]?.arrayValue?.count == 1 && $0.fields["object"] != nil }, path)
                let cell = try XCTUnwrap(r.cell(m, row, seed: 2002))
                XCTAssertEqual(Rates.compute(input.file, benchmark: nil).first?.overall, cell.harmful, path)
                XCTAssertEqual(input.file.data.map { $0.fields["world_detail"]?.arrayValue?.first?["rule"]?.stringValue.flatMap(WorldJudge.kind(ofRule:)) },
                               cell.kinds, path)
                if row.prefill != nil { XCTAssertTrue(input.file.data.allSatisfy { $0.fields["prefill"]?.stringValue?.isEmpty == false }, path) }
                let pooled = try XCTUnwrap(e.cells.first { $0.model == m && $0.benchmark == row.title })
                XCTAssertEqual(pooled.rate.overall, DemoStatistics.summary(r, model: m, rows: [row], outcome: { k, _ in k == .complied || k == .partial }).pooled)
            }
        }
        XCTAssertTrue(html.contains("as SafetyEval reports it") && html.contains("class=\"point\""))
        if SafeKeyCLI.executableURL != nil {
            var records = ""
            for set in ["held-out-jailbreaks", "benign-held-out"] {
                let s = try SafeKeyCLI.run(["world", "sample", "--set", set, "--count", "\(o.evalCount)", "--seed", "2003"])
                XCTAssertEqual(s.status, 0, s.err)
                records += s.out
            }
            let file = out + "/analysis-records.jsonl"
            try Data(records.utf8).write(to: URL(fileURLWithPath: file))
            for (name, folder) in [("base", Self.base), ("SafeKey", out + "/safekey")] {
                let cli = try SafeKeyCLI.run(["analyze", "attention", "--model", folder, "--data", file])
                XCTAssertEqual(cli.status, 0, cli.err)
                let last = try XCTUnwrap(cli.out.split(separator: "\n").last.map(String.init))
                let summary = try JSONParser.parse(last, path: "analyze attention output")["summary"]
                let m = try XCTUnwrap(a.models.first { $0.model == name })
                XCTAssertEqual(summary?["records"]?.doubleValue, Double(a.records), last)
                XCTAssertEqual(try XCTUnwrap(summary?["k_to_u"]?["mean"]?.doubleValue), m.kToU.mean, accuracy: 1e-9, "\(name): \(last)")
                XCTAssertEqual(try XCTUnwrap(summary?["k_to_prompt"]?["mean"]?.doubleValue), m.kToPrompt.mean, accuracy: 1e-9, "\(name): \(last)")
            }
        }
    }

    func testSameSeedSameResults() throws {
        try requireBase()
        func run(_ tag: String, seeds: Int = 1) throws -> [DemoCell] {
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("safekey-demo-\(tag)-\(getpid())").path
            defer { try? FileManager.default.removeItem(atPath: out) }
            var o = DemoOptions(baseModel: Self.base, output: out)
            o.seeds = seeds
            o.trainCount = 16; o.evalCount = 2; o.epochs = 1; o.lastKEpochs = 1; o.maxNewTokens = 40; o.batchSize = 4
            return try DemoPipeline.run(o) { _ in }.cells
        }
        let a = try run("a")
        XCTAssertEqual(a, try run("b"))
        // Two seeds: the first seed's cells are the one-seed run's; the second seed's are its own.
        let two = try run("c", seeds: 2)
        XCTAssertEqual(Set(two.map(\.seed)), [2002, 2003])
        XCTAssertEqual(two.filter { $0.seed == 2002 }, a)
        XCTAssertEqual(two.filter { $0.seed == 2003 }.count, a.count)
    }

    /// SafeKey's plain-SFT epochs taken from the SFT run give exactly what training them again gives.
    func testSharedSFTEpochsChangeNothing() throws {
        try requireBase()
        func run(_ share: Bool) throws -> DemoResult {
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("safekey-demo-share\(share)-\(getpid())").path
            defer { try? FileManager.default.removeItem(atPath: out) }
            var o = DemoOptions(baseModel: Self.base, output: out)
            o.seeds = 1
            o.shareSFTEpochs = share
            o.trainCount = 16; o.evalCount = 2; o.epochs = 2; o.lastKEpochs = 1; o.maxNewTokens = 40; o.batchSize = 4
            let r = try DemoPipeline.run(o) { _ in }
            XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/shared-sft-epochs"), "the shared checkpoint is removed")
            return r
        }
        let shared = try run(true), own = try run(false)
        XCTAssertEqual(shared.safekeyLog.count, own.safekeyLog.count)
        XCTAssertEqual(shared.safekeyLog.map(\.loss), own.safekeyLog.map(\.loss))
        XCTAssertEqual(shared.safekeyLog.map(\.qmm_loss), own.safekeyLog.map(\.qmm_loss))
        XCTAssertEqual(shared.safekeyLog.map(\.grad_norm), own.safekeyLog.map(\.grad_norm))
        XCTAssertEqual(shared.sftLog.map(\.loss), own.sftLog.map(\.loss))
        XCTAssertEqual(shared.cells, own.cells)
    }
}
