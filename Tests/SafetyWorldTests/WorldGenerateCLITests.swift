import Foundation
import TestSupport
import XCTest
import SafetyWorld

/// `safekey world generate` on the committed base model writes one response per prompt, in the
/// layout `safekey world judge` reads; the unaligned base model complies with a harmful request.
final class WorldGenerateCLITests: XCTestCase {
    func testGenerateThenJudge() throws {
        _ = try SafeKeyCLI.executable()
        guard FileManager.default.fileExists(atPath: DemoPipelineTests.base + "/model.safetensors") else {
            throw XCTSkip("Assets/world-base has no weights")
        }
        let dir = URL(fileURLWithPath: try TempDir.make("safekey-world-generate", removedAfter: self))
        let prompts = dir.appendingPathComponent("prompts.jsonl"), out = dir.appendingPathComponent("out.jsonl")
        let examples = try SafetyWorld.examples(.plainHarmful, count: 3, seed: 7)
        try examples.map { e -> String in
            let data = try JSONSerialization.data(withJSONObject: ["prompt": e.prompt.question])
            return String(decoding: data, as: UTF8.self)
        }.joined(separator: "\n").write(to: prompts, atomically: true, encoding: .utf8)
        let r = try SafeKeyCLI.run(["world", "generate", "--model", DemoPipelineTests.base, "--prompts", prompts.path, "--output", out.path,
                                    "--max-new-tokens", "160"])
        XCTAssertEqual(r.status, 0)
        let judged = try WorldJudgeFile.judge(path: out.path)
        XCTAssertEqual(judged.count, 3)
        // The unaligned base model never refuses. (With the base model of the wrapper world, rules v2
        // judged the second answer off-task: it wrote the template of a benign look-alike. The base
        // re-pre-trained for the obscuring families, issue 16, carries out all three plain requests.)
        XCTAssertEqual(judged.map(\.verdict.kind), [.complied, .complied, .complied])
        XCTAssertEqual(judged.map(\.verdict.rule), ["steps", "steps", "steps"])
    }
}
