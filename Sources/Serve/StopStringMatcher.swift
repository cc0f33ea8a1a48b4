/// OpenAI's `stop` sequences over streamed text: the output ends just before the first occurrence
/// of any stop string (the stop string itself is not returned), and while streaming, a suffix that
/// could still grow into a stop string is held back.
///
/// ```swift
/// var m = StopStringMatcher(["\n\n"])
/// m.push("Hello\n")   // (text: "Hello", stopped: false)  — "\n" held back
/// m.push("\nWorld")   // (text: "", stopped: true)
/// ```
struct StopStringMatcher: Sendable {
    let stops: [String]
    private var buffer = ""

    init(_ stops: [String]) { self.stops = stops.filter { !$0.isEmpty } }

    /// Adds generated text; returns the text that is final now and whether a stop string was hit
    /// (then nothing after it may be emitted).
    mutating func push(_ text: String) -> (text: String, stopped: Bool) {
        guard !stops.isEmpty else { return (text, false) }
        buffer += text
        var first: Range<String.Index>?
        for s in stops {
            if let r = buffer.range(of: s), first == nil || r.lowerBound < first!.lowerBound { first = r }
        }
        if let r = first {
            let out = String(buffer[..<r.lowerBound])
            buffer = ""
            return (out, true)
        }
        var keep = 0
        for s in stops {
            for n in stride(from: min(s.count - 1, buffer.count), to: keep, by: -1) where buffer.hasSuffix(s.prefix(n)) {
                keep = n
                break
            }
        }
        let cut = buffer.index(buffer.endIndex, offsetBy: -keep)
        let out = String(buffer[..<cut])
        buffer = String(buffer[cut...])
        return (out, false)
    }

    /// The held-back text at the end of the output.
    mutating func finish() -> String {
        defer { buffer = "" }
        return buffer
    }
}
