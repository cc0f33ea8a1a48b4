import Foundation
import TestSupport
import XCTest
import SafetyEval

/// Issue 20 through the `safekey` binary: each case here destroyed a file, trapped, allocated
/// gigabytes or exited 0 without doing its job before the fix.
final class RobustnessCLITests: XCTestCase {
    private var exe: URL!
    private var tmp: String!

    override func setUpWithError() throws {
        exe = try TinyChatModel.executable(for: RobustnessCLITests.self)
        tmp = try TestPaths.tempDir()
    }

    /// Runs the binary; `stdout` defaults to a pipe. Returns (status, stdout, stderr, seconds);
    /// a status of 128 + n means signal n (a crash).
    @discardableResult
    private func run(_ args: [String], env: [String: String] = [:], stdout: FileHandle? = nil) throws -> (Int32, String, String, Double) {
        let p = Process()
        p.executableURL = exe
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(env) { _, b in b }
        let out = Pipe(), err = Pipe()
        p.standardOutput = stdout ?? out
        p.standardError = err
        let start = Date()
        try p.run()
        let o = stdout == nil ? out.fileHandleForReading.readDataToEndOfFile() : Data()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let status = p.terminationReason == .uncaughtSignal ? 128 + p.terminationStatus : p.terminationStatus
        return (status, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self), Date().timeIntervalSince(start))
    }

    /// Byte contents of every file under `path` (for "nothing was changed").
    private func snapshot(_ path: String) -> [String: Data] {
        var out: [String: Data] = [:]
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDir) else { return [:] }
        if !isDir.boolValue { return [path: fm.contents(atPath: path) ?? Data()] }
        for f in (fm.subpaths(atPath: path) ?? []).sorted() { out[f] = fm.contents(atPath: path + "/" + f) }
        return out
    }

    private func tinyModelWithConfig(_ edit: (inout JSONObject) -> Void) throws -> String {
        let src = TestPaths.repoRoot.appendingPathComponent("Tests/Fixtures/models/qwen2-tiny").path
        let dir = tmp + "/model-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: src + "/model.safetensors", toPath: dir + "/model.safetensors")
        try FixtureJSON.editConfig(from: src + "/config.json", to: dir + "/config.json", edit)
        return dir
    }

    /// A 7B config over tiny weights and `hidden_size` 1e9 / 1e15: a clear error within a second,
    /// peak resident memory under 100 MB (VmHWM reported by the process itself).
    func testHostileConfigsFailFastAndSmall() throws {
        let cases: [(String, (inout JSONObject) -> Void)] = [
            ("7B", { c in c["hidden_size"] = 3584; c["intermediate_size"] = 18944; c["num_hidden_layers"] = 28
                c["num_attention_heads"] = 28; c["num_key_value_heads"] = 4; c["vocab_size"] = 152064; c["head_dim"] = nil }),
            ("hidden 1e9", { c in c["hidden_size"] = 1_000_000_000; c["head_dim"] = 16 }),
            ("hidden 1e15", { c in c["hidden_size"] = 1_000_000_000_000_000; c["head_dim"] = 16 }),
            ("layers 1e9", { c in c["num_hidden_layers"] = 1_000_000_000 }),
        ]
        for (name, edit) in cases {
            let dir = try tinyModelWithConfig(edit)
            let (rc, _, err, seconds) = try run(["forward", "--model", dir, "--ids", "1,2,3"], env: ["SAFEKEY_REPORT_PEAK_RSS": "1"])
            XCTAssertEqual(rc, 1, "\(name): \(err)")
            XCTAssertTrue(err.contains("config"), "\(name): \(err)")
            let kb = err.split(separator: "\n").first { $0.hasPrefix("peak_rss_kb ") }.flatMap { Int($0.dropFirst(12)) }
            let peak = try XCTUnwrap(kb, "\(name): no peak_rss_kb line in \(err)")
            print(String(format: "%@: refused in %.2f s, peak RSS %.1f MB", name, seconds, Double(peak) / 1024))
            XCTAssertLessThan(peak, 100 * 1024, name)
            XCTAssertLessThan(seconds, 3, "\(name) (the budget is 1 s on an idle machine; 3 s allows for a loaded one)")
        }
    }

    func testTrainRefusesToWriteOverItsModel() throws {
        let model = try tinyModelWithConfig { _ in }
        let link = tmp + "/link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: model)
        let data = tmp + "/records.jsonl"
        try Data(#"{"question": "q", "response": "<think>\nOk.\n</think>\n\nNo."}"#.utf8).write(to: URL(fileURLWithPath: data))
        let before = snapshot(model)
        for out in [model, link, link + "/", model + "/../" + (model as NSString).lastPathComponent] {
            let (rc, _, err, _) = try run(["train", "--model", model, "--data", data, "--output", out])
            XCTAssertEqual(rc, 64, err)
            XCTAssertTrue(err.contains("would destroy the input"), err)
        }
        // Through the symlink on the other side too.
        let (rc, _, err, _) = try run(["train", "--model", link, "--data", data, "--output", model])
        XCTAssertEqual(rc, 64, err)
        XCTAssertEqual(snapshot(model), before)
        // An unrelated existing folder is not replaced without --overwrite.
        let other = tmp + "/other"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: other + "/notes.txt"))
        let (rc2, _, err2, _) = try run(["train", "--model", model, "--data", data, "--output", other])
        XCTAssertEqual(rc2, 64, err2)
        XCTAssertTrue(err2.contains("--overwrite"), err2)
    }

    func testAnnotateNeverDestroysItsInputOrUnrelatedFiles() throws {
        let input = tmp + "/in.jsonl"
        let records = try run(["world", "sample", "--count", "2", "--seed", "1"]).1
        try Data(records.utf8).write(to: URL(fileURLWithPath: input))
        let (rc, _, err, _) = try run(["annotate", "--input", input, "--output", input])
        XCTAssertEqual(rc, 64, err)
        XCTAssertEqual(try String(contentsOfFile: input, encoding: .utf8), records)

        let unrelated = tmp + "/unrelated.jsonl"
        try Data("precious\n".utf8).write(to: URL(fileURLWithPath: unrelated))
        let (rc2, _, err2, _) = try run(["annotate", "--input", input, "--output", unrelated])
        XCTAssertEqual(rc2, 64, err2)
        XCTAssertEqual(try String(contentsOfFile: unrelated, encoding: .utf8), "precious\n")

        // An earlier output is resumed; when every new record fails (API down) it stays intact.
        let out = tmp + "/uk.jsonl"
        let (rc3, _, err3, _) = try run(["annotate", "--input", input, "--output", out])
        XCTAssertEqual(rc3, 0, err3)
        let first = try XCTUnwrap(FileManager.default.contents(atPath: out))
        let input2 = tmp + "/in2.jsonl"
        try Data(try run(["world", "sample", "--set", "benign", "--count", "1"]).1.utf8).write(to: URL(fileURLWithPath: input2))
        let (rc4, _, err4, _) = try run(["annotate", "--input", input2, "--output", out, "--method", "api", "--api-base", "http://127.0.0.1:9/v1",
                                        "--model-name", "m", "--retries", "0", "--timeout", "2"])
        XCTAssertEqual(rc4, 3, err4)
        XCTAssertTrue(err4.contains("1 of 1 records failed"), err4)
        XCTAssertEqual(FileManager.default.contents(atPath: out), first)
    }

    func testWorldPretrainDoesNotOverwriteAModel() throws {
        let dir = tmp + "/base"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data("weights".utf8).write(to: URL(fileURLWithPath: dir + "/model.safetensors"))
        let (rc, _, err, _) = try run(["world", "pretrain", "--tokenizer", TinyChatModel.worldTokenizer, "--output", dir])
        XCTAssertEqual(rc, 64, err)
        XCTAssertTrue(err.contains("--overwrite"), err)
        XCTAssertEqual(try String(contentsOfFile: dir + "/model.safetensors", encoding: .utf8), "weights")
    }

    /// A full disk on stdout is a clear error, not a trap (`FileHandle.write(_:)` raised).
    func testFullDiskOnStdoutIsAClearError() throws {
        guard let full = FileHandle(forWritingAtPath: "/dev/full") else { throw XCTSkip("no /dev/full") }
        for args in [["world", "sample", "--count", "3"], ["eval", "--list-phrases"]] {
            let (rc, _, err, _) = try run(args, stdout: full)
            XCTAssertEqual(rc, 1, "\(args): \(err)")
            XCTAssertTrue(err.contains("cannot write to standard output (No space left on device)"), "\(args): \(err)")
        }
    }

    func testOutOfRangeNumbersAreRefusedByArgumentParsing() throws {
        let model = try tinyModelWithConfig { _ in }
        let data = tmp + "/r.jsonl"
        try Data("{}\n".utf8).write(to: URL(fileURLWithPath: data))
        let base = ["train", "--model", model, "--data", data, "--output", tmp + "/t"]
        for extra in [["--lr", "nan"], ["--lr", "1e30"], ["--lr", "-5"], ["--betas", "1.5,2"], ["--warmup-ratio", "2"],
                      ["--max-seq-len", "0"], ["--epochs", "0"], ["--max-grad-norm", "nan"]] {
            let (rc, _, err, _) = try run(base + extra)
            XCTAssertEqual(rc, 64, "\(extra): \(err)")
            XCTAssertTrue(err.contains(extra[0]), "\(extra): \(err)")
        }
        let gen = tmp + "/g.json"
        try GenerationFile(metaInfo: ["data": .string("strongreject")], data: [GenerationRecord(instruction: "q", prompt: "", response: ["r"])]).write(to: gen)
        for t in ["nan", "1e300", "-5", "0", "inf"] {
            let (rc, _, err, _) = try run(["eval", "--input", gen, "--judge", "rubric", "--timeout", t])
            XCTAssertEqual(rc, 64, "--timeout \(t): \(err)")
            let (rc2, _, err2, _) = try run(["annotate", "--input", data, "--output", tmp + "/a.jsonl", "--timeout", t])
            XCTAssertEqual(rc2, 64, "annotate --timeout \(t): \(err2)")
        }
        let (rc3, _, err3, _) = try run(["encode", "--model", model, "--data", data, "--max-seq-len", "0"])
        XCTAssertEqual(rc3, 64, err3)
    }

    func testNonFiniteWeightsAndOutputsAreReported() throws {
        let dir = try tinyModelWithConfig { _ in }
        // Overwrite the first 4 bytes of the first tensor's data with a NaN.
        let path = dir + "/model.safetensors"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let n = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = try JSONParser.parse(bytes.subdata(in: 8..<(8 + n)), path: "model.safetensors header")
        let begin = try XCTUnwrap(header["model.norm.weight"]?["data_offsets"]?.intArray?.first)
        bytes.replaceSubrange((8 + n + begin)..<(8 + n + begin + 4), with: withUnsafeBytes(of: Float.nan.bitPattern.littleEndian) { Data($0) })
        try bytes.write(to: URL(fileURLWithPath: path))
        let (rc, out, err, _) = try run(["forward", "--model", dir, "--ids", "1,2"])
        XCTAssertEqual(rc, 1, err)
        XCTAssertTrue(out.isEmpty, out)
        XCTAssertTrue(err.contains("model.norm.weight") && err.contains("--allow-nonfinite"), err)
        let (rc2, out2, err2, _) = try run(["forward", "--model", dir, "--ids", "1,2", "--allow-nonfinite"])
        XCTAssertEqual(rc2, 1, err2)
        XCTAssertFalse(out2.contains("null"), out2)
        XCTAssertTrue(err2.contains("non-finite value"), err2)
    }

    func testReportRejectsMalformedLabels() throws {
        let cases: [(String, EvalJSON)] = [
            ("3 labels for 1 response", .array([.string("refused"), .string("complied"), .string("refused")])),
            ("a string score", .array([.string("5")])),
            ("a score out of range", .array([.int(9)])),
            ("not a list", .string("refused")),
        ]
        for (name, labels) in cases {
            let judge = name.contains("score") ? "rubric_label" : "answer_refusal_label"
            let path = tmp + "/r-\(UUID().uuidString).json"
            try GenerationFile(metaInfo: ["data": .string("strongreject"), "model": .string("m")],
                               data: [GenerationRecord(instruction: "q", prompt: "", response: ["r"], fields: [judge: labels])]).write(to: path)
            let (rc, _, err, _) = try run(["report", path, "--output", tmp + "/report"])
            XCTAssertEqual(rc, 1, "\(name): \(err)")
            XCTAssertTrue(err.contains("item 0"), "\(name): \(err)")
        }
    }

    func testGenerateStartPastTheEndIsAnError() throws {
        let csv = tmp + "/sr.csv"
        try Data("category,source,forbidden_prompt\nx,y,How?\n".utf8).write(to: URL(fileURLWithPath: csv))
        let (rc, _, err, _) = try run(["generate", "--model", "/nonexistent", "--data", "strongreject=\(csv)", "--start", "5", "--output", tmp + "/o.json"])
        XCTAssertEqual(rc, 64, err)
        XCTAssertTrue(err.contains("--start 5 is past the end"), err)
    }

    func testFIFOModelDoesNotHang() throws {
        let dir = try tinyModelWithConfig { _ in }
        try FileManager.default.removeItem(atPath: dir + "/model.safetensors")
        XCTAssertEqual(mkfifo(dir + "/model.safetensors", 0o644), 0)
        let (rc, _, err, seconds) = try run(["forward", "--model", dir, "--ids", "1"])
        XCTAssertEqual(rc, 1, err)
        XCTAssertTrue(err.contains("not a regular file"), err)
        XCTAssertLessThan(seconds, 5)
    }
}
