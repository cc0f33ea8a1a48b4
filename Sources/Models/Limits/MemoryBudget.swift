import Foundation

/// How much memory this process may still take, read from the kernel: `MemAvailable` in
/// `/proc/meminfo`, and, inside a cgroup v2 with a limit, `memory.max − memory.current`
/// (`/sys/fs/cgroup`). The smaller wins. On systems without these files the budget is unknown and
/// every check passes.
///
/// Set `SAFEKEY_MEMORY_CHECK=off` to skip the check (e.g. when swap or overcommit is intended).
public enum MemoryBudget {
    /// Bytes available now, or nil when neither source can be read.
    public static func availableBytes() -> Int? {
        let meminfo = readText("/proc/meminfo").flatMap(memAvailable(meminfo:))
        let cgroup = cgroupRemaining()
        switch (meminfo, cgroup) {
        case let (m?, c?): return min(m, c)
        case let (m?, nil): return m
        case let (nil, c?): return c
        default: return nil
        }
    }

    /// `MemAvailable` in bytes from `/proc/meminfo` text (`MemAvailable:  123456 kB`).
    static func memAvailable(meminfo text: String) -> Int? {
        for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, let kb = Int(fields[1]) else { return nil }
            return kb.multipliedReportingOverflow(by: 1024).overflow ? Int.max : kb * 1024
        }
        return nil
    }

    /// `memory.max − memory.current` of this process's cgroup v2, nil when unlimited or absent.
    static func cgroupRemaining() -> Int? {
        var dir = "/sys/fs/cgroup"
        if let own = readText("/proc/self/cgroup"),
           let line = own.split(separator: "\n").first(where: { $0.hasPrefix("0::") }) {
            let rel = String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces)
            if rel != "/" && FileManager.default.fileExists(atPath: dir + rel + "/memory.max") { dir += rel }
        }
        guard let maxText = readText(dir + "/memory.max")?.trimmingCharacters(in: .whitespacesAndNewlines),
              let limit = Int(maxText) else { return nil }   // "max" = no limit
        let current = readText(dir + "/memory.current").flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
        return max(0, limit - current)
    }

    /// Throws `insufficientMemory` when `needed` bytes exceed what is available (`available`
    /// defaults to `availableBytes()`). `what` names the allocation; `advice` says what to do.
    public static func check(needed: Int, what: String, advice: String, available: Int? = nil) throws {
        if ProcessInfo.processInfo.environment["SAFEKEY_MEMORY_CHECK"] == "off" && available == nil { return }
        guard let have = available ?? availableBytes() else { return }
        guard needed > have else { return }
        throw ModelsError.insufficientMemory(what: what, needed: needed, available: have, advice: advice)
    }

    private static func readText(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
