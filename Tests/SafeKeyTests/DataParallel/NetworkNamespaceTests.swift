import Foundation
import TestSupport
import XCTest

/// Two ranks on two "machines": network namespaces that the test creates and joins with a veth
/// pair (iproute2), each holding one address the test assigns (10.231.7.1 and 10.231.7.2, which
/// exist only inside those namespaces). `mpirun` runs in the first; Open MPI's ssh launcher is
/// replaced by a script that enters the second namespace (`plm_rsh_agent`), and both the
/// out-of-band channel and the MPI traffic are confined to the veth's subnet over TCP. The run
/// must succeed and end with the weights of a single process with the same global batch.
/// Skips, saying why, without `ip`, without permission to create namespaces, or without mpirun.
final class NetworkNamespaceTests: XCTestCase {
    private let nsA = "skdp\(getpid())a", nsB = "skdp\(getpid())b"
    private let vethA = "skv\(getpid() % 100_000)a", vethB = "skv\(getpid() % 100_000)b"
    private let addrA = "10.231.7.1", addrB = "10.231.7.2"

    /// Runs a command; returns its status and its output (stdout and stderr).
    @discardableResult
    private func sh(_ args: [String]) -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        do { try p.run() } catch { return (-1, "\(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    override func tearDown() {
        sh(["ip", "netns", "del", nsA])     // deleting a namespace removes its veth end, and so the pair
        sh(["ip", "netns", "del", nsB])
    }

    func testTwoRanksInTwoNetworkNamespacesTrain() throws {
        _ = try SafeKeyCLI.executable()
        _ = try MPIRun.mpirun()
        guard sh(["ip", "-V"]).status == 0 else { throw XCTSkip("`ip` (iproute2) not found: install iproute2 to run the two-namespace test") }
        let made = sh(["ip", "netns", "add", nsA])
        guard made.status == 0 else {
            throw XCTSkip("cannot create a network namespace (`ip netns add \(nsA)`: \(made.output.trimmingCharacters(in: .whitespacesAndNewlines))); "
                + "the test needs root or CAP_SYS_ADMIN + CAP_NET_ADMIN")
        }
        let setup: [[String]] = [
            ["ip", "netns", "add", nsB],
            ["ip", "link", "add", vethA, "type", "veth", "peer", "name", vethB],
            ["ip", "link", "set", vethA, "netns", nsA], ["ip", "link", "set", vethB, "netns", nsB],
            ["ip", "-n", nsA, "addr", "add", addrA + "/24", "dev", vethA], ["ip", "-n", nsB, "addr", "add", addrB + "/24", "dev", vethB],
            ["ip", "-n", nsA, "link", "set", vethA, "up"], ["ip", "-n", nsB, "link", "set", vethB, "up"],
            ["ip", "-n", nsA, "link", "set", "lo", "up"], ["ip", "-n", nsB, "link", "set", "lo", "up"],
        ]
        for step in setup {
            let r = sh(step)
            guard r.status == 0 else { throw XCTSkip("namespace set-up step `\(step.joined(separator: " "))` failed: \(r.output)") }
        }
        guard FileManager.default.fileExists(atPath: TrainerFixture.sharedTokenizer + "/tokenizer.json") else {
            throw XCTSkip("needs ../shared/data/tokenizers/deepseek-r1-distill-qwen beside the checkout")
        }
        let model = try TrainerFixture.modelFolder()
        let tmp = try TempDir.make("safekey-dp-netns", removedAfter: self)
        // The launcher Open MPI calls instead of ssh: `agent HOST COMMAND…` runs COMMAND in HOST's namespace.
        let agent = tmp + "/ns-agent.sh"
        try """
        #!/bin/sh
        host=$1; shift
        if [ "$host" = "\(addrB)" ]; then ns=\(nsB); else ns=\(nsA); fi
        exec ip netns exec "$ns" /bin/sh -c "$*"
        """.write(toFile: agent, atomically: true, encoding: .utf8)
        chmod(agent, 0o755)
        try "\(addrA) slots=1\n\(addrB) slots=1\n".write(toFile: tmp + "/hosts", atomically: true, encoding: .utf8)

        let args = { (out: String, accum: Int) in
            ["train", "--model", model, "--data", TrainerFixture.directory.appendingPathComponent("records.jsonl").path, "--output", out,
             "--epochs", "1", "--last-k-epochs", "1", "--batch-size", "1", "--grad-accum", "\(accum)", "--lr", "1e-2", "--save-dtype", "f32"]
        }
        let subnet = "10.231.7.0/24"
        let flags = ["--hostfile", tmp + "/hosts", "--mca", "plm_rsh_agent", agent, "--mca", "oob_tcp_if_include", subnet,
                     "--mca", "btl_tcp_if_include", subnet, "--mca", "btl", "self,tcp", "-x", "SAFEKEY_THREADS"]
        let job = try MPIRun.Job(ranks: 2, mpiFlags: flags, args: args(tmp + "/ranks", 1), launcher: ["/usr/bin/env", "ip", "netns", "exec", nsA])
        let r = job.finish(timeout: 300)
        XCTAssertEqual(r.status, 0, "two ranks over the veth pair failed: \(r.err)")
        XCTAssertTrue(r.err.contains("2 ranks"), r.err)
        let one = try SafeKeyCLI.run(args(tmp + "/single", 2), environment: MPIRun.environment)
        XCTAssertEqual(one.status, 0, one.err)
        for file in ["model.safetensors", "safety_head.safetensors"] {
            try DataParallelTests.assertWeightsClose(tmp + "/ranks", tmp + "/single", file: file, tol: 1e-5, "two namespaces vs one process")
        }
    }
}
