import Foundation
import SafetyEval
import Tokenizers
import XCTest

/// pass@k against the definition 1 − C(n−c, k)/C(n, k) computed with exact binomial coefficients,
/// lengths and truncation from a hand-made file, and the combined report with a baseline.
final class AbilityMetricsTests: XCTestCase {
    func binomial(_ n: Int, _ k: Int) -> Double {
        guard k >= 0, k <= n else { return 0 }
        var r = 1.0
        for i in 0..<k { r = r * Double(n - i) / Double(i + 1) }
        return r
    }

    func testPassAtKMatchesTheBinomialDefinition() {
        for n in 1...20 {
            for c in 0...n {
                for k in 1...n {
                    let expected = 1 - binomial(n - c, k) / binomial(n, k)
                    XCTAssertEqual(PassAtK.estimate(n: n, c: c, k: k), expected, accuracy: 1e-12, "n \(n) c \(c) k \(k)")
                }
            }
        }
        XCTAssertEqual(PassAtK.estimate(n: 10, c: 3, k: 1), 0.3, accuracy: 1e-15)
        XCTAssertEqual(PassAtK.ks(samples: 1), [1])
        XCTAssertEqual(PassAtK.ks(samples: 10), [1, 5, 10])
        XCTAssertEqual(PassAtK.ks(samples: 4), [1, 4])
    }

    /// Two items × 4 samples; labels and counts chosen so every statistic is known by hand.
    func file(model: String, labels: [[Int]]) -> GenerationFile {
        GenerationFile(metaInfo: ["data": .string("humaneval"), "model": .string(model)], data: labels.enumerated().map { i, l in
            GenerationRecord(instruction: "q\(i)", prompt: "p", response: l.enumerated().map { j, _ in j == 3 ? "<think> cut off" : "<think>x</think> y" },
                             fields: ["answer_code_label": .array(l.map { .int($0) }),
                                      "response_tokens": .array([.int(10), .int(20), .int(30), .int(100)]),
                                      "think_tokens": .array([.int(4), .int(8), .int(12), .null])])
        })
    }

    func testAbilityStats() throws {
        let f = file(model: "m", labels: [[1, 0, 0, 0], [1, 1, 1, 0]])
        let r = try XCTUnwrap(Rates.compute(f, benchmark: .humaneval).first)
        XCTAssertEqual(r.metric, "pass@1")
        XCTAssertEqual(r.overall.k, 4)
        XCTAssertEqual(r.overall.n, 8)
        XCTAssertEqual(r.overall.low, Wilson.interval(k: 4, n: 8).low)
        let a = try XCTUnwrap(r.ability)
        XCTAssertEqual(a.samplesPerItem, 4)
        XCTAssertEqual(a.passAtK["pass@1"]!, 0.5, accuracy: 1e-12)
        XCTAssertEqual(a.passAtK["pass@4"]!, 1.0, accuracy: 1e-12)
        XCTAssertEqual(a.truncated.k, 2)
        XCTAssertEqual(a.truncated.n, 8)
        XCTAssertEqual(a.accuracyClosed.k, 4)
        XCTAssertEqual(a.accuracyClosed.n, 6)
        XCTAssertEqual(a.meanResponseTokens!, 40, accuracy: 1e-12)
        XCTAssertEqual(a.meanThinkTokens!, 8, accuracy: 1e-12)
    }

    /// `safekey report --tokenizer`: counts for files without them, existing counts kept.
    func testLengthCounterFillsMissingCounts() throws {
        let tok = try Tokenizer(path: TinyChatModel.worldTokenizer)
        let a = "<think>\nThe user asks about a lock.\n</think>\n\nI cannot help with that.", b = "<think>\nstill thinking"
        let f = GenerationFile(data: [GenerationRecord(instruction: "q", prompt: "p", response: [a, b]),
                                      GenerationRecord(instruction: "q", prompt: "p", response: [a], fields: ["response_tokens": .array([.int(7)])])])
        let (filled, n) = try LengthCounter.fill(f, tokenizer: tok)
        XCTAssertEqual(n, 1)
        XCTAssertEqual(filled.data[0].fields["response_tokens"], .array([.int(try tok.encode(a).count), .int(try tok.encode(b).count)]))
        XCTAssertEqual(filled.data[0].fields["think_tokens"], .array([.int(try tok.encode("<think>\nThe user asks about a lock.\n").count), .null]))
        XCTAssertEqual(filled.data[1].fields["response_tokens"], .array([.int(7)]))
        XCTAssertGreaterThan(try tok.encode(a).count, 5)
    }

    func testCombinedTableWithBaseline() throws {
        let dir = try TestPaths.tempDir()
        var paths: [String] = []
        for (m, labels, refused) in [("base", [[1, 0, 0, 0], [0, 0, 0, 0]], 1), ("tuned", [[1, 1, 0, 0], [1, 1, 1, 1]], 3)] {
            let p = "\(dir)/\(m)/humaneval.json"
            try file(model: m, labels: labels).write(to: p)
            paths.append(p)
            let s = GenerationFile(metaInfo: ["data": .string("strongreject"), "model": .string(m)], data: (0..<4).map { i in
                GenerationRecord(instruction: "h\(i)", prompt: "p", response: ["x"], fields: ["answer_refusal_label": .array([.string(i < refused ? "refused" : "complied")])])
            })
            let sp = "\(dir)/\(m)/strongreject.json"
            try s.write(to: sp)
            paths.append(sp)
        }
        let report = EvalReport.build(try paths.map(ReportInput.init(path:)), baseline: "base")
        let c = try XCTUnwrap(report.combined)
        XCTAssertEqual(c.columns.map(\.kind), ["safety", "ability"])
        XCTAssertEqual(c.columns.map(\.benchmark), ["strongreject", "humaneval"])
        let tuned = try XCTUnwrap(c.rows.first { $0.model == "tuned" })
        XCTAssertEqual(tuned.values[0]?.rate, 0.25)   // 1 of 4 complied
        XCTAssertEqual(tuned.deltas[0]!, -50, accuracy: 1e-9)   // base: 3 of 4 complied
        XCTAssertEqual(tuned.values[1]?.rate, 0.75)
        XCTAssertEqual(tuned.deltas[1]!, 62.5, accuracy: 1e-9)
        XCTAssertEqual(tuned.abilityMeanDelta!, 62.5, accuracy: 1e-9)
        try report.write(to: dir + "/report")
        let md = try String(contentsOfFile: dir + "/report/report.md", encoding: .utf8)
        XCTAssertTrue(md.contains("## Safety and general ability"))
        XCTAssertTrue(md.contains("| tuned | 25.0 [4.6–69.9] (−50.0) | 75.0 [40.9–92.9] (+62.5) |"), md)
        XCTAssertTrue(md.contains("(baseline)"))
        XCTAssertTrue(md.contains("pass@1 75.0, pass@4 100.0"))
        let html = try String(contentsOfFile: dir + "/report/report.html", encoding: .utf8)
        XCTAssertTrue(html.contains("<section id=\"combined\">"))
    }
}
