import Foundation
import Support
import TestSupport
import XCTest

/// `safekey analyze attention|probe|kl` through the binary, on the committed fixture: the JSON
/// lines carry the PyTorch numbers (1e-4), `--output` writes the same lines to a file, and bad
/// input (one class only, a layer out of range, a damaged reference) fails with exit 1 and a
/// message saying what to do.
final class AnalyzeCLITests: XCTestCase {
    private func lines(_ text: String) throws -> [JSONValue] { try FixtureJSON.lines(text) }

    func testAttentionLinesAndSummary() throws {
        _ = try SafeKeyCLI.executable()
        let (a, _) = try AnalyzeFixture.folders(for: self)
        let want = try XCTUnwrap(try AnalyzeFixture.expected()["attention"]?["2"]?.arrayValue)
        let r = try SafeKeyCLI.run(["analyze", "attention", "--model", a, "--data", AnalyzeFixture.records])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.err.contains("1 of 13 records left out"), r.err)
        let out = try lines(r.out)
        XCTAssertEqual(out.count, want.count + 1)
        var kToU: [Double] = []
        for (line, w) in zip(out, want) {
            XCTAssertEqual(line["id"]?.stringValue, w["id"]?.stringValue)
            assertNear(try XCTUnwrap(line["k_to_u"]?.doubleValue), try XCTUnwrap(w["k_to_u"]?.doubleValue), 1e-4, "k_to_u")
            assertNear(try XCTUnwrap(line["k_to_prompt"]?.doubleValue), try XCTUnwrap(w["k_to_prompt"]?.doubleValue), 1e-4, "k_to_prompt")
            kToU.append(try XCTUnwrap(w["k_to_u"]?.doubleValue))
        }
        let summary = try XCTUnwrap(out.last?["summary"]?.objectValue)
        XCTAssertEqual(summary["layer"]?.intValue, 2)
        let mean = try XCTUnwrap(summary["k_to_u"]?["mean"]?.doubleValue)
        assertNear(mean, kToU.reduce(0, +) / Double(kToU.count), 1e-4, "mean k_to_u")

        let bad = try SafeKeyCLI.run(["analyze", "attention", "--model", a, "--data", AnalyzeFixture.records, "--layer", "3"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.err.contains("--layer 3 is outside 0..<3"), bad.err)
    }

    func testProbeReportsEveryLevelAndTheHeads() throws {
        _ = try SafeKeyCLI.executable()
        let (a, _) = try AnalyzeFixture.folders(for: self)
        let probe = try XCTUnwrap(try AnalyzeFixture.expected()["probe"]?.objectValue)
        let levels = try XCTUnwrap(probe["levels"]?.arrayValue)
        let r = try SafeKeyCLI.run(["analyze", "probe", "--model", a, "--data", AnalyzeFixture.records, "--folds", "3", "--seed", "7"])
        XCTAssertEqual(r.status, 0, r.err)
        let out = try lines(r.out)
        XCTAssertEqual(out.count, levels.count + 2, r.out)
        for (line, w) in zip(out, levels) {
            XCTAssertEqual(line["level"]?.intValue, w["level"]?.intValue)
            XCTAssertEqual(try XCTUnwrap(line["accuracy"]?.doubleValue), try XCTUnwrap(w["accuracy"]?.doubleValue), accuracy: 1e-12)
            XCTAssertEqual(try XCTUnwrap(line["auc"]?.doubleValue), try XCTUnwrap(w["auc"]?.doubleValue), accuracy: 1e-12)
        }
        let dpsh = try XCTUnwrap(out[levels.count]["dpsh"]?.objectValue)
        let wantHeads = try XCTUnwrap(probe["dpsh"]?.objectValue)
        for key in ["c_head_accuracy", "c_head_auc", "ctx_head_accuracy", "ctx_head_auc"] {
            XCTAssertEqual(try XCTUnwrap(dpsh[key]?.doubleValue), try XCTUnwrap(wantHeads[key]?.doubleValue), accuracy: 1e-12, key)
        }
        let summary = try XCTUnwrap(out.last?["summary"]?.objectValue)
        XCTAssertEqual(summary["harmful"]?.intValue, 6)
        XCTAssertEqual(summary["benign"]?.intValue, 6)

        // One class only: STAR-1-like data (every record harmful).
        let dir = try TempDir.make("safekey-probe", removedAfter: self)
        let harmfulOnly = try String(contentsOfFile: AnalyzeFixture.records, encoding: .utf8)
            .split(separator: "\n").filter { $0.contains("\"unsafe\": true") }.joined(separator: "\n")
        try harmfulOnly.write(toFile: dir + "/harmful.jsonl", atomically: true, encoding: .utf8)
        let one = try SafeKeyCLI.run(["analyze", "probe", "--model", a, "--data", dir + "/harmful.jsonl"])
        XCTAssertEqual(one.status, 1)
        XCTAssertTrue(one.err.contains("6 harmful and 0 benign") && one.err.contains("`unsafe`"), one.err)
        XCTAssertTrue(one.out.isEmpty)
    }

    func testKLToAFileAndIncompatibleModels() throws {
        _ = try SafeKeyCLI.executable()
        let (a, b) = try AnalyzeFixture.folders(for: self)
        let kl = try XCTUnwrap(try AnalyzeFixture.expected()["kl"]?.objectValue)
        let rows = try XCTUnwrap(kl["records"]?.arrayValue)
        let dir = try TempDir.make("safekey-kl", removedAfter: self)
        let path = dir + "/kl.jsonl"
        let r = try SafeKeyCLI.run(["analyze", "kl", "--model", a, "--reference", b, "--data", AnalyzeFixture.records,
                                    "--ks", "1,3,6,40", "--output", path])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.isEmpty, "with --output nothing goes to stdout")
        let out = try lines(try String(contentsOfFile: path, encoding: .utf8))
        XCTAssertEqual(out.count, rows.count + 1)
        for (line, w) in zip(out, rows) {
            let got = try XCTUnwrap(line["kl"]?.objectValue), want = try XCTUnwrap(w["kl"]?.objectValue)
            for k in ["1", "3", "6", "40"] {
                if let t = want[k]?.doubleValue {
                    assertNear(try XCTUnwrap(got[k]?.doubleValue), t, 1e-4, "KL \(w["id"]?.stringValue ?? "") k=\(k)")
                } else {
                    XCTAssertTrue(got[k]?.isNull ?? false, "k=\(k) beyond the response is null")
                }
            }
        }
        let summary = try XCTUnwrap(out.last?["summary"]?.objectValue)
        XCTAssertEqual(summary["40"]?["n"]?.intValue, 12)

        // A damaged reference (its config no longer fits its weights) is refused with exit 1, nothing written.
        let other = dir + "/other"
        try FileManager.default.copyItem(atPath: b, toPath: other)
        let config = try String(contentsOfFile: other + "/config.json", encoding: .utf8)
        let bigger = config.replacingOccurrences(of: #""vocab_size": 364"#, with: #""vocab_size": 365"#)
        XCTAssertNotEqual(bigger, config, "the fixture's config names vocab_size 364")
        try bigger.write(toFile: other + "/config.json", atomically: true, encoding: .utf8)
        let bad = try SafeKeyCLI.run(["analyze", "kl", "--model", a, "--reference", other, "--data", AnalyzeFixture.records])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.err.contains("error:") && bad.err.contains("lm_head.weight"), bad.err)
        XCTAssertTrue(bad.out.isEmpty)

        let badKs = try SafeKeyCLI.run(["analyze", "kl", "--model", a, "--reference", b, "--data", AnalyzeFixture.records, "--ks", "5,x"])
        XCTAssertNotEqual(badKs.status, 0)
        XCTAssertTrue(badKs.err.contains("--ks"), badKs.err)
    }

    /// `--adapter`: the LoRA adapter changes the numbers, and the DPSH heads are read from the
    /// adapter folder (a LoRA run saves them there), not from the base.
    func testAdapterIsAppliedAndItsHeadsAreUsed() throws {
        _ = try SafeKeyCLI.executable()
        let (a, _) = try AnalyzeFixture.folders(for: self)
        try FileManager.default.removeItem(atPath: a + "/safety_head.safetensors")
        let adapter = try TempDir.make("safekey-analyze-lora", removedAfter: self) + "/adapter"
        let t = try SafeKeyCLI.run(["train", "--model", a, "--data", AnalyzeFixture.records, "--output", adapter, "--lora-rank", "4",
                                    "--epochs", "1", "--last-k-epochs", "1", "--lr", "1e-2", "--max-steps", "2"])
        XCTAssertEqual(t.status, 0, t.err)
        let base = try SafeKeyCLI.run(["analyze", "attention", "--model", a, "--data", AnalyzeFixture.records])
        let tuned = try SafeKeyCLI.run(["analyze", "attention", "--model", a, "--adapter", adapter, "--data", AnalyzeFixture.records])
        XCTAssertEqual(base.status, 0, base.err)
        XCTAssertEqual(tuned.status, 0, tuned.err)
        let b = try lines(base.out), u = try lines(tuned.out)
        XCTAssertEqual(b.count, u.count)
        let kToU = { (line: JSONValue) -> Double in line["k_to_u"]?.doubleValue ?? 0 }
        let moved = zip(b.dropLast(), u.dropLast()).map { abs(kToU($0) - kToU($1)) }.max() ?? 0
        XCTAssertGreaterThan(moved, 1e-6, "two LoRA steps at lr 1e-2 change K's attention")

        let noHeads = try SafeKeyCLI.run(["analyze", "probe", "--model", a, "--data", AnalyzeFixture.records, "--folds", "3"])
        XCTAssertEqual(noHeads.status, 0, noHeads.err)
        XCTAssertFalse(noHeads.out.contains("dpsh"))
        XCTAssertTrue(noHeads.err.contains("no ") && noHeads.err.contains("safety_head.safetensors"), noHeads.err)
        let withHeads = try SafeKeyCLI.run(["analyze", "probe", "--model", a, "--adapter", adapter, "--data", AnalyzeFixture.records, "--folds", "3"])
        XCTAssertEqual(withHeads.status, 0, withHeads.err)
        XCTAssertNotNil(try lines(withHeads.out).first { $0["dpsh"] != nil }, withHeads.out)
    }
}
