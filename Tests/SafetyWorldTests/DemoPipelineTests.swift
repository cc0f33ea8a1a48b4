import Foundation
import TestSupport
import XCTest
import SafetyEval
import SafetyWorld

/// The demo pipeline end to end on the committed base model (Assets/world-base): `--quick` runs,
/// writes every artefact, and the same seed gives the same table.
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
        XCTAssertEqual(r.cells.count, DemoPipeline.models.count * demoEvalSets.count)
        for c in r.cells { XCTAssertEqual(c.harmful.n, o.evalCount, "\(c.model) \(c.set)") }
        XCTAssertFalse(r.sftLog.isEmpty)
        XCTAssertEqual(r.sftLog.count, r.safekeyLog.count, "SFT and SafeKey take the same number of steps")
        XCTAssertNil(r.sftLog.last?.qmm_loss, "SFT never uses QMM")
        XCTAssertNotNil(r.safekeyLog.last?.qmm_loss, "SafeKey uses QMM in its last epoch")
        for f in ["report.md", "report.html", "results.json", "generations.jsonl", "safety_train.jsonl",
                  "sft/model.safetensors", "safekey/model.safetensors", "safekey/safety_head.safetensors", "sft/tokenizer.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/" + f), "missing \(f)")
        }
        let table = DemoReport.table(r)
        XCTAssertTrue(table.contains("average"))
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        XCTAssertTrue(html.contains("<svg") && html.contains("polyline"))
    }

    func testSameSeedSameResults() throws {
        try requireBase()
        func run(_ tag: String) throws -> [DemoCell] {
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("safekey-demo-\(tag)-\(getpid())").path
            defer { try? FileManager.default.removeItem(atPath: out) }
            var o = DemoOptions(baseModel: Self.base, output: out)
            o.trainCount = 16; o.evalCount = 2; o.epochs = 1; o.lastKEpochs = 1; o.maxNewTokens = 40; o.batchSize = 4
            return try DemoPipeline.run(o) { _ in }.cells
        }
        XCTAssertEqual(try run("a"), try run("b"))
    }
}
