import ArgumentParser
import Foundation

/// Writes to standard output and standard error that never trap (`FileHandle.write(_:)` raises an
/// Objective-C-style exception when the disk is full or the pipe is closed).
enum Console {
    /// Writes `text` to standard output; a failed write (full disk, closed pipe) throws a clear
    /// error instead of trapping or being lost.
    static func out(_ text: String) throws {
        do { try FileHandle.standardOutput.write(contentsOf: Data(text.utf8)) } catch {
            throw CLIError("cannot write to standard output (\(Console.reason(error))); check the disk or the pipe it goes to")
        }
    }

    /// Writes raw bytes to standard output (as `out(_:)`).
    static func out(bytes: Data) throws {
        do { try FileHandle.standardOutput.write(contentsOf: bytes) } catch {
            throw CLIError("cannot write to standard output (\(Console.reason(error))); check the disk or the pipe it goes to")
        }
    }

    /// Writes `text` to standard error. A failure is ignored: there is nowhere left to report it,
    /// and a full log disk must not kill a long run.
    static func err(_ text: String) {
        try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
    }

    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let posix = ns.userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(posix.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return ns.localizedDescription
    }
}

/// Writes a line to standard error (``Console/err(_:)``).
func printErr(_ s: String) {
    Console.err(s + "\n")
}

/// With `SAFEKEY_REPORT_PEAK_RSS=1`, a command prints its peak resident memory (`VmHWM` of
/// `/proc/self/status`) to stderr as `peak_rss_kb N` when it ends — how the tests check that a
/// hostile config is refused before anything large is allocated.
enum PeakMemory {
    static func reportIfRequested() {
        guard ProcessInfo.processInfo.environment["SAFEKEY_REPORT_PEAK_RSS"] != nil,
              let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return }
        let kb = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "?"
        Console.err("peak_rss_kb \(kb)\n")
    }
}

/// An error of the command-line layer, printed as its message.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// Rules that keep outputs from destroying inputs or unrelated files.
enum OutputGuard {
    /// `path` with symlinks resolved; for a path that does not exist yet, its nearest existing
    /// ancestor is resolved and the rest appended.
    static func resolved(_ path: String) -> String {
        let absolute = (path as NSString).isAbsolutePath ? path : FileManager.default.currentDirectoryPath + "/" + path
        var head = (absolute as NSString).standardizingPath, tail: [String] = []
        while !FileManager.default.fileExists(atPath: head), head != "/" {
            tail.insert((head as NSString).lastPathComponent, at: 0)
            head = (head as NSString).deletingLastPathComponent
        }
        var real = head
        if let r = realpath(head, nil) { real = String(cString: r); free(r) }
        return tail.reduce(real) { ($0 as NSString).appendingPathComponent($1) }
    }

    /// Throws when `output` is one of `inputs` (after resolving symlinks), or, for a command that
    /// writes a whole folder (`folder`: saving a model replaces and deletes files in it), a folder
    /// that holds one of them.
    static func refuseOverwritingInputs(output: (flag: String, path: String), inputs: [(flag: String, path: String)], folder: Bool = false) throws {
        let out = resolved(output.path)
        for input in inputs {
            let inp = resolved(input.path)
            if inp == out || (folder && inp.hasPrefix(out + "/")) {
                throw ValidationError("\(output.flag) \(output.path) is the same as \(input.flag) \(input.path)\(inp == out ? "" : " or holds it")"
                    + " (after resolving symlinks); writing it would destroy the input. Choose another \(output.flag)")
            }
        }
    }

    /// Throws unless `path` is absent or an empty folder, or `overwrite` is set.
    static func refuseExisting(_ flag: String, _ path: String, overwrite: Bool, unless allowed: Bool = false) throws {
        guard !overwrite, !allowed, FileManager.default.fileExists(atPath: path) else { return }
        if let items = try? FileManager.default.contentsOfDirectory(atPath: path), items.isEmpty { return }
        throw ValidationError("\(flag) \(path) already exists; pass --overwrite to replace it (or choose another path)")
    }
}

/// `--allow-failures N|P%`: how many failed items a judge, annotator or generation run may have
/// and still exit 0. Without it any failure makes the command exit with `FailurePolicy.exitCode`.
struct FailurePolicy: ExpressibleByArgument, CustomStringConvertible {
    /// The documented exit status of a run that finished but had failed items beyond the allowance.
    static let exitCode: Int32 = 3

    enum Limit { case count(Int), percent(Double) }
    let limit: Limit

    init(limit: Limit) { self.limit = limit }

    init?(argument: String) {
        let s = argument.trimmingCharacters(in: .whitespaces)
        if s.hasSuffix("%") {
            guard let p = Double(s.dropLast()), p.isFinite, (0...100).contains(p) else { return nil }
            limit = .percent(p)
        } else {
            guard let n = Int(s), n >= 0 else { return nil }
            limit = .count(n)
        }
    }

    static let noFailures = FailurePolicy(limit: .count(0))

    var description: String {
        switch limit {
        case let .count(n): return "\(n)"
        case let .percent(p): return "\(p)%"
        }
    }

    /// Whether `failed` of `total` items is within the allowance (no items judged at all never is,
    /// when there were items to judge).
    func accepts(failed: Int, total: Int) -> Bool {
        if failed == 0 { return true }
        if failed >= total { return false }
        switch limit {
        case let .count(n): return failed <= n
        case let .percent(p): return Double(failed) * 100 <= p * Double(total)
        }
    }

    /// Throws a ``StatusError`` with status `exitCode` saying why, when `failed` of `total` is not accepted.
    func enforce(failed: Int, total: Int, what: String) throws {
        guard !accepts(failed: failed, total: total) else { return }
        throw StatusError(status: Self.exitCode,
                          description: "\(failed) of \(total) \(what) failed\(failed >= total ? " (none succeeded)" : ""), more than --allow-failures \(self) accepts; "
                            + "exit status \(Self.exitCode). Rerun to retry them, or pass --allow-failures N or P% to accept them")
    }
}

/// Range checks for numeric options, raised as argument-parsing errors naming the flag.
enum OptionRange {
    static func atLeast(_ flag: String, _ value: Int, _ minimum: Int) throws {
        guard value >= minimum else { throw ValidationError("\(flag) \(value) must be at least \(minimum)") }
    }

    static func within(_ flag: String, _ value: Double, _ range: ClosedRange<Double>) throws {
        guard value.isFinite, range.contains(value) else {
            throw ValidationError("\(flag) \(value) must be a finite number in \(range.lowerBound)…\(range.upperBound)")
        }
    }

    /// A duration in seconds: finite, positive and at most a week.
    static func duration(_ flag: String, _ seconds: Double) throws {
        guard seconds.isFinite, seconds > 0, seconds <= 7 * 86_400 else {
            throw ValidationError("\(flag) \(seconds) must be a number of seconds in (0, 604800]")
        }
    }
}
