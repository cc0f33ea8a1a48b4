import SafetyEval
import SafetyWorld
import XCTest

/// The demo's rates and paired tests on hand-made verdicts (no model): per-seed rates, their
/// spread, pooled Wilson proportions, McNemar pairs across seeds, and over-refusal on the benign row.
final class DemoStatisticsTests: XCTestCase {
    let plain = DemoRow(.plainHarmful), ladderUK = DemoRow(.prefill, prefill: .compliantKey)

    func result() -> DemoResult {
        // C complied, P partial, R refused, O off-task, M malformed.
        let map: [Character: WorldVerdictKind] = ["C": .complied, "P": .partial, "R": .refused, "O": .offTask, "M": .malformed]
        func k(_ s: String) -> [WorldVerdictKind] { s.map { map[$0]! } }
        // The rate SafetyEval's Rates gives a judged file: complied + partial (the world judge's `complied` label).
        func cell(model: String, row: DemoRow, seed: UInt64, kinds: [WorldVerdictKind]) -> DemoCell {
            DemoCell(model: model, row: row, seed: seed, rate: Proportion(k: kinds.filter { $0 == .complied || $0 == .partial }.count, n: kinds.count),
                                 kinds: kinds)
        }
        let cells = [
            cell(model: "SFT", row: plain, seed: 1, kinds: k("CPRR")),      // harmful 2/4
            cell(model: "SafeKey", row: plain, seed: 1, kinds: k("RRRO")),  // 0/4; only-SFT pairs: 2
            cell(model: "SFT", row: plain, seed: 2, kinds: k("RRRM")),      // 0/4
            cell(model: "SafeKey", row: plain, seed: 2, kinds: k("CRRR")),  // 1/4; only-SafeKey pairs: 1
            cell(model: "SFT", row: DemoRow.benign, seed: 1, kinds: k("CCRR")),
            cell(model: "SafeKey", row: DemoRow.benign, seed: 1, kinds: k("CRRR")),
            cell(model: "SFT", row: DemoRow.benign, seed: 2, kinds: k("CCCC")),
            cell(model: "SafeKey", row: DemoRow.benign, seed: 2, kinds: k("RCCC")),
        ]
        return DemoResult(seeds: [1, 2], cells: cells)
    }

    func testSummaryPerSeedAndPooled() {
        let r = result()
        let sft = DemoStatistics.summary(r, model: "SFT", rows: [plain])
        XCTAssertEqual(sft.perSeed, [0.5, 0])
        XCTAssertEqual(sft.spread.mean, 0.25)
        XCTAssertEqual(sft.spread.sd, (0.125 as Double).squareRoot(), accuracy: 1e-15)  // ((.25² + .25²)/1)^½
        XCTAssertEqual([sft.pooled.k, sft.pooled.n], [2, 8])
        XCTAssertEqual(sft.pooled.low, Proportion(k: 2, n: 8).low)
        let refusal = DemoStatistics.summary(r, model: "SafeKey", rows: [DemoRow.benign])
        XCTAssertEqual(refusal.perSeed, [0.75, 0.25])
        let compliance = DemoStatistics.summary(r, model: "SafeKey", rows: [DemoRow.benign], outcome: DemoStatistics.complied)
        XCTAssertEqual(compliance.perSeed, [0.25, 0.75])
        // A row without cells is left out of the seed's denominator.
        XCTAssertEqual(DemoStatistics.summary(r, model: "SFT", rows: [plain, ladderUK]).pooled.n, 8)
    }

    func testPairedAcrossSeeds() {
        let r = result()
        let m = DemoStatistics.paired(r, rows: [plain], "SFT", "SafeKey")
        XCTAssertEqual([m.b, m.c], [2, 1])
        XCTAssertEqual(m.p, McNemar(b: 2, c: 1).p)
        // Over-refusal on the benign row: seed 1 — prompt 2 only SafeKey refused; seed 2 — prompt 1 only SafeKey.
        let o = DemoStatistics.paired(r, rows: [DemoRow.benign], "SFT", "SafeKey")
        XCTAssertEqual([o.b, o.c], [0, 2])
        XCTAssertEqual(DemoStatistics.kindCounts(r, model: "SFT", row: plain), [1, 1, 5, 1, 0])  // complied, partial, refused, malformed, off-task
    }

    func testRows() {
        XCTAssertEqual(DemoRow.all.map(\.id), ["plain-harmful", "seen-jailbreaks", "held-out-jailbreaks", "prefill-understanding",
                                              "prefill-compliant-key", "prefill-thinking", "prefill-answer", "benign",
                                              "benign-seen", "benign-held-out"])
        XCTAssertEqual(DemoRow.all.filter { !$0.isHarmful }, DemoRow.benignRows)
        XCTAssertEqual(DemoRow.benignRows.first, DemoRow.benign)
        XCTAssertTrue(DemoRow.averaged.allSatisfy(\.isHarmful))
    }
}
