import Foundation
import SafetyEval
import TestSupport
import XCTest

/// The demo's statistics against SciPy (Scripts/paired_stats_fixtures.py →
/// Tests/Fixtures/stats/paired_stats.json): the exact McNemar p-value, Wilson intervals (SciPy's
/// own `proportion_ci(method="wilson")`, a second implementation beside the closed form that
/// RatesTests checks) and the seed spread; plus values worked by hand.
final class PairedTestTests: XCTestCase {
    func fixture() throws -> [String: Any] {
        let d = try Data(contentsOf: URL(fileURLWithPath: RepoPaths.fixture("stats/paired_stats.json")))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: d) as? [String: Any])
    }

    func testMcNemarMatchesSciPy() throws {
        let rows = try XCTUnwrap(try fixture()["mcnemar"] as? [[String: Any]])
        XCTAssertGreaterThanOrEqual(rows.count, 16)
        for r in rows {
            let b = r["b"] as! Int, c = r["c"] as! Int, expected = r["p"] as! Double
            let p = McNemar(b: b, c: c).p
            // Relative: the fixture reaches 9.4e-299 (b = 1000, c = 1).
            XCTAssertEqual(p, expected, accuracy: max(1e-300, expected * 1e-9), "b=\(b) c=\(c)")
            XCTAssertEqual(McNemar(b: c, c: b).p, p, "symmetric")
        }
    }

    /// Worked by hand: b = 5, c = 0 → 2 · (½)^5 = 1/16; b = 7, c = 2 → 2 · (1 + 9 + 36)/512 = 92/512.
    func testMcNemarByHandAndFromOutcomes() {
        XCTAssertEqual(McNemar(b: 5, c: 0).p, 0.0625, accuracy: 1e-15)
        XCTAssertEqual(McNemar(b: 7, c: 2).p, 92.0 / 512, accuracy: 1e-15)
        XCTAssertEqual(McNemar(b: 0, c: 0).p, 1)
        XCTAssertEqual(McNemar(b: 4, c: 4).p, 1)
        let m = McNemar([true, true, false, false, true], [false, true, true, false, false])
        XCTAssertEqual([m.b, m.c], [2, 1])
        XCTAssertEqual(m.p, 1, accuracy: 1e-15)  // 2 · (1 + 3)/8 = 1
    }

    func testWilsonMatchesSciPy() throws {
        let rows = try XCTUnwrap(try fixture()["wilson"] as? [[String: Any]])
        for r in rows {
            let k = r["k"] as! Int, n = r["n"] as! Int
            let p = Proportion(k: k, n: n)
            XCTAssertEqual(p.low, r["low"] as! Double, accuracy: 1e-12, "k=\(k) n=\(n)")
            XCTAssertEqual(p.high, r["high"] as! Double, accuracy: 1e-12, "k=\(k) n=\(n)")
        }
    }

    func testSpreadMatchesPython() throws {
        let rows = try XCTUnwrap(try fixture()["spread"] as? [[String: Any]])
        for r in rows {
            let s = Spread(r["values"] as! [Double])
            XCTAssertEqual(s.mean, r["mean"] as! Double, accuracy: 1e-15)
            XCTAssertEqual(s.sd, r["sd"] as! Double, accuracy: 1e-15)
            XCTAssertEqual(s.min, r["min"] as! Double)
            XCTAssertEqual(s.max, r["max"] as! Double)
        }
        XCTAssertEqual(Spread([]).count, 0)
    }
}
