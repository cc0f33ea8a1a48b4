import Foundation
import Models
import SafetyEval
import TestSupport
import Tokenizers
import XCTest

/// `safekey generate --api-base` (issue 18 item 2), end to end through the binary: against
/// `safekey serve` on the tiny world model it writes the same generations file as in-process
/// `safekey generate` (greedy, 9 StrongREJECT prompts + 1 prefilling item); against a stub that
/// fails with 500s and timeouts, the failures are recorded per item, the exit status is 3, and a
/// rerun retries only the failed items.
final class GenerateOverAPITests: XCTestCase {
    /// 9 StrongREJECT prompts, and a prefilling CSV holding the first of them with a target.
    func benchmarks() throws -> (strongreject: String, prefilling: String) {
        let sr = try RepoPaths.shared("eval/strongreject/strongreject_dataset.csv")
        let first = try XCTUnwrap(BenchmarkLoader.load(DataArgument(benchmark: .strongreject, path: sr)).first)
        let dir = try TempDir.make("generate-api", removedAfter: self)
        let pf = (dir as NSString).appendingPathComponent("prefill.csv")
        func quoted(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        let target = "Sure, here is how to bake bread at home. First, mix the flour with water and salt"
        try Data("goal,target\n\(quoted(first.prompt)),\(quoted(target))\n".utf8).write(to: URL(fileURLWithPath: pf))
        return (sr, pf)
    }

    /// Reads `<dir>/<name>.json`.
    func file(_ dir: String, _ name: String) throws -> GenerationFile {
        try GenerationFile.read((dir as NSString).appendingPathComponent("\(name).json"))
    }

    func testGenerateThroughServeEqualsInProcess() throws {
        let (sr, pf) = try benchmarks()
        let out = try TempDir.make("generate-api-out", removedAfter: self)
        // 64 new tokens: the world model's U and K for these out-of-world questions take ~50 tokens before `</think>`.
        let common = ["--data", "strongreject=\(sr)", "--data", "prefilling=\(pf)", "--limit", "9", "--max-new-tokens", "64", "--quiet"]
        let local = (out as NSString).appendingPathComponent("local"), remote = (out as NSString).appendingPathComponent("api")

        let t0 = Date()
        let a = try SafeKeyCLI.run(["generate", "--model", ServeHarness.worldModel] + common + ["--output", local])
        XCTAssertEqual(a.status, 0, a.err)
        let server = try ServeProcess(["--model", ServeHarness.worldModel, "--served-model-name", "world-base", "--quiet"])
        let b = try SafeKeyCLI.run(["generate", "--api-base", server.base, "--model-name", "world-base", "--tokenizer", ServeHarness.worldModel,
                                    "--concurrency", "4"] + common + ["--output", remote])
        XCTAssertEqual(server.stop().status, 0)
        XCTAssertEqual(b.status, 0, b.err)
        print("generate in-process and through safekey serve: \(String(format: "%.1f", Date().timeIntervalSince(t0))) s")

        for name in ["strongreject", "prefilling"] {
            let want = try file(local, name), got = try file(remote, name)
            XCTAssertEqual(got.data.count, name == "strongreject" ? 9 : 1)
            XCTAssertEqual(got.data.count, want.data.count)
            for (g, w) in zip(got.data, want.data) {
                XCTAssertEqual(g.prompt, w.prompt, "\(name) \(w.fields["id"] ?? .null)")
                XCTAssertEqual(g.response, w.response, "\(name) \(w.fields["id"] ?? .null)")
                XCTAssertEqual(g, w, "\(name): the whole record (prefill, response_tokens, think_tokens, ids) is the same")
            }
            // Metadata: only the engine differs, and the API run records how prompts were sent.
            let keys = Set(want.metaInfo.keys).union(got.metaInfo.keys)
            let differing = keys.filter { k in !(want.metaInfo[k].map { v in got.metaInfo[k]?.sameValue(as: v) ?? false } ?? false) }
            XCTAssertEqual(differing, ["engine", "prompt_mode"], "\(name) meta_info")
            XCTAssertEqual(got.metaInfo["engine"]?.stringValue, "openai-api")
            XCTAssertEqual(got.metaInfo["prompt_mode"]?.stringValue, "completions")
        }
        let pre = try file(remote, "prefilling").data[0]
        let prefill = try XCTUnwrap(pre.fields["prefill"]?.stringValue, "the prefilling item records its prefill")
        XCTAssertTrue(prefill.hasPrefix("Sure, here is"), prefill)
        XCTAssertTrue(pre.prompt.hasSuffix(" " + prefill), "prompt = rendered + \" \" + prefill: \(pre.prompt)")
        XCTAssertTrue(try file(remote, "strongreject").data.contains { $0.response[0].contains("</think>") }, "the world model thinks, then answers")
    }

    /// `max_tokens` beyond the server's context (`--max-model-len`; read from `GET /v1/models`'s
    /// `max_model_len`) is cut per prompt instead of failing every item with 400; a prompt that
    /// alone fills the context fails its item, saying why.
    func testMaxTokensAreClampedToTheServersContext() throws {
        let (sr, _) = try benchmarks()
        let out = try TempDir.make("generate-api-context", removedAfter: self)
        let tokenizer = try Tokenizer(path: ServeHarness.worldModel)
        for (context, fits) in [(96, true), (12, false)] {
            let server = try ServeProcess(["--model", ServeHarness.worldModel, "--served-model-name", "world-base", "--quiet",
                                           "--max-model-len", "\(context)"])
            let dest = (out as NSString).appendingPathComponent("c\(context).json")   // one benchmark: --output is the file
            let r = try SafeKeyCLI.run(["generate", "--api-base", server.base, "--model-name", "world-base", "--tokenizer", ServeHarness.worldModel,
                                        "--data", "strongreject=\(sr)", "--limit", "3", "--max-new-tokens", "8000", "--output", dest])
            XCTAssertEqual(server.stop().status, 0)
            XCTAssertTrue(r.err.contains("the server's context is \(context) tokens (max_model_len)"), r.err)
            let records = try GenerationFile.read(dest).data
            XCTAssertEqual(records.count, 3)
            if fits {
                XCTAssertEqual(r.status, 0, r.err)
                XCTAssertTrue(r.err.contains("3 request(s) asked for fewer than --max-new-tokens 8000 tokens"), r.err)
                for rec in records {
                    let promptTokens = try tokenizer.encode(rec.prompt, addSpecialTokens: false).count
                    let generated = try XCTUnwrap(rec.fields["response_tokens"]?.arrayValue?.first?.intValue)
                    XCTAssertLessThanOrEqual(promptTokens + generated, context, "prompt \(promptTokens) + generated \(generated)")
                    XCTAssertNil(rec.generationError)
                }
            } else {
                XCTAssertEqual(r.status, 3, "every prompt is longer than 12 tokens: every item fails")
                for rec in records { XCTAssertTrue(rec.generationError?.contains("the server's context holds 12") ?? false, "\(rec.generationError ?? "nil")") }
            }
        }
    }

    func testServerFailuresAreRecordedPerItemAndRetriedOnRerun() throws {
        let (sr, _) = try benchmarks()
        let items = try BenchmarkLoader.load(DataArgument(benchmark: .strongreject, path: sr))
        let (broken, slow) = (items[0].prompt, items[1].prompt)
        let failing = try StubChatServer { prompt, _ in
            if prompt == broken { return .raw(status: 500, body: #"{"error": {"message": "boom"}}"#) }
            if prompt == slow { return .delayed(2, .content("too late")) }
            return .content("I cannot help with that.")
        }
        defer { failing.stop() }
        let out = (try TempDir.make("generate-api-fail", removedAfter: self) as NSString).appendingPathComponent("sr.json")
        let args = ["generate", "--model-name", "stub", "--data", "strongreject=\(sr)", "--limit", "3", "--max-new-tokens", "16",
                    "--max-attempts", "2", "--timeout", "0.5", "--quiet", "--output", out]
        let r = try SafeKeyCLI.run(args + ["--api-base", failing.baseURLString])
        XCTAssertEqual(r.status, 3, "failed items make the exit status 3: \(r.err)")
        XCTAssertTrue(r.err.contains("2 of 3 items failed"), r.err)
        let f = try GenerationFile.read(out)
        XCTAssertEqual(f.data.count, 3, "no item is dropped")
        XCTAssertEqual(f.data[0].response, [])
        XCTAssertTrue(f.data[0].generationError?.contains("HTTP 500") ?? false, "\(f.data[0].fields)")
        XCTAssertTrue(f.data[0].generationError?.contains("after 2 attempts") ?? false, "\(f.data[0].fields)")
        XCTAssertEqual(f.data[1].response, [])
        XCTAssertTrue(f.data[1].generationError?.contains("timed out") ?? false, "\(f.data[1].fields)")
        XCTAssertEqual(f.data[2].response, ["I cannot help with that."])
        XCTAssertNil(f.data[2].generationError)
        XCTAssertEqual(failing.count(for: broken), 2, "a 500 is retried up to --max-attempts")
        XCTAssertEqual(f.metaInfo["prompt_mode"]?.stringValue, "chat", "without --tokenizer the server's chat template is used")
        XCTAssertEqual(failing.requests.first?.path, "/v1/chat/completions")

        // --allow-failures accepts them (exit 0); the file keeps them marked.
        let accepted = try SafeKeyCLI.run(args + ["--api-base", failing.baseURLString, "--allow-failures", "2"])
        XCTAssertEqual(accepted.status, 0, accepted.err)

        // A rerun against a healthy server generates only the failed items again.
        let healthy = try StubChatServer { prompt, _ in .content("answer to \(prompt.prefix(10))") }
        defer { healthy.stop() }
        let again = try SafeKeyCLI.run(args + ["--api-base", healthy.baseURLString])
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertEqual(Set(healthy.requests.map(\.prompt)), [broken, slow], "only the failed items are asked again")
        let g = try GenerationFile.read(out)
        XCTAssertEqual(g.data.map(\.response), [["answer to \(broken.prefix(10))"], ["answer to \(slow.prefix(10))"], ["I cannot help with that."]])
        XCTAssertTrue(g.data.allSatisfy { $0.generationError == nil })
    }

    func testPrefillingThroughChatWithoutTokenizerIsRefused() throws {
        let (_, pf) = try benchmarks()
        let r = try SafeKeyCLI.run(["generate", "--api-base", "http://127.0.0.1:9/v1", "--model-name", "m", "--data", "prefilling=\(pf)",
                                    "--output", (NSTemporaryDirectory() as NSString).appendingPathComponent("never-\(UUID().uuidString).json")])
        XCTAssertEqual(r.status, 64, r.err)
        XCTAssertTrue(r.err.contains("--tokenizer"), r.err)
    }
}
