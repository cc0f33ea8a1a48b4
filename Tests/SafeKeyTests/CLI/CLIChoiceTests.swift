import Foundation
import TestSupport
import XCTest

/// Flags that take a closed set of values are parsed by argument-parser (exit 64, the choices
/// named), and every other failure of a command is reported in one way (`error: …`, exit 1).
final class CLIChoiceTests: XCTestCase {
    func testBadChoicesAreRejectedWithTheChoices() throws {
        let cases: [([String], [String])] = [
            (["eval", "--input", "x.json", "--judge", "nope"], ["--judge", "refusal", "llama-guard", "code"]),
            (["eval", "--input", "x.json", "--part", "all"], ["--part", "response", "answer", "think"]),
            (["eval", "--input", "x.json", "--judge", "rubric", "--rubric-mode", "strict"], ["--rubric-mode", "harmfulness", "xstest"]),
            (["generate", "--model", "m", "--data", "strongreject=x.csv", "--output", "o.json", "--multi-turn", "live"], ["--multi-turn", "replay", "recorded"]),
            (["train", "--model", "m", "--data", "d", "--output", "o", "--save-dtype", "f16"], ["--save-dtype", "bf16", "f32"]),
            (["train", "--model", "m", "--data", "d", "--output", "o", "--objectives", "sft,kl"], ["--objectives", "sft", "qmm", "dpsh"]),
            (["merge", "--model", "m", "--adapter", "a", "--output", "o", "--dtype", "q8"], ["--dtype", "bf16", "f32"]),
            (["annotate", "--input", "i", "--output", "o", "--method", "magic"], ["--method", "rules", "api", "model"]),
            (["annotate", "--input", "i", "--output", "o", "--segmenter", "nltk"], ["--segmenter", "improved", "reference"]),
            (["bench", "train", "--shape", "huge"], ["--shape", "tiny", "r1-qwen-7b"]),
        ]
        for (args, words) in cases {
            let r = try SafeKeyCLI.run(args)
            XCTAssertEqual(r.status, 64, "\(args): \(r.err)")
            for w in words { XCTAssertTrue(r.err.contains(w), "\(args): the message names \(w): \(r.err)") }
        }
    }

    func testJudgeNamesStayCaseInsensitive() throws {
        let r = try SafeKeyCLI.run(["eval", "--judge", "Refusal"])
        XCTAssertEqual(r.status, 64, r.err)
        XCTAssertTrue(r.err.contains("--input FILE is required"), "the judge parsed, --input is what is missing: \(r.err)")
    }

    /// A failure inside a command: `error: <what>` on stderr, exit status 1, no usage text.
    func testRuntimeErrorsAreReportedOnce() throws {
        let missing = NSTemporaryDirectory() + "no-such-model-\(UUID().uuidString)"
        for args in [["forward", "--model", missing, "--ids", "1,2"], ["export", "--model", missing, "--output", missing + ".gguf"],
                     ["tokenize", "--tokenizer", missing]] {
            let r = try SafeKeyCLI.run(args)
            XCTAssertEqual(r.status, 1, "\(args): \(r.err)")
            XCTAssertTrue(r.err.hasPrefix("error: "), "\(args): \(r.err)")
            XCTAssertTrue(r.err.contains(missing), "\(args): the message names the path: \(r.err)")
            XCTAssertFalse(r.err.contains("USAGE") || r.err.contains("Usage"), "\(args): no usage text for a runtime error: \(r.err)")
            XCTAssertEqual(r.err.components(separatedBy: "error:").count - 1, 1, "\(args): reported once: \(r.err)")
        }
    }

    /// A `SAFEKEY_*` setting with a value it does not take stops the command before it runs, naming the
    /// variable and what it takes (the libraries would silently fall back to a default); valid and
    /// empty values pass on to the command (here: its error about the missing model).
    func testBadEnvironmentSettingsAreNamed() throws {
        let missing = NSTemporaryDirectory() + "no-such-model-\(UUID().uuidString)"
        let args = ["forward", "--model", missing, "--ids", "1,2"]
        for (name, value, expected) in [("SAFEKEY_BF16_MATMUL", "bf61", "bf16 or f32"), ("SAFEKEY_THREADS", "two", "positive whole number"),
                                        ("SAFEKEY_THREADS", "0", "positive whole number"), ("SAFEKEY_ATTENTION_KERNEL", "avx2", "avx512, tile or blas"),
                                        ("SAFEKEY_MEMORY_CHECK", "no", "off")] {
            let r = try SafeKeyCLI.run(args, environment: [name: value])
            XCTAssertEqual(r.status, 1, "\(name)=\(value): \(r.err)")
            XCTAssertTrue(r.err.hasPrefix("error: \(name)=\(value)") && r.err.contains(expected), "\(name)=\(value): \(r.err)")
            XCTAssertFalse(r.err.contains(missing), "\(name)=\(value): stopped before the command ran: \(r.err)")
        }
        for (name, value) in [("SAFEKEY_BF16_MATMUL", "f32"), ("SAFEKEY_THREADS", "3"), ("SAFEKEY_ATTENTION_KERNEL", "tile"),
                              ("SAFEKEY_MEMORY_CHECK", "off"), ("SAFEKEY_BF16_MATMUL", "")] {
            let r = try SafeKeyCLI.run(args, environment: [name: value])
            XCTAssertEqual(r.status, 1, "\(name)=\(value): \(r.err)")
            XCTAssertTrue(r.err.contains(missing), "\(name)=\(value) is accepted; the command's own error follows: \(r.err)")
        }
        let help = try SafeKeyCLI.run(["train", "--help"], environment: ["SAFEKEY_THREADS": "two"])
        XCTAssertEqual(help.status, 0, "--help prints whatever the environment: \(help.err)")
        XCTAssertTrue(help.out.contains("OVERVIEW"), help.out)
    }

    /// The endpoint flags are one group: a named key variable that is unset is an error naming the
    /// variable (never a value), reported like every other runtime error.
    func testUnsetKeyVariableIsNamed() throws {
        let dir = try TempDir.make("safekey-cli-key", removedAfter: self)
        let input = dir + "/gen.json"
        try Data(#"{"meta_info": {"data": "strongreject"}, "data": [{"instruction": "q", "prompt": "", "response": ["r"]}]}"#.utf8)
            .write(to: URL(fileURLWithPath: input))
        let name = "SAFEKEY_TEST_UNSET_\(UInt32.random(in: 0...UInt32.max))"
        let r = try SafeKeyCLI.run(["eval", "--input", input, "--judge", "rubric", "--api-key-env", name, "--api-base", "http://127.0.0.1:9/v1"])
        XCTAssertEqual(r.status, 1, r.err)
        XCTAssertTrue(r.err.hasPrefix("error: --api-key-env \(name)") && r.err.contains("--no-auth"), r.err)
    }
}
