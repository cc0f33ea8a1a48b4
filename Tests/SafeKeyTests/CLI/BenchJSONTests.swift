import Foundation
import TestSupport
import XCTest

/// `bench train --json` prints one JSON object (Support's writer) that `Scripts/bench_vs_torch.py`
/// reads with `json.loads`: every figure under its name, in order, numbers as numbers.
final class BenchJSONTests: XCTestCase {
    func testBenchTrainJSONIsOneObjectWithTheFigures() throws {
        let r = try SafeKeyCLI.run(["bench", "train", "--shape", "tiny", "--steps", "1", "--seq-len", "16", "--batch", "1", "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        let lines = r.out.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, r.out)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any], r.out)
        XCTAssertEqual(object["benchmark"] as? String, "train")
        XCTAssertEqual(object["shape"] as? String, "tiny")
        XCTAssertEqual(object["seq_len"] as? Int, 16)
        XCTAssertEqual(object["steps"] as? Int, 1)
        XCTAssertEqual(object["checkpointing"] as? Bool, false)
        for key in ["tokens_per_s", "step_s", "gflops", "sgemm_peak_gflops", "peak_rss_bytes"] {
            let v = try XCTUnwrap(object[key] as? Double, "\(key) is a number: \(r.out)")
            XCTAssertGreaterThan(v, 0, key)
        }
        XCTAssertTrue(r.out.hasPrefix("{\"benchmark\":\"train\",\"shape\":\"tiny\""), "fields keep their order: \(r.out)")
    }
}
