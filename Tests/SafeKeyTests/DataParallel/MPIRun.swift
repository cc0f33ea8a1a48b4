import Foundation
import TestSupport
import XCTest

/// Runs `mpirun … safekey …` for the data-parallel tests (issue 19), or skips saying why.
///
/// Flags every run gets: `--allow-run-as-root --oversubscribe` (CI runs as root on two cores),
/// `--bind-to none` (ranks share the cores), and vader's single-copy mechanism off (cross-memory
/// attach is refused inside containers). Each rank runs one kernel thread (`SAFEKEY_THREADS=1`),
/// as do the single-process runs it is compared with.
enum MPIRun {
    /// `mpirun` from PATH, or `XCTSkip` naming the package.
    static func mpirun() throws -> String {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for dir in path {
            let p = "\(dir)/mpirun"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        throw XCTSkip("mpirun not found on PATH: install Open MPI (apt-get install openmpi-bin libopenmpi3; `make test` does) to run the data-parallel tests")
    }

    static let environment = ["SAFEKEY_THREADS": "1"]

    static let commonFlags = ["--allow-run-as-root", "--oversubscribe", "--bind-to", "none",
                              "--mca", "btl_vader_single_copy_mechanism", "none"]

    /// What a finished run printed and how it ended.
    struct Result {
        let status: Int32
        let out: String
        let err: String
        let seconds: Double
    }

    /// A started `mpirun -np n [extra] safekey args`; stdout/stderr go to files.
    final class Job {
        let process = Process()
        let outPath: String, errPath: String
        let start = Date()
        init(ranks: Int, mpiFlags: [String] = [], args: [String], env: [String: String] = [:], launcher: [String] = []) throws {
            let exe = try SafeKeyCLI.executable().path
            let mpi = try MPIRun.mpirun()
            let id = UUID().uuidString.prefix(8)
            outPath = NSTemporaryDirectory() + "/safekey-mpi-\(id).out"
            errPath = NSTemporaryDirectory() + "/safekey-mpi-\(id).err"
            FileManager.default.createFile(atPath: outPath, contents: nil)
            FileManager.default.createFile(atPath: errPath, contents: nil)
            let command = [mpi] + MPIRun.commonFlags + mpiFlags + ["-np", "\(ranks)", exe] + args
            process.executableURL = URL(fileURLWithPath: launcher.first ?? command[0])
            process.arguments = launcher.isEmpty ? Array(command.dropFirst()) : Array(launcher.dropFirst()) + command
            process.environment = ProcessInfo.processInfo.environment.merging(MPIRun.environment.merging(env) { $1 }) { $1 }
            process.standardOutput = FileHandle(forWritingAtPath: outPath)
            process.standardError = FileHandle(forWritingAtPath: errPath)
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }

        /// Waits at most `timeout` seconds (then kills mpirun and fails the caller's assertions).
        func finish(timeout: Double = 300) -> Result {
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
            let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
            return Result(status: process.terminationStatus, out: out, err: err, seconds: Date().timeIntervalSince(start))
        }
    }

    /// Runs to the end.
    static func run(ranks: Int, args: [String], mpiFlags: [String] = [], timeout: Double = 300) throws -> Result {
        try Job(ranks: ranks, mpiFlags: mpiFlags, args: args).finish(timeout: timeout)
    }

    /// The process ids whose environment holds every `key=value` of `marks` (a rank of a job
    /// started with a marker variable, found through /proc).
    static func processes(marked marks: [String]) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            let vars = Set(data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) })
            return marks.allSatisfy(vars.contains)
        }
    }
}
