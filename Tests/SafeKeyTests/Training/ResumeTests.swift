import Foundation
import TestSupport
import XCTest
import SafeKey

/// `safekey train` killed with SIGKILL at a random moment and resumed with `--resume` ends with
/// exactly the weights of an uninterrupted run (issue 5). Runs the built `safekey` executable.
final class ResumeTests: XCTestCase {
    private func trainArgs(model: String, output: String) -> [String] {
        ["train", "--model", model, "--data", TrainerFixture.directory.appendingPathComponent("records.jsonl").path,
         "--output", output, "--epochs", "3", "--last-k-epochs", "1", "--batch-size", "2", "--grad-accum", "1",
         "--lr", "1e-2", "--warmup-ratio", "0.2", "--checkpoint-every", "1", "--save-dtype", "f32", "--log", output + ".log"]
    }

    private func launch(_ args: [String]) throws -> Process { try SafeKeyCLI.launch(args) }

    func testKilledRunResumesToIdenticalWeights() throws {
        _ = try SafeKeyCLI.executable()
        guard FileManager.default.fileExists(atPath: TrainerFixture.sharedTokenizer + "/tokenizer.json") else {
            throw XCTSkip("needs ../shared/data/tokenizers/deepseek-r1-distill-qwen beside the checkout")
        }
        let model = try TrainerFixture.modelFolder()
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("safekey-resume-\(getpid())").path
        try? FileManager.default.removeItem(atPath: tmp)
        let straight = tmp + "/straight", killed = tmp + "/killed"
        let a = try launch(trainArgs(model: model, output: straight))
        a.waitUntilExit()
        XCTAssertEqual(a.terminationStatus, 0, "uninterrupted run failed")

        // Kill after the first checkpoint plus a random delay, while the run is still going.
        var rng = SystemRandomNumberGenerator()
        var interrupted = false
        for attempt in 0..<4 where !interrupted {
            try? FileManager.default.removeItem(atPath: killed)
            let b = try launch(trainArgs(model: model, output: killed))
            let deadline = Date().addingTimeInterval(120)
            while !FileManager.default.fileExists(atPath: killed + "/checkpoint/trainer_state.json") && b.isRunning && Date() < deadline {
                usleep(20_000)
            }
            usleep(UInt32.random(in: 0...(attempt == 0 ? 1_500_000 : 300_000), using: &rng))
            if b.isRunning {
                kill(b.processIdentifier, SIGKILL)
                interrupted = true
            }
            b.waitUntilExit()
        }
        XCTAssertTrue(interrupted, "the run always finished before it could be killed")
        let c = try launch(trainArgs(model: model, output: killed) + ["--resume", killed])
        c.waitUntilExit()
        XCTAssertEqual(c.terminationStatus, 0, "resumed run failed")
        for file in ["model.safetensors", "safety_head.safetensors"] {
            let x = FileManager.default.contents(atPath: straight + "/" + file)
            let y = FileManager.default.contents(atPath: killed + "/" + file)
            XCTAssertNotNil(x)
            XCTAssertEqual(x, y, "\(file) differs between the uninterrupted and the resumed run")
        }
        let logA = try String(contentsOfFile: straight + ".log", encoding: .utf8).split(separator: "\n").count
        let logB = try String(contentsOfFile: killed + ".log", encoding: .utf8).split(separator: "\n").count
        XCTAssertEqual(logA, 9)
        XCTAssertEqual(logB, logA, "the resumed log should hold each step once")
        try? FileManager.default.removeItem(atPath: tmp)
    }
}
