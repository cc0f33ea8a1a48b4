import Foundation
import TestSupport
import XCTest

/// `safekey … --help` of every command and subcommand against a committed snapshot,
/// `Tests/Fixtures/help/<command path>.txt` (e.g. `safekey-bench-train.txt`), compared exactly.
/// Adding, removing or renaming a flag, a choice or a default therefore fails here until the
/// snapshot is regenerated — on purpose: flags are contracts that scripts and the README rely on.
///
/// The command tree comes from the binary itself (`--experimental-dump-help`), so a new command
/// without a snapshot fails too, and so does a snapshot whose command is gone. Text is wrapped at
/// `COLUMNS=100` so it does not depend on the terminal.
///
/// Regenerate after a deliberate change (then review the diff with `git diff Tests/Fixtures/help`):
///
///     Scripts/update-help-snapshots.sh      # SAFEKEY_UPDATE_SNAPSHOTS=1 swift test … --filter HelpSnapshotTests
final class HelpSnapshotTests: XCTestCase {
    static let folder = RepoPaths.fixture("help")
    static let environment = ["COLUMNS": "100"]
    static var updating: Bool { ProcessInfo.processInfo.environment["SAFEKEY_UPDATE_SNAPSHOTS"] == "1" }

    func testEveryCommandsHelpMatchesItsSnapshot() throws {
        let paths = try Self.commandPaths()
        XCTAssertGreaterThan(paths.count, 30, "the command tree looks truncated: \(paths)")
        var expectedFiles: Set<String> = []
        for path in paths {
            let file = (["safekey"] + path).joined(separator: "-") + ".txt"
            expectedFiles.insert(file)
            let r = try SafeKeyCLI.run(path + ["--help"], environment: Self.environment)
            XCTAssertEqual(r.status, 0, "\(path) --help: \(r.err)")
            XCTAssertEqual(r.err, "", "\(path) --help wrote to stderr")
            let snapshot = (Self.folder as NSString).appendingPathComponent(file)
            if Self.updating {
                try FileManager.default.createDirectory(atPath: Self.folder, withIntermediateDirectories: true)
                try Data(r.out.utf8).write(to: URL(fileURLWithPath: snapshot))
                continue
            }
            guard let expected = try? String(contentsOfFile: snapshot, encoding: .utf8) else {
                XCTFail("no snapshot \(snapshot) for `safekey \(path.joined(separator: " ")) --help`; run Scripts/update-help-snapshots.sh")
                continue
            }
            if r.out != expected { XCTFail("`safekey \(path.joined(separator: " ")) --help` differs from \(file): \(Self.firstDifference(expected, r.out)); "
                + "if the change is deliberate, run Scripts/update-help-snapshots.sh and commit the new snapshot") }
        }
        let present = Set(try FileManager.default.contentsOfDirectory(atPath: Self.folder).filter { $0.hasSuffix(".txt") })
        if Self.updating {
            for stale in present.subtracting(expectedFiles) {
                try FileManager.default.removeItem(atPath: (Self.folder as NSString).appendingPathComponent(stale))
            }
        } else {
            XCTAssertEqual(present.subtracting(expectedFiles).sorted(), [], "snapshots of commands that no longer exist")
        }
    }

    /// A flag added or a choice changed changes the text: the comparison is not vacuous. (A
    /// snapshot with one flag line removed must not match the binary's help.)
    func testSnapshotComparisonNoticesARemovedFlagLine() throws {
        let r = try SafeKeyCLI.run(["train", "--help"], environment: Self.environment)
        XCTAssertEqual(r.status, 0, r.err)
        let lines = r.out.split(separator: "\n", omittingEmptySubsequences: false)
        let flagLine = try XCTUnwrap(lines.firstIndex { $0.contains("--save-dtype") }, r.out)
        var edited = lines
        edited.remove(at: flagLine)
        XCTAssertNotEqual(edited.joined(separator: "\n"), r.out)
        XCTAssertTrue(r.out.contains("(values: bf16, f32"), "choices are listed: \(r.out)")
    }

    /// Every command path below the root, from `safekey --experimental-dump-help` (root first: []).
    static func commandPaths() throws -> [[String]] {
        let r = try SafeKeyCLI.run(["--experimental-dump-help"])
        XCTAssertEqual(r.status, 0, r.err)
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: r.outData) as? [String: Any])
        let command = try XCTUnwrap(root["command"] as? [String: Any], "no \"command\" in the dump")
        var out: [[String]] = []
        func walk(_ c: [String: Any], _ path: [String]) {
            out.append(path)
            for sub in c["subcommands"] as? [[String: Any]] ?? [] {
                guard let name = sub["commandName"] as? String, name != "help" else { continue }
                walk(sub, path + [name])
            }
        }
        walk(command, [])
        return out
    }

    /// "line N: expected …, got …" for the first line that differs.
    static func firstDifference(_ a: String, _ b: String) -> String {
        let x = a.split(separator: "\n", omittingEmptySubsequences: false), y = b.split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(x.count, y.count) {
            let l = i < x.count ? String(x[i]) : "<end>", r = i < y.count ? String(y[i]) : "<end>"
            if l != r { return "line \(i + 1): snapshot \"\(l)\", binary \"\(r)\"" }
        }
        return "same lines"
    }
}
