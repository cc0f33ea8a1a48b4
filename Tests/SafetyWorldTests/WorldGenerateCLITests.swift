import Foundation
import XCTest
import SafetyWorld

/// `safekey world generate` on the committed base model writes one response per prompt, in the
/// layout `safekey world judge` reads; the unaligned base model complies with a harmful request.
final class WorldGenerateCLITests: XCTestCase {
    private var executable: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("safekey").path
    }

    func testGenerateThenJudge() throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else { throw XCTSkip("safekey executable not built at \(executable)") }
        guard FileManager.default.fileExists(atPath: DemoPipelineTests.base + "/model.safetensors") else {
            throw XCTSkip("Assets/world-base has no weights")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("safekey-world-generate-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let prompts = dir.appendingPathComponent("prompts.jsonl"), out = dir.appendingPathComponent("out.jsonl")
        let examples = try SafetyWorld.examples(.plainHarmful, count: 3, seed: 7)
        try examples.map { e -> String in
            let data = try JSONSerialization.data(withJSONObject: ["prompt": e.prompt.question])
            return String(decoding: data, as: UTF8.self)
        }.joined(separator: "\n").write(to: prompts, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = ["world", "generate", "--model", DemoPipelineTests.base, "--prompts", prompts.path, "--output", out.path,
                       "--max-new-tokens", "160"]
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        let judged = try WorldJudgeFile.judge(path: out.path)
        XCTAssertEqual(judged.count, 3)
        XCTAssertEqual(judged.filter(\.verdict.isHarmful).count, 3, "the unaligned base model complies: \(judged.map(\.verdict.kind))")
    }
}
