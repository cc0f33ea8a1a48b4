import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Models
import SafetyEval
import Serve
import XCTest

/// `safekey chat` (one exchange through stdin, non-TTY) and `safekey serve` as a process (port 0,
/// one request, SIGTERM → clean exit).
final class ServeCLITests: XCTestCase {
    func executable() throws -> URL {
        let bundle = Bundle(for: Self.self).bundleURL
        for u in [bundle.appendingPathComponent("safekey"), bundle.deletingLastPathComponent().appendingPathComponent("safekey")]
            where FileManager.default.isExecutableFile(atPath: u.path) { return u }
        throw XCTSkip("safekey executable not built beside the tests (\(bundle.path)); build with --build-tests")
    }

    func testChatOneExchangeThroughStdin() throws {
        let prompt = worldPrompts[0]
        let gen = DecoderGenerator(local: try ServeHarness.model().local, params: SamplingParameters(maxNewTokens: 48, repetitionPenalty: 1.2))
        let want = try gen.generate([GenerationRequest(messages: [ChatTurn(role: "user", content: prompt)])])[0].responses[0]
        let parts = want.components(separatedBy: "</think>")
        let p = Process()
        p.executableURL = try executable()
        p.arguments = ["chat", "--model", ServeHarness.worldModel, "--temperature", "0", "--max-tokens", "48", "--repetition-penalty", "1.2"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        input.fileHandleForWriting.write(Data("/system\n\(prompt)\n".utf8))
        try input.fileHandleForWriting.close()
        let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, out)
        XCTAssertFalse(out.contains("\u{1B}"), "no ANSI codes when stdout is not a terminal")
        XCTAssertTrue(out.contains("(system prompt cleared)"), out)
        for part in parts { XCTAssertTrue(out.contains(part.trimmingCharacters(in: .whitespacesAndNewlines)), "\(part) not in: \(out)") }
    }

    func testServeProcessAnswersAndStopsOnSIGTERM() async throws {
        let server = try ServeProcess(["--model", ServeHarness.worldModel, "--served-model-name", "tiny"])
        var req = URLRequest(url: URL(string: "\(server.base)/chat/completions")!)
        req.httpMethod = "POST"
        req.setValue("application/json", forHTTPHeaderField: "Content-Type")
        req.httpBody = Data(#"{"model": "tiny", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 4}"#.utf8)
        let (data, response) = try await ServeHarness.session.data(for: req)
        XCTAssertEqual((response as? HTTPURLResponse)?.statusCode, 200, String(decoding: data, as: UTF8.self))
        let (status, log) = server.stop()
        XCTAssertEqual(status, 0)
        XCTAssertTrue(log.contains("POST /v1/chat/completions 200"), "request log line: \(log)")
        XCTAssertFalse(log.contains("\"content\""), "the log holds no bodies")
    }
}
