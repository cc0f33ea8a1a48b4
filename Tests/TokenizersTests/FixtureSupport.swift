import Foundation
import TestSupport
import XCTest
import Tokenizers

/// Paths and loaders shared by the tokenizer tests. Fixtures come from
/// `Scripts/make_tokenizer_fixtures.py` (HF tokenizers / transformers); real tokenizer files and
/// STAR-1 are read in place from `../shared/data`.
enum Fixtures {
    static let repoRoot = RepoPaths.root
    static let fixtures = RepoPaths.fixtures.appendingPathComponent("tokenizers")
    static let sharedData = RepoPaths.sharedData
    static let tokenizerNames = ["qwen2.5", "deepseek-r1-distill-qwen", "llama-3"]

    static func tokenizerFolder(_ name: String) throws -> String {
        (try RepoPaths.shared("tokenizers/\(name)/tokenizer.json") as NSString).deletingLastPathComponent
    }

    /// Read and written only while `lock` is held.
    nonisolated(unsafe) private static var cache: [String: Tokenizer] = [:]
    private static let lock = NSLock()

    /// A tokenizer loaded once per test process.
    static func tokenizer(_ name: String) throws -> Tokenizer {
        let folder = try tokenizerFolder(name)
        lock.lock(); defer { lock.unlock() }
        if let t = cache[name] { return t }
        let t = try Tokenizer(path: folder)
        cache[name] = t
        return t
    }

    static func json(_ file: String) throws -> Any {
        let data = try Data(contentsOf: fixtures.appendingPathComponent(file))
        return try JSONSerialization.jsonObject(with: data)
    }

    static func star1() throws -> [[String: Any]] {
        let url = URL(fileURLWithPath: try RepoPaths.shared("star1/STAR-1.json"))
        return try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]] ?? []
    }

    /// The corpus texts in fixture order: generated texts, then STAR-1 slices (scalar indices).
    static func corpus() throws -> [String] {
        guard let corpus = try json("corpus.json") as? [String: Any],
              let generated = corpus["generated"] as? [String], let slices = corpus["star1"] as? [[Any]] else {
            XCTFail("corpus.json malformed"); return []
        }
        let star = try star1()
        var texts = generated
        for slice in slices {
            guard let i = slice[0] as? Int, let field = slice[1] as? String, let s = slice[2] as? Int,
                  let e = slice[3] as? Int, let text = star[i][field] as? String else { continue }
            let scalars = Array(text.unicodeScalars)[s..<e]
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars)
            texts.append(String(view))
        }
        return texts
    }

    /// Lines of a JSONL fixture as objects.
    static func jsonLines(_ file: String) throws -> [[String: Any]] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent(file))
        return try data.split(separator: UInt8(ascii: "\n")).map {
            try JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] ?? [:]
        }
    }

    /// Expands the compact offsets of the fixture format (length when contiguous, else [s, e]).
    static func offsets(_ compact: [Any]) -> [(Int, Int)] {
        var out = [(Int, Int)]()
        var prev = 0
        for item in compact {
            if let len = item as? Int {
                out.append((prev, prev + len))
            } else if let pair = item as? [Int], pair.count == 2 {
                out.append((pair[0], pair[1]))
            }
            prev = out.last?.1 ?? prev
        }
        return out
    }

    /// FNV-1a 64 over values as little-endian u32, hex — the script's `fnv1a64`.
    static func fnv1a64(_ values: [Int]) -> String {
        FNV1a.hex(FNV1a.hash64(values.flatMap { v -> [UInt8] in
            let x = UInt32(truncatingIfNeeded: v)
            return [UInt8(x & 0xFF), UInt8(x >> 8 & 0xFF), UInt8(x >> 16 & 0xFF), UInt8(x >> 24)]
        }))
    }
}

/// Scalar-exact string equality (Swift's `==` treats canonically equivalent strings as equal,
/// which would hide NFC differences).
func sameScalars(_ a: String, _ b: String) -> Bool {
    a.unicodeScalars.elementsEqual(b.unicodeScalars)
}

func offsetsEqual(_ a: [(start: Int, end: Int)], _ b: [(Int, Int)]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.start == $1.0 && $0.end == $1.1 }
}
