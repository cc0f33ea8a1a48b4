import Foundation
import SafetyEval
import TestSupport
import XCTest

/// A scripted generator: echoes the last user message, records every request, can fail on demand.
final class EchoGenerator: ResponseGenerator {
    let modelName = "echo-model"
    // temperature as a Double 0.0: JSON writes it as 0 and reads it back as an integer; resume must still match.
    var settings: [String: EvalJSON] = ["temperature": .double(0), "top_p": .double(1.0), "repetition_penalty": .double(1.2)]
    var requests: [[GenerationRequest]] = []
    var failAfterCalls: Int?

    struct Stop: Error {}

    func generate(_ requests: [GenerationRequest]) throws -> [GenerationResult] {
        if let f = failAfterCalls, self.requests.count >= f { throw Stop() }
        self.requests.append(requests)
        return requests.map { r in
            let last = r.messages.last?.content ?? ""
            let prefill = r.prefill.map { String($0.target.split(separator: " ").prefix($0.tokens).joined(separator: " ")) }
            let prompt = r.messages.map { "<\($0.role)>\($0.content)" }.joined() + "<assistant>" + (prefill.map { " " + $0 } ?? "")
            return GenerationResult(prompt: prompt, responses: (0 ..< r.samples).map { "think about \(last)\n</think>\n\nreply to \(last) #\($0)" },
                                    prefillText: prefill, generatedTokens: 5 * r.samples)
        }
    }
}

final class GenerationRunnerTests: XCTestCase {
    private func items(_ n: Int) -> [BenchmarkItem] {
        (0 ..< n).map { BenchmarkItem(id: "\($0)", prompt: "prompt \($0)", categories: ["c\($0 % 2)"], prefill: "one two three four") }
    }

    func testWritesReferenceLayoutAndResumes() throws {
        let out = try TestPaths.tempDir() + "/gen.json"
        let g = EchoGenerator()
        g.failAfterCalls = 2
        let runner = GenerationRunner(generator: g, batchSize: 2, samples: 2, prefillTokens: 2)
        XCTAssertThrowsError(try runner.run(items: items(5), benchmark: .prefilling, output: out))
        // Two batches were written before the failure.
        let partial = try GenerationFile.read(out)
        XCTAssertEqual(partial.data.count, 4)
        XCTAssertEqual(partial.modelName, "echo-model")
        XCTAssertEqual(partial.benchmarkName, "prefilling")

        g.failAfterCalls = nil
        var lines: [String] = []
        let done = try runner.run(items: items(5), benchmark: .prefilling, output: out) { p, start in lines.append(p.line(startedAt: start)) }
        XCTAssertEqual(done.data.count, 5)
        XCTAssertEqual(g.requests.count, 3, "only the fifth item is generated on resume")
        XCTAssertEqual(g.requests[2].map(\.messages.last?.content), ["prompt 4"])
        XCTAssertEqual(lines.count, 1)
        XCTAssertTrue(lines[0].contains("5/5 items"), lines[0])

        // The file on disk is exactly the reference layout.
        let raw = try XCTUnwrap(try FixtureJSON.load(out).objectValue)
        XCTAssertEqual(Set(raw.keys), ["meta_info", "data"])
        let first = try XCTUnwrap(raw["data"]?.arrayValue?.first)
        XCTAssertEqual(first["instruction"]?.stringValue, "prompt 0")
        XCTAssertEqual(first["response"]?.stringArray?.count, 2)
        XCTAssertEqual(first["prefill"]?.stringValue, "one two")
        XCTAssertEqual(first["category"]?.stringArray, ["c0"])
        XCTAssertTrue(first["prompt"]?.stringValue?.hasSuffix("<assistant> one two") == true)
        let meta = try XCTUnwrap(raw["meta_info"])
        XCTAssertEqual(meta["repetition_penalty"]?.doubleValue, 1.2)
        XCTAssertEqual(meta["samples"]?.intValue, 2)
    }

    func testResumeRefusesOtherSettingsOrData() throws {
        let out = try TestPaths.tempDir() + "/gen.json"
        try GenerationRunner(generator: EchoGenerator(), batchSize: 4).run(items: items(2), benchmark: .advbench, output: out)
        XCTAssertThrowsError(try GenerationRunner(generator: EchoGenerator(), samples: 3).run(items: items(2), benchmark: .advbench, output: out)) { e in
            guard case let .resumeMismatch(_, key, _, _)? = e as? SafetyEvalError else { return XCTFail("\(e)") }
            XCTAssertEqual(key, "samples")
        }
        var other = items(2)
        other[1].instruction = "something else"
        XCTAssertThrowsError(try GenerationRunner(generator: EchoGenerator()).run(items: other, benchmark: .advbench, output: out)) { e in
            XCTAssertEqual(e as? SafetyEvalError, .resumeItemMismatch(path: out, index: 1))
        }
    }

    private func conversation() -> BenchmarkItem {
        let turns = [ChatTurn(role: "user", content: "u1"), ChatTurn(role: "assistant", content: "RECORDED a1"),
                     ChatTurn(role: "user", content: "u2"), ChatTurn(role: "assistant", content: "RECORDED a2"),
                     ChatTurn(role: "user", content: "u3")]
        return BenchmarkItem(id: "0", prompt: "u3", instruction: "the objective", conversation: turns)
    }

    func testMultiTurnReplayGeneratesEveryAssistantTurn() throws {
        let out = try TestPaths.tempDir() + "/mt.json"
        let g = EchoGenerator()
        let short = BenchmarkItem(id: "1", prompt: "only", instruction: "o2", conversation: [ChatTurn(role: "user", content: "only")])
        let file = try GenerationRunner(generator: g, batchSize: 8, multiTurnMode: .replay).run(items: [conversation(), short], benchmark: .multiturn, output: out)
        // Turn 1 and turn 2 for the long conversation, then the final turn for both.
        XCTAssertEqual(g.requests.map(\.count), [1, 1, 2])
        let final = g.requests[2][0].messages
        XCTAssertEqual(final.map(\.role), ["user", "assistant", "user", "assistant", "user"])
        XCTAssertEqual(final[1].content, "reply to u1 #0", "history carries the generated answer, not the thinking")
        XCTAssertEqual(final[3].content, "reply to u2 #0")
        XCTAssertFalse(final.contains { $0.content.contains("RECORDED") })
        XCTAssertEqual(file.data[0].instruction, "the objective")
        XCTAssertEqual(file.data[0].response, ["think about u3\n</think>\n\nreply to u3 #0"])
        XCTAssertEqual(file.data[0].fields["conversation"]?.arrayValue?.count, 5)
        XCTAssertEqual(file.data[1].response, ["think about only\n</think>\n\nreply to only #0"])
        XCTAssertEqual(file.metaInfo["multi_turn_mode"], .string("replay"))
    }

    func testMultiTurnRecordedKeepsTheHistory() throws {
        let out = try TestPaths.tempDir() + "/mt.json"
        let g = EchoGenerator()
        try GenerationRunner(generator: g, multiTurnMode: .recorded).run(items: [conversation()], benchmark: .multiturn, output: out)
        XCTAssertEqual(g.requests.count, 1)
        XCTAssertEqual(g.requests[0][0].messages.map(\.content), ["u1", "RECORDED a1", "u2", "RECORDED a2", "u3"])
    }

    func testReadsReferenceFileWithExtraKeys() throws {
        let p = TestPaths.fixture("generation_sample.json")
        let f = try GenerationFile.read(p)
        XCTAssertEqual(f.benchmarkName, "strongreject")
        XCTAssertEqual(f.data.count, 4)
        XCTAssertEqual(f.metaInfo["max_tokens"], .int(8000))
        XCTAssertEqual(f.data[0].fields["OpenAI4o_evaluate_label"], .array([.int(1)]))
        // Round trip keeps everything.
        let out = try TestPaths.tempDir() + "/copy.json"
        try f.write(to: out)
        XCTAssertEqual(try GenerationFile.read(out), f)
    }

    func testBadGenerationFiles() throws {
        let dir = try TestPaths.tempDir()
        try #"{"meta_info": {}, "data": [{"prompt": "p", "response": ["r"]}]}"#.write(toFile: dir + "/a.json", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try GenerationFile.read(dir + "/a.json")) { e in
            guard case let .badJSON(_, location, detail)? = e as? SafetyEvalError else { return XCTFail("\(e)") }
            XCTAssertEqual(location, ".data[0]")
            XCTAssertTrue(detail.contains("instruction"))
        }
        try "".write(toFile: dir + "/e.json", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try GenerationFile.read(dir + "/e.json"))
    }
}
