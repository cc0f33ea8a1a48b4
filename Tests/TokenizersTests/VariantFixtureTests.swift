import Foundation
import XCTest
import Tokenizers

/// Stages and flags the shipped tokenizers leave unused, against HF tokenizers on patched copies
/// (Scripts/make_tokenizer_fixtures.py `VARIANTS`): added-token lstrip/rstrip/single_word/normalized,
/// ByteLevel trim_offsets and add_prefix_space with the GPT-2 regex, Split with literal and general
/// regex patterns, invert, every split behaviour, and merges in the older "a b" string form.
final class TokenizerVariantFixtureTests: XCTestCase {
    func testVariantsMatchHF() throws {
        guard let variants = try Fixtures.json("variants.json") as? [String: [String: Any]] else {
            return XCTFail("variants.json malformed")
        }
        XCTAssertEqual(variants.count, 4)
        for (name, patch) in variants.sorted(by: { $0.key < $1.key }) {
            guard let base = patch["base"] as? String else { return XCTFail("\(name): no base") }
            let folder = try Fixtures.tokenizerFolder(base)
            var spec = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/tokenizer.json")))
                as? [String: Any] ?? [:]
            for (key, value) in (patch["set"] as? [String: Any]) ?? [:] { spec[key] = value }
            var added = spec["added_tokens"] as? [[String: Any]] ?? []
            let updates = (patch["update_added"] as? [String: [String: Any]]) ?? [:]
            for k in added.indices {
                guard let content = added[k]["content"] as? String, let update = updates[content] else { continue }
                for (flag, value) in update { added[k][flag] = value }
            }
            added += (patch["add_added"] as? [[String: Any]]) ?? []
            spec["added_tokens"] = added
            if (patch["merges_as_strings"] as? Bool) == true, var model = spec["model"] as? [String: Any],
               let merges = model["merges"] as? [[String]] {
                model["merges"] = merges.map { $0.joined(separator: " ") }  // the older "a b" form
                spec["model"] = model
            }
            let tok = try Tokenizer(spec: Fixtures.ordered(spec), source: "variant \(name)")
            let rows = try Fixtures.jsonLines("variant-\(name).jsonl")
            XCTAssertGreaterThan(rows.count, 400)
            var failures = 0
            for row in rows {
                let text = row["text"] as? String ?? ""
                let ids = row["ids"] as? [Int] ?? []
                let offsets = Fixtures.offsets(row["off"] as? [Any] ?? [])
                let enc = try tok.encodeWithOffsets(text)
                if enc.ids != ids || !offsetsEqual(enc.offsets, offsets) {
                    failures += 1
                    if failures <= 4 {
                        XCTFail("\(name) \(text.debugDescription.prefix(80)):\n ids \(enc.ids.prefix(30))\n hf  \(ids.prefix(30))\n off \(enc.offsets.prefix(12).map { [$0.start, $0.end] })\n hf  \(offsets.prefix(12).map { [$0.0, $0.1] })")
                    }
                }
            }
            XCTAssertEqual(failures, 0, "\(name): \(failures) of \(rows.count) texts differ from HF")
        }
    }
}
