import Foundation

/// Sizes from Linux's `/proc/self/status` (`VmRSS`, `VmHWM`, … in kB), in bytes.
///
/// A line is `Key:`, a tab, the value right-aligned in spaces, then `kB` — and a value of 8 digits
/// or more leaves no space after the tab (`VmRSS:\t15728640 kB`), so the line is split on tabs and
/// spaces alike (splitting on spaces alone read nothing above ~9.5 GiB).
///
///     ProcStatus.bytes("VmRSS", in: "VmRSS:\t15728640 kB\n")   // 16106127360
public enum ProcStatus {
    /// The value of `key` in a status text, in bytes; nil when the key is absent or unreadable.
    public static func bytes(_ key: String, in text: String) -> Int? {
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, let kb = Int(fields[1]) else { return nil }
            return kb * 1024
        }
        return nil
    }

    /// The value of `key` for this process (Linux); nil elsewhere or when absent.
    public static func bytes(_ key: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        return bytes(key, in: text)
    }
}
