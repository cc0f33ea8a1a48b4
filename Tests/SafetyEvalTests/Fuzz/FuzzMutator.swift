import Foundation
import SafetyEval

/// A seeded, structure-aware mutator for the fuzz suite (issue 20, item 7): each call applies 1–4
/// edits drawn from byte-level edits (flip, delete, duplicate, truncate) and structural ones that
/// splice tokens of the input's grammar (JSON punctuation and extreme numbers, Jinja tags and
/// operators, CSV quotes) or deep nesting. The same seed gives the same inputs, so a failure
/// reproduces from the seed printed with it.
struct FuzzMutator {
    private var rng: SplitMix64
    /// Grammar tokens spliced in (e.g. `FuzzMutator.jsonTokens`).
    let tokens: [String]

    init(seed: UInt64, tokens: [String]) {
        rng = SplitMix64(seed: seed)
        self.tokens = tokens
    }

    static let jsonTokens = ["{", "}", "[", "]", "\"", ":", ",", "null", "true", "false", "-1", "0", "1e309", "-1e309", "1e15",
                             "9223372036854775808", "-9223372036854775809", "3.5", "NaN", "\"\\ud800\"", "\"\\u0000\"", "\"\\",
                             "\u{FEFF}", "\u{0}", "\"x\": ", "{\"a\": [", "]]]]", "\n", "\"__metadata__\"", "\"dtype\": \"F32\"",
                             "\"shape\": [", "\"data_offsets\": [", "\"hidden_size\": ", "\"num_hidden_layers\": 100000000"]
    static let jinjaTokens = ["{%", "%}", "{{", "}}", "{#", "#}", "if ", "elif ", "else", "endif", "for x in ", "endfor", "set ",
                              "macro m(a)", "endmacro", "m(1)", "(", ")", "[", "]", "|", "*", "**", "~", "+", "not ", "and ", " or ",
                              "range(1000000)", "10**12", "loop.index", "namespace(a=1)", "messages", "message['content']",
                              "'x'", "\"", "raise_exception('x')", "|tojson", "|indent(-5)", ".split('</think>')", "[-1]", "[::-1]"]
    static let csvTokens = ["\"", ",", "\n", "\r\n", "\"\"", "\r", "\u{0}", "forbidden_prompt", "category", "\u{FEFF}", ",,,,", "\"a\nb\""]

    mutating func int(_ n: Int) -> Int { n <= 1 ? 0 : Int(rng.next() % UInt64(n)) }

    mutating func mutate(_ input: [UInt8]) -> [UInt8] {
        var b = input
        for _ in 0..<(1 + int(4)) { edit(&b) }
        return b
    }

    private mutating func edit(_ b: inout [UInt8]) {
        let at = int(b.count + 1)
        switch int(9) {
        case 0 where !b.isEmpty: b[min(at, b.count - 1)] ^= UInt8(1 << int(8))                       // flip a bit
        case 1 where !b.isEmpty: b.removeSubrange(at..<min(b.count, at + 1 + int(16)))                // delete
        case 2: b.removeSubrange(at..<b.count)                                                        // truncate
        case 3 where !b.isEmpty:                                                                      // duplicate a span
            let lo = int(b.count), hi = min(b.count, lo + 1 + int(64))
            b.insert(contentsOf: b[lo..<hi], at: at)
        case 4: b.insert(UInt8(truncatingIfNeeded: rng.next()), at: at)                               // random byte
        case 5:                                                                                       // deep nesting
            let t = tokens[int(tokens.count)]
            let n = [10, 300, 5000][int(3)]
            b.insert(contentsOf: Array(String(repeating: t, count: n).utf8), at: at)
        case 6 where !b.isEmpty:                                                                      // replace a number
            if let d = b.indices.first(where: { $0 >= at && (0x30...0x39).contains(b[$0]) }) {
                var e = d
                while e < b.count, (0x30...0x39).contains(b[e]) || b[e] == 0x2E || b[e] == 0x65 || b[e] == 0x2D { e += 1 }
                let extremes = ["0", "-1", "1e300", "1000000000", "1000000000000000", "9223372036854775807", "3.5", "-0", "1e-320"]
                b.replaceSubrange(d..<e, with: Array(extremes[int(extremes.count)].utf8))
            }
        default: b.insert(contentsOf: Array(tokens[int(tokens.count)].utf8), at: at)                 // grammar token
        }
    }
}

/// Runs `body` on `count` mutations of the seeds; returns (accepted, rejected) and the seconds taken.
/// `body` returns normally for a valid result and throws a typed error for a clear rejection; a trap
/// kills the test process, which is the failure this suite exists to catch.
enum Fuzz {
    static var iterations: Int {
        ProcessInfo.processInfo.environment["SAFEKEY_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 1000
    }

    static func run(_ name: String, seeds: [[UInt8]], tokens: [String], seed: UInt64 = 20,
                    isClear: (Error) -> Bool, _ body: ([UInt8]) throws -> Void) -> (accepted: Int, rejected: Int, unclear: [String]) {
        var m = FuzzMutator(seed: seed, tokens: tokens)
        var accepted = 0, rejected = 0
        var unclear: [String] = []
        let start = Date()
        for i in 0..<iterations {
            let input = i < seeds.count ? seeds[i] : m.mutate(seeds[m.int(seeds.count)])
            do { try body(input); accepted += 1 } catch {
                rejected += 1
                let text = "\(error)"
                if !isClear(error) || text.isEmpty { unclear.append("input \(i) (seed \(seed)): \(type(of: error)): \(text.prefix(200))") }
            }
        }
        print(String(format: "fuzz %@: %d inputs, %d accepted, %d rejected with a clear error, %d unclear, %.2f s",
                     name, iterations, accepted, rejected - unclear.count, unclear.count, Date().timeIntervalSince(start)))
        return (accepted, rejected, unclear)
    }
}
