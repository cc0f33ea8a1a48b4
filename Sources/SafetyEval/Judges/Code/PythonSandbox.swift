import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs untrusted Python programs, one process per program:
///
/// - a fresh temporary folder per run (the working directory, `HOME` and `TMPDIR`), deleted afterwards;
/// - `python3 -I -B` (isolated mode: no user site, no `PYTHON*` variables; no bytecode files) with
///   a minimal environment;
/// - limits set by `/bin/sh` before it `exec`s Python: address space `ulimit -v` (default 2 GiB, so
///   a 10 GB allocation raises `MemoryError`), file size `ulimit -f` (64 MiB), no core files;
/// - no network: `unshare -rn` (new user + network namespace with only a down loopback) when this
///   machine permits it; otherwise the runs have the network and ``networkIsolation`` says so;
/// - its own process group, killed as a whole (SIGKILL) at the time limit and after every run,
///   so children it forks do not outlive it;
/// - up to ``workers`` programs at once.
public final class PythonSandbox: Sendable {
    public struct Result: Equatable, Sendable {
        public var passed: Bool
        /// `passed`, `failed` (non-zero exit), `timeout`, `signal` (killed by a signal), `error` (could not run).
        public var outcome: String
        public var exitStatus: Int32?
        /// The last lines of stderr (the Python traceback), at most 400 characters.
        public var stderrTail: String
        public var seconds: Double
    }

    public let python: String
    public let timeLimit: Double
    public let memoryLimitMB: Int
    public let workers: Int
    /// "unshare -rn", or nil when the probe found user/network namespaces not permitted.
    public let networkIsolation: String?
    private let unshare: String?

    /// Finds `python3` (or `python`, a path or a name on `PATH`) and probes `unshare -rn`.
    /// Throws a clear error when Python is missing.
    public init(python: String = "python3", timeLimit: Double = 3, memoryLimitMB: Int = 2048, workers: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        guard let exe = Self.locate(python) else {
            let where_ = python.contains("/") ? "does not exist or is not executable" : "was not found on PATH (\(ProcessInfo.processInfo.environment["PATH"] ?? ""))"
            throw SafetyEvalError.judgeUnavailable(judge: "code", detail: "'\(python)' \(where_). The code judge runs HumanEval tests with Python 3: install it (e.g. apt-get install python3) or pass --python /path/to/python3.")
        }
        self.python = exe
        self.timeLimit = timeLimit
        self.memoryLimitMB = memoryLimitMB
        self.workers = max(1, workers)
        if let u = Self.locate("unshare"), Self.probe([u, "-rn", "/bin/sh", "-c", "exit 0"]) {
            unshare = u
            networkIsolation = "unshare -rn"
        } else {
            unshare = nil
            networkIsolation = nil
        }
        guard Self.probe(["/bin/sh", "-c", "ulimit -v 1048576 && exec \"$0\" -c 'import sys; sys.exit(0)'", exe]) else {
            throw SafetyEvalError.judgeUnavailable(judge: "code", detail: "'\(exe) -c pass' under `ulimit -v` failed; check that this Python runs (\(exe) --version)")
        }
    }

    /// A path, or the first executable of that name on PATH.
    static func locate(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") + ["/usr/bin", "/bin"] {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// Runs argv to completion (2 s cap), true when it exits 0.
    static func probe(_ argv: [String]) -> Bool {
        guard let pid = try? spawn(argv, env: ["PATH=/usr/bin:/bin"]) else { return false }
        let (status, _) = wait(pid, limit: 2)
        return status == 0
    }

    /// The shared state of one `run`: the next program to take and the results, under a lock.
    private final class Work: @unchecked Sendable {
        let lock = NSLock()
        var next = 0
        var results: [Result?]
        init(count: Int) { results = [Result?](repeating: nil, count: count) }

        /// The next index to run, or nil when all are taken.
        func take(below count: Int) -> Int? {
            lock.lock(); defer { lock.unlock() }
            guard next < count else { return nil }
            next += 1
            return next - 1
        }

        func store(_ r: Result, at k: Int) {
            lock.lock(); defer { lock.unlock() }
            results[k] = r
        }
    }

    /// Runs every program (index-aligned results); never throws for a program's own failure.
    public func run(_ programs: [String]) -> [Result] {
        let work = Work(count: programs.count)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("safekey-code-\(UUID().uuidString)").path
        // Threads of our own (not concurrentPerform, which caps at the core count): the workers
        // mostly wait on their child processes, so `workers` may exceed the cores.
        let group = DispatchGroup()
        for _ in 0..<min(workers, max(1, programs.count)) {
            group.enter()
            Thread {
                while let k = work.take(below: programs.count) {
                    work.store(self.runOne(programs[k], directory: "\(root)/\(k)"), at: k)
                }
                group.leave()
            }.start()
        }
        group.wait()
        try? FileManager.default.removeItem(atPath: root)
        return work.results.map { $0! }
    }

    func runOne(_ source: String, directory dir: String) -> Result {
        let t0 = Date()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try Data(source.utf8).write(to: URL(fileURLWithPath: dir + "/program.py"))
        } catch {
            return Result(passed: false, outcome: "error", exitStatus: nil, stderrTail: "cannot write the program: \(error)", seconds: 0)
        }
        let kb = memoryLimitMB * 1024
        // $1 = folder; the rest is the command. Exit 97/98: the limits or the folder could not be set.
        let script = "cd \"$1\" || exit 98; shift; ulimit -v \(kb) || exit 97; ulimit -f 131072 2>/dev/null; ulimit -c 0 2>/dev/null; exec \"$@\" </dev/null >stdout.txt 2>stderr.txt"
        var argv = ["/bin/sh", "-c", script, "sh", dir]
        if let unshare { argv += [unshare, "-rn"] }
        argv += [python, "-I", "-B", "program.py"]
        let env = ["PATH=/usr/local/bin:/usr/bin:/bin", "HOME=\(dir)", "TMPDIR=\(dir)", "LANG=C.UTF-8", "PYTHONHASHSEED=0"]
        guard let pid = try? Self.spawn(argv, env: env) else {
            return Result(passed: false, outcome: "error", exitStatus: nil, stderrTail: "posix_spawn failed (errno \(errno))", seconds: 0)
        }
        let (status, timedOut) = Self.wait(pid, limit: timeLimit)
        let secs = Date().timeIntervalSince(t0)
        let err = (try? String(contentsOfFile: dir + "/stderr.txt", encoding: .utf8)) ?? ""
        let tail = String(err.trimmingCharacters(in: .whitespacesAndNewlines).suffix(400))
        if timedOut { return Result(passed: false, outcome: "timeout", exitStatus: nil, stderrTail: "time limit \(timeLimit) s exceeded", seconds: secs) }
        if status == 97 || status == 98 {
            return Result(passed: false, outcome: "error", exitStatus: status, stderrTail: status == 97 ? "could not set the memory limit" : "could not enter the folder", seconds: secs)
        }
        if status >= 128 { return Result(passed: false, outcome: "signal", exitStatus: status, stderrTail: "killed by signal \(status - 128) \(tail)", seconds: secs) }
        return Result(passed: status == 0, outcome: status == 0 ? "passed" : "failed", exitStatus: status, stderrTail: tail, seconds: secs)
    }

    /// posix_spawn in a new process group (pgid = pid), stdin from /dev/null.
    static func spawn(_ argv: [String], env: [String]) throws -> pid_t {
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attr, 0)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        // The program's own output goes to files (the script redirects); the shell's to nowhere.
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let cargv = argv.map { strdup($0) } + [nil]
        let cenv = env.map { strdup($0) } + [nil]
        defer { for p in cargv + cenv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, &attr, cargv, cenv)
        guard rc == 0 else { throw SafetyEvalError.judgeUnavailable(judge: "code", detail: "cannot start \(argv[0]) (error \(rc))") }
        return pid
    }

    /// Waits up to `limit` seconds; then kills the whole process group. Returns the exit status
    /// (128 + signal when signalled) and whether the limit was hit. The group is killed in every
    /// case, so stray children die with the program.
    static func wait(_ pid: pid_t, limit: Double) -> (Int32, Bool) {
        let deadline = Date().addingTimeInterval(limit)
        var status: Int32 = 0
        var timedOut = false
        var sleep: useconds_t = 500
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { break }
            if Date() >= deadline {
                kill(-pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                timedOut = true
                break
            }
            usleep(sleep)
            sleep = min(sleep * 2, 5000)
        }
        kill(-pid, SIGKILL)
        // WIFEXITED / WEXITSTATUS / WTERMSIG by their glibc definitions.
        let code: Int32 = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return (code, timedOut)
    }
}
